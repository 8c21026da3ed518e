// gg::allow_unconnected really silences every diagnosis of a missing
// gradient, in every function that diagnoses one, and gives gg::zero (a type,
// checked here at compile time). It never silences "not a variable".
#include <type_traits>

#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

namespace {

template <class T>
constexpr bool is_zero(const T&) {
  return std::is_same_v<T, gg::zero>;
}

// f is differentiated with respect to v, asking for structural zeros through
// each of the four entry points; v must come out as gg::zero each time.
template <class F, class V>
constexpr bool silenced(const F& f, const V& v) {
  constexpr auto x = gg::var<"x">(2.0);
  const auto g = gg::gradient(f, x, v, gg::allow_unconnected);
  const auto [fx, gx, gv] = gg::value_and_gradient(f, x, v, gg::allow_unconnected);
  return is_zero(g[v]) && is_zero(g.template get<1>()) && !is_zero(g[x]) &&  // gg::gradient
         is_zero(gv) && !is_zero(gx) && !is_zero(fx) &&           // gg::value_and_gradient
         is_zero(gg::derivative(f, v, gg::allow_unconnected)) &&  // gg::derivative
         is_zero(gg::d(f, v, gg::allow_unconnected)) &&           // gg::d
         gg::derivative(f, v, gg::allow_unconnected) == 0.0;      // and it is 0
}

constexpr auto x = gg::var<"x">(2.0);
constexpr auto w = gg::var<"w">(0.5);
constexpr auto n = gg::var<"n">(3);
constexpr auto on = gg::var<"on">(true);
constexpr auto frozen_w = gg::frozen<"w">(0.5);

static_assert(silenced(x * x, w));                              // absent
static_assert(silenced(x * gg::stop_gradient(w), w));           // stop_gradient
static_assert(silenced(x * gg::floor(w), w));                   // non-differentiable: floor
static_assert(silenced(x * gg::select(w < 1.0, 1.0, 2.0), w));  // non-differentiable: <
static_assert(silenced(x * gg::cast<int>(w), w));               // non-differentiable: cast<int>
static_assert(silenced(x * n, n));                              // integer
static_assert(silenced(gg::select(on, x, 2.0 * x), on));        // bool
static_assert(silenced(x * frozen_w, frozen_w));                // frozen

// The functional form's way of asking: gg::nondiff.
constexpr auto r = gg::value_and_grad([](auto a, auto) { return a * a; }, 3.0, gg::nondiff(1.0));
static_assert(r.gradient.size() == 1 && r.gradient[0] == 6.0);

}  // namespace

int main() {
#ifdef GRADGUARD_COMPILE_FAIL
  // A constant is never a variable, with or without allow_unconnected.
  // expected-first-error: gradient_argument_is_not_a_variable<2, gradguard::literal<double> ?>
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto g = gg::gradient(x * x, x, gg::constant(1.0), gg::allow_unconnected);
#endif
}
