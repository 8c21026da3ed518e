// The law every rule of the rule table must pass, written once (Hana's laws/):
//
//   differentiable rule   the reverse-mode derivative matches central finite
//                         differences; symbolic d(f, x) matches it; every
//                         second derivative d(d(f, x), y) matches finite
//                         differences of the first and the reverse mode of d(f, x);
//                         the value matches <cmath> where a reference is given.
//   non-differentiable    the derivative is the structural zero gg::zero (as a
//                         type), depends_on is false, and finite differences
//                         away from the jumps agree (0, or 1 for stop_gradient).
//
// Every point is also computed in forward mode: gg::dual<T, N> with the unit
// tangents gives the value and every first derivative in one pass (equal to
// the static reverse mode to a few ulp, and to finite differences), and
// gg::dual<gg::dual<T, N>, N> every second derivative (against d(d(f, x), y));
// a non-differentiable rule gives the structural zero gg::zero as the type
// of the tangent (comparisons give bool). So forward = static reverse = tape.
//
// For double, every point is also recorded on a gg::tape (gg::real leaves, one
// statement; swept with and without gg::check_finite, which have separate
// sweeps): its value equals the static value, its gradient equals the
// static reverse mode to a few ulp and finite differences to the tolerance;
// a non-differentiable rule makes tape.gradient throw gg::missing_gradient
// with the reason non_differentiable (stop_gradient for stop_gradient), and 0
// with gg::allow_unconnected.
//
// Finite differences are taken in long double with the 5-point central stencil
// and step h = step_scale * max(step_floor, |x|), so that the reference is
// far more accurate than the tolerance of the type under test.
#pragma once

#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

namespace gg = gradguard;

namespace law {

using wide = long double;

template <std::size_t N>
using point = std::array<wide, N>;

// Relative tolerance of a derivative of type T against finite differences.
template <class T>
inline constexpr wide relative_tolerance = std::is_same_v<T, float> ? 2e-4L : 1e-6L;

struct options {
  wide step_scale = 1e-6L;
  wide step_floor = 1;  // set it tiny for a step relative to |x| (rules singular at 0)
};
inline constexpr options relative_step{1e-6L, 1e-30L};

struct no_reference {};

// The I-th variable of a law: "x", "y", "z".
template <std::size_t I, class T>
constexpr auto variable(T v) {
  if constexpr (I == 0) return gg::var<"x">(v);
  else if constexpr (I == 1) return gg::var<"y">(v);
  else return gg::var<"z">(v);
}

// Calls fn(vars..., var_i) with the law's variables at p and the I-th of them.
template <std::size_t I, class T, std::size_t N, class Fn>
decltype(auto) with_variables(const std::array<T, N>& p, const Fn& fn) {
  return [&]<std::size_t... K>(std::index_sequence<K...>)->decltype(auto) {
    return fn(std::tuple{variable<K>(p[K])...}, variable<I>(p[I]));
  }
  (std::make_index_sequence<N>{});
}

// The type of the expression built from wide variables (declared only, for decltype).
template <class Build, std::size_t... K>
auto built_in_wide(const Build& build, std::index_sequence<K...>)
    -> decltype(build(variable<K>(wide{})...));

template <class T>
wide as_wide(const T& v) {
  return static_cast<wide>(gg::value(v));
}

// d g / d p[I], g: array<wide, N> -> wide, by gg::central_difference (the
// 5-point stencil).
template <std::size_t I, std::size_t N, class G>
wide central_difference(const G& g, const point<N>& p, const options& opt) {
  const wide h = opt.step_scale * std::max(opt.step_floor, std::fabs(p[I]));
  return gg::central_difference(
             [&](wide t) {
               point<N> q = p;
               q[I] = t;
               return static_cast<wide>(g(q));
             },
             p[I], h)
      .derivative;
}

// The rounding noise of that stencil for values of type V and magnitude f.
template <class V>
wide stencil_noise(wide f, wide h) {
  using F = std::conditional_t<std::is_floating_point_v<V>, V, wide>;
  return 8 * static_cast<wide>(std::numeric_limits<F>::epsilon()) * std::fabs(f) / h;
}

template <class T>
::testing::AssertionResult close(const char* what, wide actual, wide expected, wide noise) {
  const wide eps = std::numeric_limits<T>::epsilon();
  const wide tol = relative_tolerance<T> * std::fabs(expected) + 16 * eps + noise;
  if (std::fabs(actual - expected) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": got " << static_cast<double>(actual) << ", expected "
         << static_cast<double>(expected) << " (tolerance " << static_cast<double>(tol) << ")";
}

// Equal up to a few units in the last place of T: two evaluations of one formula.
template <class T>
::testing::AssertionResult same(const char* what, wide a, wide b) {
  const wide eps = std::numeric_limits<T>::epsilon();
  if (a == b || std::fabs(a - b) <= 4 * eps * std::max(std::fabs(a), std::fabs(b)))
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": " << static_cast<double>(a) << " != " << static_cast<double>(b);
}

template <std::size_t N>
std::string describe(const point<N>& p) {
  std::ostringstream os;
  os.precision(17);
  os << "at (";
  for (std::size_t i = 0; i < N; ++i) os << (i ? ", " : "") << static_cast<double>(p[i]);
  os << ")";
  return os.str();
}

template <std::size_t N, class Fn>
void for_each_index(const Fn& fn) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (fn(std::integral_constant<std::size_t, I>{}), ...);
  }
  (std::make_index_sequence<N>{});
}

// The point as T holds it, and the same point in wide precision.
template <class T, std::size_t N>
std::pair<std::array<T, N>, point<N>> rounded(const point<N>& p) {
  std::array<T, N> t{};
  point<N> w{};
  for (std::size_t i = 0; i < N; ++i) w[i] = t[i] = static_cast<T>(p[i]);
  return {t, w};
}

template <class T, std::size_t N, class Build, class Reference>
void check_value(const Build& build, const std::array<T, N>& p, const point<N>& pw,
                 const Reference& reference) {
  if constexpr (!std::is_same_v<Reference, no_reference>) {
    auto f = with_variables<0>(p, [&](auto vars, auto) { return std::apply(build, vars); });
    wide expected = std::apply([&](auto... a) { return static_cast<wide>(reference(a...)); }, pw);
    EXPECT_TRUE(close<T>("value", as_wide(f), expected, 0)) << describe(pw);
  }
}

// ---- The same rule in forward mode (gg::dual) --------------------------------

// build(x_0, ..., x_{N-1}) with x_k = D::variable(p[k], k) (one seed each).
template <class D, std::size_t N, class Build, class Seed>
auto build_with_duals(const Build& build, const Seed& seed) {
  return [&]<std::size_t... K>(std::index_sequence<K...>) { return D(build(seed(K)...)); }
  (std::make_index_sequence<N>{});
}

// The value and first derivatives in forward mode, and (for double) the
// second derivatives by nesting; checked in differentiable() beside the
// static reverse mode.
template <class T, std::size_t N, class Build>
struct forward_result {
  gg::dual<T, N> first;
  gg::dual<gg::dual<T, N>, N> second;

  forward_result(const Build& build, const std::array<T, N>& p) {
    using D = gg::dual<T, N>;
    first = build_with_duals<D, N>(build, [&](std::size_t k) { return D::variable(p[k], k); });
    if constexpr (std::is_same_v<T, double>) {
      // the inner and the outer tangent both seeded with e_k
      using DD = gg::dual<D, N>;
      second = build_with_duals<DD, N>(
          build, [&](std::size_t k) { return DD::variable(D::variable(p[k], k), k); });
    }
  }
};

// A non-differentiable rule in forward mode: its tangent is the type gg::zero
// (a comparison gives a bool), and its value is the static value.
template <class T, std::size_t N, class Build>
void forward_non_differentiable_law(const Build& build, const std::array<T, N>& p) {
  SCOPED_TRACE("forward mode (gg::dual)");
  using D = gg::dual<T, N>;
  const auto y = [&]<std::size_t... K>(std::index_sequence<K...>) {
    return build(D::variable(p[K], K)...);
  }
  (std::make_index_sequence<N>{});
  using Y = std::remove_cvref_t<decltype(y)>;
  const wide value =
      with_variables<0>(p, [&](auto vars, auto) { return as_wide(std::apply(build, vars)); });
  if constexpr (std::is_same_v<Y, bool>) {
    EXPECT_EQ(static_cast<wide>(y), value);
  } else {
    static_assert(std::is_same_v<decltype(gg::tangent(y)), gg::zero>,
                  "a non-differentiable rule must give a structurally zero tangent");
    EXPECT_EQ(static_cast<wide>(gg::value(y)), value);
  }
}

// ---- The same rule on the tape (double only) --------------------------------

inline const char* reason_name(gg::missing_reason r) {
  switch (r) {
    case gg::missing_reason::absent:
      return "absent";
    case gg::missing_reason::stop_gradient:
      return "stop_gradient";
    case gg::missing_reason::non_differentiable:
      return "non_differentiable";
    case gg::missing_reason::untaken_branch:
      return "untaken_branch";
    case gg::missing_reason::integer_or_boolean:
      return "integer_or_boolean";
    case gg::missing_reason::frozen:
      return "frozen";
    case gg::missing_reason::not_a_variable:
      return "not_a_variable";
    case gg::missing_reason::other_tape:
      return "other_tape";
  }
  return "?";
}

inline constexpr const char* tape_names[] = {"x", "y", "z"};

// What the static engine (and finite differences) said at one point, for
// the first n <= 3 variables.
struct static_result {
  wide value = 0;
  std::array<wide, 3> derivative{};  // static reverse mode, computed in double
  std::array<wide, 3> fd{};          // finite differences
  std::array<wide, 3> noise{};       // their rounding noise
};

// Records build(x...) on the tape of x. Everything else about the tape is in
// the functions below, which depend on neither the rule nor N: compiled
// once per test file (the tape's own functions are most of what it adds to
// compile time).
using tape_recorder = gg::real (*)(const void* build, std::span<const gg::real> x);

template <std::size_t N, class Build>
gg::real record_on_tape(const void* build, std::span<const gg::real> x) {
  return [&]<std::size_t... K>(std::index_sequence<K...>) {
    return gg::real((*static_cast<const Build*>(build))(x[K]...));
  }
  (std::make_index_sequence<N>{});
}

inline void check_tape_gradient(gg::tape& tape, const gg::real& y, std::span<const gg::real> x,
                                const static_result& s) {
  SCOPED_TRACE(tape.checks_finite() ? "on the tape, with check_finite" : "on the tape");
  EXPECT_TRUE(same<double>("tape value vs static value", gg::value(y), s.value));
  const auto g = tape.gradient(y, x, gg::allow_unconnected);
  ASSERT_EQ(g.size(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    SCOPED_TRACE("with respect to variable " + std::to_string(i));
    EXPECT_TRUE(same<double>("tape vs static reverse mode", g[i], s.derivative[i]));
    EXPECT_TRUE(close<double>("tape vs finite differences", g[i], s.fd[i], s.noise[i]));
  }
  // Without gg::allow_unconnected the same numbers, unless a variable reaches
  // the result only through what a select did not take (then its static
  // derivative is 0 too).
  try {
    const auto strict = tape.gradient(y, x);
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(strict[i], g[i]);
  } catch (const gg::missing_gradient& e) {
    for (const auto& m : e.variables()) {
      EXPECT_TRUE(m.reason == gg::missing_reason::untaken_branch ||
                  m.reason == gg::missing_reason::non_differentiable)
          << reason_name(m.reason) << ": " << m.detail;
      std::size_t i = 0;
      while (i < x.size() && m.name != tape_names[i]) ++i;
      ASSERT_LT(i, x.size()) << m.name;
      EXPECT_EQ(s.derivative[i], 0) << m.detail;
    }
  }
}

inline void check_tape_blocked(gg::tape& tape, const gg::real& y, std::span<const gg::real> x,
                               wide value, gg::missing_reason why) {
  SCOPED_TRACE(tape.checks_finite() ? "on the tape, with check_finite" : "on the tape");
  EXPECT_TRUE(same<double>("tape value vs static value", gg::value(y), value));
  try {
    tape.gradient(y, x);
    ADD_FAILURE() << "tape.gradient did not throw gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    ASSERT_EQ(e.variables().size(), x.size()) << e.what();
    for (std::size_t i = 0; i < x.size(); ++i) {
      EXPECT_EQ(e.variables()[i].name, tape_names[i]);
      EXPECT_STREQ(reason_name(e.variables()[i].reason), reason_name(why)) << e.what();
    }
  }
  const auto g = tape.gradient(y, x, gg::allow_unconnected);
  for (std::size_t i = 0; i < x.size(); ++i) EXPECT_EQ(g[i], 0.0);
}

// The law's point as trainable variables named like the static ones, y
// recorded from them, and the checks; with both sweeps (with and without
// gg::check_finite). why: nullptr for a differentiable rule.
inline void tape_law(tape_recorder record, const void* build, std::span<const double> p,
                     const static_result& s, const gg::missing_reason* why) {
  for (const bool checked : {true, false}) {
    gg::tape tape(gg::check_finite, checked);
    std::array<gg::real, 3> storage;
    const std::span<gg::real> x(storage.data(), p.size());
    for (std::size_t i = 0; i < p.size(); ++i) x[i] = tape.variable(tape_names[i], p[i]);
    const gg::real y = record(build, x);
    if (why == nullptr) check_tape_gradient(tape, y, x, s);
    else check_tape_blocked(tape, y, x, s.value, *why);
  }
}

// The law of a differentiable rule, for derivatives computed in T.
template <class T, std::size_t N, class Build, class Reference = no_reference>
void differentiable(const Build& build, std::initializer_list<point<N>> points,
                    const Reference& reference = {}, const options& opt = {}) {
  for (const auto& original : points) {
    const auto [p, pw] = rounded<T, N>(original);
    SCOPED_TRACE(describe(pw));
    check_value(build, p, pw, reference);
    [[maybe_unused]] static_result result;
    const forward_result<T, N, Build> forward(build, p);
    for_each_index<N>([&](auto i) {
      constexpr std::size_t I = decltype(i)::value;
      SCOPED_TRACE("with respect to variable " + std::to_string(I));
      // d f / d x_I, in wide precision, for the stencils
      auto first_wide = [&](const point<N>& q) {
        return with_variables<I>(q, [&](auto vars, auto x) {
          return static_cast<wide>(gg::derivative(std::apply(build, vars), x));
        });
      };
      with_variables<I>(p, [&](auto vars, auto x) {
        auto f = std::apply(build, vars);
        const auto dfdx = gg::derivative(f, x);
        // reverse mode = finite differences
        const wide fd = central_difference<I>(
            [&](const point<N>& q) {
              return with_variables<0>(q,
                                       [&](auto v, auto) { return as_wide(std::apply(build, v)); });
            },
            pw, opt);
        const wide h = opt.step_scale * std::max(opt.step_floor, std::fabs(pw[I]));
        using value_t =
            gg::value_type_t<decltype(built_in_wide(build, std::make_index_sequence<N>{}))>;
        EXPECT_TRUE(close<T>("reverse mode vs finite differences", dfdx, fd,
                             stencil_noise<value_t>(as_wide(f), h)));
        // forward mode: the same value and derivative
        EXPECT_TRUE(same<T>("forward value vs static value", gg::value(forward.first), as_wide(f)));
        EXPECT_TRUE(same<T>("forward vs static reverse mode", forward.first.tangent[I], dfdx));
        EXPECT_TRUE(close<T>("forward vs finite differences", forward.first.tangent[I], fd,
                             stencil_noise<value_t>(as_wide(f), h)));
        if constexpr (std::is_same_v<T, double>) {
          EXPECT_TRUE(same<T>("nested forward: inner vs outer tangent",
                              gg::value(forward.second.tangent[I]), dfdx));
        }
        if constexpr (std::is_same_v<T, double>) {
          result.value = as_wide(f);
          result.derivative[I] = static_cast<wide>(dfdx);
          result.fd[I] = fd;
          result.noise[I] = stencil_noise<value_t>(as_wide(f), h);
        }
        // gradient(f, all variables)[x] = derivative(f, x)
        const auto g = std::apply([&](auto... v) { return gg::gradient(f, v...); }, vars);
        EXPECT_EQ(static_cast<wide>(g[x]), static_cast<wide>(dfdx));
        // symbolic = numeric
        const auto df = gg::d(f, x);
        EXPECT_TRUE(same<T>("value(d(f, x)) vs derivative(f, x)", as_wide(df), dfdx));
        // second derivatives, with respect to each variable
        for_each_index<N>([&](auto j) {
          constexpr std::size_t J = decltype(j)::value;
          SCOPED_TRACE("then with respect to variable " + std::to_string(J));
          const auto y = std::get<J>(vars);
          const wide fd2 = central_difference<J>(first_wide, pw, opt);
          const wide noise2 = stencil_noise<value_t>(
              dfdx, opt.step_scale * std::max(opt.step_floor, std::fabs(pw[J])));
          using second_t = decltype(gg::derivative(df, y, gg::allow_unconnected));
          if constexpr (std::is_same_v<second_t, gg::zero>) {
            // d(f, x) does not depend on y: the structural zero must be right
            EXPECT_TRUE(close<T>("structural zero vs finite differences", 0, fd2, noise2));
            if constexpr (std::is_same_v<T, double>) {
              EXPECT_EQ(forward.second.tangent[I].tangent[J], 0.0) << "nested forward mode";
            }
            static_assert(std::is_same_v<decltype(gg::d(df, y, gg::allow_unconnected)), gg::zero>);
          } else {
            const auto d2f = gg::d(df, y);
            EXPECT_TRUE(close<T>("d(d(f, x), y) vs finite differences", as_wide(d2f), fd2, noise2));
            if constexpr (std::is_same_v<T, double>) {
              EXPECT_TRUE(close<T>("nested forward vs d(d(f, x), y)",
                                   forward.second.tangent[I].tangent[J], as_wide(d2f), 0));
            }
            // the same derivative, summed in another order: cancellation may differ
            EXPECT_TRUE(close<T>("d(d(f, x), y) vs derivative(d(f, x), y)", as_wide(d2f),
                                 gg::derivative(df, y), 0));
          }
        });
      });
    });
    if constexpr (std::is_same_v<T, double>)
      tape_law(&record_on_tape<N, Build>, &build, p, result, nullptr);
  }
}

// The law of a non-differentiable rule: a structural zero that finite
// differences confirm (slope 0, or 1 for stop_gradient, whose value is x).
template <class T, std::size_t N, class Build, class Reference = no_reference>
void non_differentiable(const Build& build, std::initializer_list<point<N>> points,
                        const Reference& reference = {}, const options& opt = relative_step,
                        wide slope = 0) {
  for (const auto& original : points) {
    const auto [p, pw] = rounded<T, N>(original);
    SCOPED_TRACE(describe(pw));
    check_value(build, p, pw, reference);
    forward_non_differentiable_law<T, N>(build, p);
    for_each_index<N>([&](auto i) {
      constexpr std::size_t I = decltype(i)::value;
      with_variables<I>(p, [&](auto vars, auto x) {
        auto f = std::apply(build, vars);
        const auto dfdx = gg::derivative(f, x, gg::allow_unconnected);
        static_assert(std::is_same_v<decltype(dfdx), const gg::zero>);
        EXPECT_EQ(static_cast<double>(dfdx), 0.0);
        static_assert(std::is_same_v<decltype(gg::d(f, x, gg::allow_unconnected)), gg::zero>);
        EXPECT_FALSE(gg::depends_on(f, x));
        EXPECT_TRUE(gg::active_variables(f).empty());
        const auto g = std::apply(
            [&](auto... v) { return gg::gradient(f, v..., gg::allow_unconnected); }, vars);
        static_assert(std::is_same_v<std::remove_cvref_t<decltype(g[x])>, gg::zero>);
        const wide fd = central_difference<I>(
            [&](const point<N>& q) {
              return with_variables<0>(q,
                                       [&](auto v, auto) { return as_wide(std::apply(build, v)); });
            },
            pw, opt);
        EXPECT_TRUE(close<T>("finite differences of a non-differentiable rule", fd, slope, 0));
      });
    });
    if constexpr (std::is_same_v<T, double>) {
      // stop_gradient is the one rule whose finite differences have slope 1
      const auto why =
          slope != 0 ? gg::missing_reason::stop_gradient : gg::missing_reason::non_differentiable;
      static_result result;
      result.value =
          with_variables<0>(p, [&](auto vars, auto) { return as_wide(std::apply(build, vars)); });
      tape_law(&record_on_tape<N, Build>, &build, p, result, &why);
    }
  }
}

}  // namespace law
