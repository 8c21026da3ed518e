// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Drivers over the tape:
//   gg::value_and_grad<gg::taped>(fn, args...)  the same generic callable as
//     the static gg::value_and_grad, run on a tape (loops and branches
//     allowed); arguments may be numbers, std::vector<double> and, with
//     <gradguard/eigen.hpp>, Eigen vectors; each gradient has its argument's shape.
// (gg::jacobian and gg::hessian: <gradguard/derivatives.hpp>.)
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <memory>
#include <source_location>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/expr/functional.hpp>  // nondiff
#include <gradguard/tape/tape.hpp>

namespace gradguard {

// How an argument of gg::value_and_grad<gg::taped> becomes tape values, and
// how its gradient is shaped. Specialised for numbers and std::vector here,
// for Eigen vectors in <gradguard/eigen.hpp>.
template <class A>
struct taped_argument;

template <std::floating_point A>
struct taped_argument<A> {
  // No creation site: the line would be in this header, not in user code.
  static real make(tape& t, const std::string& name, const A& a) {
    return t.variable(name, static_cast<double>(a), trainable::yes, std::source_location());
  }
  static void reals(const real& r, std::vector<real>& out) { out.push_back(r); }
  static double gradient(const A&, std::span<const double> g) { return g[0]; }
};

template <std::floating_point A, class Alloc>
struct taped_argument<std::vector<A, Alloc>> {
  static std::vector<real> make(tape& t, const std::string& name, const std::vector<A, Alloc>& a) {
    return t.variables(name, a, trainable::yes, std::source_location());
  }
  static void reals(const std::vector<real>& r, std::vector<real>& out) {
    out.insert(out.end(), r.begin(), r.end());
  }
  // g starts at this argument's first element.
  static std::vector<double> gradient(const std::vector<A, Alloc>& a, std::span<const double> g) {
    return std::vector<double>(g.begin(), g.begin() + static_cast<std::ptrdiff_t>(a.size()));
  }
};

namespace detail {

// The tapes of gg::value_and_grad<gg::taped>, one per nesting level and
// thread, reused (cleared) so that repeated calls do not allocate.
inline tape& reusable_tape(std::size_t depth) {
  thread_local std::vector<std::unique_ptr<tape>> tapes;
  while (tapes.size() <= depth) tapes.push_back(std::make_unique<tape>());
  tapes[depth]->clear();
  return *tapes[depth];
}
inline std::size_t& taped_depth() {
  thread_local std::size_t depth = 0;
  return depth;
}

template <class A>
inline constexpr bool is_differentiated_v = !is_nondiff_v<A>;

template <class... Args, std::size_t... I>
constexpr void check_taped_arguments(std::index_sequence<I...>) {
  (check_integer_argument<I, Args>(), ...);
}

template <class A>
auto make_taped_argument(tape& t, std::size_t i, const A& a) {
  if constexpr (is_nondiff_v<A>) return a.value;
  else return taped_argument<A>::make(t, "arg" + std::to_string(i + 1), a);
}

}  // namespace detail

namespace detail {

template <bool AllowUnconnected, class Fn, class... Args>
auto taped_value_and_grad(Fn& fn, const Args&... args) {
  std::size_t& depth = detail::taped_depth();
  tape& t = detail::reusable_tape(depth);
  ++depth;
  struct leave {
    std::size_t& d;
    ~leave() { --d; }
  } guard{depth};
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto made = std::tuple{detail::make_taped_argument(t, I, args)...};
    // A static expression returned by fn is recorded without a site (the
    // line would be this header's, not the user's).
    const real y = detail::recorded<double>(std::apply(fn, made));
    std::vector<real> xs;
    std::array<std::size_t, sizeof...(Args)> offset{};
    (
        [&] {
          offset[I] = xs.size();
          if constexpr (detail::is_differentiated_v<Args>)
            taped_argument<Args>::reals(std::get<I>(made), xs);
        }(),
        ...);  // a comma fold runs left to right
    std::vector<double> g(xs.size());
    if constexpr (AllowUnconnected) t.gradient(y, xs, std::span<double>(g), allow_unconnected);
    else t.gradient(y, xs, std::span<double>(g));
    const std::span<const double> all(g);
    constexpr bool all_numbers = ((arithmetic<Args> || detail::is_nondiff_v<Args>)&&...);
    constexpr std::size_t n = (std::size_t{0} + ... + std::size_t{!detail::is_nondiff_v<Args>});
    if constexpr (all_numbers) {
      value_and_grad_result<double, std::array<double, n>> r{gradguard::value(y),
                                                             {}};  // as the static form
      for (std::size_t k = 0; k < n; ++k) r.gradient[k] = all[k];
      return r;
    } else {
      auto grads = std::tuple_cat([&] {
        if constexpr (detail::is_differentiated_v<Args>)
          return std::tuple{taped_argument<Args>::gradient(args, all.subspan(offset[I]))};
        else return std::tuple<>{};
      }()...);
      return value_and_grad_result<double, decltype(grads)>{gradguard::value(y), std::move(grads)};
    }
  }
  (std::index_sequence_for<Args...>{});
}

}  // namespace detail

// gg::value_and_grad<gg::taped>(fn, args...) -> {value, gradient}: gradient
// is a std::array<double, N> when every differentiated argument is a
// number, otherwise a std::tuple with one entry per differentiated argument
// (a double, a std::vector<double>, an Eigen vector). An argument without a
// derivative throws gg::missing_gradient; a trailing gg::allow_unconnected
// gives 0 for it instead.
template <class Engine, class Fn, class... Args>
requires std::same_as<Engine, taped> &&
    (sizeof...(Args) > 0) auto value_and_grad(Fn&& fn, const Args&... args) {
  constexpr std::size_t n = sizeof...(Args);
  if constexpr ((detail::is_integer_argument_v<Args> || ...)) {
    // Here, not deeper: each level of instantiation is two more lines of the error.
    detail::check_taped_arguments<Args...>(std::index_sequence_for<Args...>{});
    return value_and_grad_result<double, std::array<double, 0>>{};  // after the error
  } else if constexpr (detail::is_allow_tag_v<std::tuple_element_t<n - 1, std::tuple<Args...>>>) {
    static_assert(n > 1,
                  "gradguard::value_and_grad<gg::taped>(fn, args...): no argument to "
                  "differentiate before gg::allow_unconnected");
    const auto all = std::tie(args...);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return detail::taped_value_and_grad<true>(fn, std::get<I>(all)...);
    }
    (std::make_index_sequence<n - 1>{});
  } else {
    return detail::taped_value_and_grad<false>(fn, args...);
  }
}

}  // namespace gradguard
