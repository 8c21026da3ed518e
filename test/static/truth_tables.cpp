// depends_on, active_variables and the reason of each blocked variable,
// checked by the compiler: one row per way a path can be cut.
#include <gradguard/gradguard.hpp>

#include <type_traits>

namespace gg = gradguard;

namespace {
constexpr auto x = gg::var<"x">(2.0);
constexpr auto y = gg::var<"y">(3.0);
constexpr auto z = gg::var<"z">(0.5f);
constexpr auto n = gg::var<"n">(3);
constexpr auto b = gg::var<"b">(true);
constexpr auto w = gg::frozen<"w">(0.5);
constexpr auto c = gg::constant(1.5);

template <class F, gg::fixed_string Name, class Reason>
constexpr bool blocked_by = std::is_same_v<gg::status_t<F, Name>, Reason>;
template <class Rule>
using cut_by = gg::reason::non_differentiable<Rule>;

// The design's example.
constexpr auto f = x * y + gg::stop_gradient(x * x) + gg::floor(y);
static_assert(gg::value(f) == 2.0 * 3.0 + 4.0 + 3.0);
static_assert(gg::derivative(f, x) == 3.0);
static_assert(gg::depends_on(f, x) && !gg::depends_on(f, w));
static_assert(gg::active_variables(f) == gg::variable_set{"x", "y"});
static_assert(gg::active_variables(f) ==
              gg::variable_set{"y", "x"});  // a set: order does not matter
static_assert(!(gg::active_variables(f) == gg::variable_set{"x"}));

// absent
static_assert(!gg::depends_on(x * x, y));
static_assert(blocked_by<decltype(x * x), "y", gg::reason::absent>);
static_assert(std::is_same_v<decltype(gg::derivative(x * x, y, gg::allow_unconnected)), gg::zero>);

// stop_gradient: cuts its own path only
constexpr auto sg = gg::stop_gradient(x) + y;
static_assert(!gg::depends_on(sg, x) && gg::depends_on(sg, y));
static_assert(blocked_by<decltype(sg), "x", gg::reason::stop_gradient>);
static_assert(gg::depends_on(gg::stop_gradient(x) * x, x));  // another path stays
// a number has no derivative to stop: generic code (gg::check_gradient's
// finite differences) calls it with doubles and gets the number back
static_assert(gg::stop_gradient(2.5) == 2.5);
static_assert(std::is_same_v<decltype(gg::stop_gradient(2.5f)), float>);
static_assert(gg::active_variables(gg::stop_gradient(x * y)).empty());

// non-differentiable operations, each named in the reason
static_assert(blocked_by<decltype(gg::floor(x) + y), "x", cut_by<gg::rules::floor_rule>>);
static_assert(blocked_by<decltype(gg::ceil(x)), "x", cut_by<gg::rules::ceil_rule>>);
static_assert(blocked_by<decltype(gg::round(x)), "x", cut_by<gg::rules::round_rule>>);
static_assert(blocked_by<decltype(gg::trunc(x)), "x", cut_by<gg::rules::trunc_rule>>);
static_assert(blocked_by<decltype(gg::sign(x) * y), "x", cut_by<gg::rules::sign_rule>>);
static_assert(blocked_by<decltype(x < y), "x", cut_by<gg::rules::less_rule>>);
static_assert(blocked_by<decltype(x < y), "y", cut_by<gg::rules::less_rule>>);
static_assert(blocked_by<decltype(x == y), "y", cut_by<gg::rules::equal_to_rule>>);
static_assert(blocked_by<decltype(gg::cast<int>(x)), "x", cut_by<gg::rules::cast_rule<int>>>);
static_assert(blocked_by<decltype(gg::cast<bool>(x)), "x", cut_by<gg::rules::cast_rule<bool>>>);
static_assert(!gg::depends_on(gg::floor(x) + gg::round(y) + (x < y), x));
static_assert(gg::depends_on(gg::floor(x) + x, x));    // active wins over blocked
static_assert(gg::depends_on(gg::cast<float>(x), x));  // a floating cast keeps the path
static_assert(gg::active_variables(gg::cast<double>(z) * 2.0) == gg::variable_set{"z"});
// the first cut found is kept: the inner reason survives an outer cut
static_assert(
    blocked_by<decltype(gg::stop_gradient(gg::floor(x))), "x", cut_by<gg::rules::floor_rule>>);

// select: the condition is no path, both branches are
constexpr auto s = gg::select(x < y, z, w);
static_assert(gg::active_variables(s) == gg::variable_set{"z"});
static_assert(blocked_by<decltype(s), "x", cut_by<gg::rules::less_rule>>);
static_assert(blocked_by<decltype(s), "w", gg::reason::frozen>);
static_assert(gg::active_variables(gg::select(x < y, y, x)) == gg::variable_set{"x", "y"});

// integer and bool variables
static_assert(!gg::depends_on(x * n, n) && gg::depends_on(x * n, x));
static_assert(blocked_by<decltype(x * n), "n", gg::reason::integer_or_boolean>);
static_assert(blocked_by<decltype(gg::select(b, x, y)), "b", gg::reason::integer_or_boolean>);
static_assert(gg::active_variables(n * n + 1).empty());
// a cut does not hide that the variable was an integer
static_assert(blocked_by<decltype(gg::stop_gradient(n * x)), "n", gg::reason::integer_or_boolean>);

// frozen and constant
static_assert(!gg::depends_on(w * x, w));
static_assert(blocked_by<decltype(w * x), "w", gg::reason::frozen>);
static_assert(gg::active_variables(w * c + 2.0).empty());
static_assert(gg::active_variables(c * x) == gg::variable_set{"x"});

// one reason list for every engine: each reason type has the value the tape reports
static_assert(gg::reason_code_v<gg::reason::absent> == gg::missing_reason::absent);
static_assert(gg::reason_code_v<gg::reason::stop_gradient> == gg::missing_reason::stop_gradient);
static_assert(gg::reason_code_v<cut_by<gg::rules::floor_rule>> ==
              gg::missing_reason::non_differentiable);
static_assert(gg::reason_code_v<gg::reason::integer_or_boolean> ==
              gg::missing_reason::integer_or_boolean);
static_assert(gg::reason_code_v<gg::reason::frozen> == gg::missing_reason::frozen);
static_assert(gg::reason_code_v<gg::reason::not_a_variable> == gg::missing_reason::not_a_variable);
static_assert(gg::rules::cut_code_v<gg::rules::stop_gradient_rule> ==
              gg::missing_reason::stop_gradient);
static_assert(gg::rules::cut_code_v<gg::rules::less_rule> ==
              gg::missing_reason::non_differentiable);

// symbolic derivatives have their own activity
static_assert(gg::active_variables(gg::d(x * y, x)) == gg::variable_set{"y"});
static_assert(!gg::depends_on(gg::d(x * y, x), x));
static_assert(gg::active_variables(gg::d(x * x * y, x)) == gg::variable_set{"x", "y"});
static_assert(gg::active_variables(gg::d(gg::abs(x), x)).empty());  // sign(x)

// allow_unconnected: gg::zero, usable in constant expressions
constexpr auto g = gg::gradient(f, x, y, w, n, gg::allow_unconnected);
static_assert(g[x] == 3.0 && g[y] == 2.0);
static_assert(std::is_same_v<std::remove_cvref_t<decltype(g[w])>, gg::zero>);
static_assert(std::is_same_v<std::remove_cvref_t<decltype(g[n])>, gg::zero>);
static_assert(g[w] == 0.0 && static_cast<double>(g[n]) == 0.0);
}  // namespace

int main() { return 0; }
