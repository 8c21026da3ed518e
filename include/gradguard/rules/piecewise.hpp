// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Piecewise-smooth primitives: abs, min/max, select. At a kink the derivative
// is that of the branch the value came from: abs'(0) = 0 (PyTorch too; JAX
// gives 1), and a min/max tie goes wholly to the first operand (PyTorch and
// JAX split it, 1/2 each). docs/design.md, "Kinks and edges".
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>

#include <gradguard/rules/math.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {
namespace math {
template <class A, class B>
constexpr auto select(bool c, A a, B b) {
  using T = std::common_type_t<A, B>;
  return c ? static_cast<T>(a) : static_cast<T>(b);
}
template <arithmetic A, arithmetic B>
constexpr std::common_type_t<A, B> min(A a, B b) {
  return b < a ? b : a;
}
template <arithmetic A, arithmetic B>
constexpr std::common_type_t<A, B> max(A a, B b) {
  return a < b ? b : a;
}
template <arithmetic A, arithmetic B>
constexpr std::common_type_t<A, B> fmin(A a, B b) {  // a NaN operand is ignored
  if (a != a) return b;
  if (b != b) return a;
  return min(a, b);
}
template <arithmetic A, arithmetic B>
constexpr std::common_type_t<A, B> fmax(A a, B b) {
  if (a != a) return b;
  if (b != b) return a;
  return max(a, b);
}
}  // namespace math

namespace rules {

struct abs_rule {
  static constexpr std::string_view name = "abs";
  static constexpr auto value(auto x) {
    using math::abs;
    return abs(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::sign;
    return std::tuple{sign(x)};
  }
};

struct fabs_rule : abs_rule {
  static constexpr std::string_view name = "fabs";
};

// For the four selections, the derivative goes to the operand whose value was
// taken: r == a picks the first (ties and a NaN second operand included).
struct selection_rule {
  static constexpr auto partials(auto r, auto a, auto) {
    using math::select;
    return std::tuple{select(r == a, 1, 0), select(r == a, 0, 1)};
  }
};

struct min_rule : selection_rule {
  static constexpr std::string_view name = "min";
  static constexpr auto value(auto a, auto b) {
    using math::min;
    return min(a, b);
  }
};
struct max_rule : selection_rule {
  static constexpr std::string_view name = "max";
  static constexpr auto value(auto a, auto b) {
    using math::max;
    return max(a, b);
  }
};
struct fmin_rule : selection_rule {
  static constexpr std::string_view name = "fmin";
  static constexpr auto value(auto a, auto b) {
    using math::fmin;
    return fmin(a, b);
  }
};
struct fmax_rule : selection_rule {
  static constexpr std::string_view name = "fmax";
  static constexpr auto value(auto a, auto b) {
    using math::fmax;
    return fmax(a, b);
  }
};

// select(c, a, b) = c ? a : b. The gradient flows into the chosen branch
// only; the condition carries none.
struct select_rule {
  static constexpr std::string_view name = "select";
  static constexpr bool differentiable_arg(std::size_t i) { return i != 0; }
  static constexpr auto value(auto c, auto a, auto b) {
    using math::select;
    return select(c, a, b);
  }
  static constexpr auto partials(auto, auto c, auto, auto) {
    using math::select;
    return std::tuple{zero{}, select(c, 1, 0), select(c, 0, 1)};
  }
  // The branch not taken is not visited at all: its partials may be infinite
  // (select(x > 0, sqrt(x), x) at 0), and 0 * inf would be NaN.
  static constexpr bool flows_into(std::size_t i, bool c, const auto&, const auto&) {
    return i == 0 ? false : (i == 1) == c;
  }
};

}  // namespace rules
}  // namespace gradguard
