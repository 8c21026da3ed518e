// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The functional form: gg::value_and_grad(fn, 1.0, 2.0) calls a generic
// callable with fresh variables and differentiates its result.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/expr/gradient.hpp>

namespace gradguard {

// An argument passed through without being differentiated.
template <class T>
struct nondiff_arg {
  T value;
};
// gg::nondiff(v): an argument of gg::value_and_grad or gg::check_gradient passed through, not
// differentiated.
template <class T>
constexpr nondiff_arg<T> nondiff(T v) {
  return {v};
}

// The engines of gg::value_and_grad<Engine>(fn, args...) and
// gg::check_gradient<Engines...>(fn, args...), one generic fn for all three:
//   gg::static_expression  the default: fn is called once with gg::var
//                          arguments and differentiated at compile time;
//   gg::taped              fn runs on gg::real (loops, branches; tape/functional.hpp);
//   gg::forward            fn runs once on gg::dual (forward/functional.hpp).
struct static_expression {};
struct taped {};
struct forward {};

// The result of gg::value_and_grad on every engine (gg::taped, gg::forward
// and the static default): the value, and the gradient: a std::array of the
// N partials when every argument is a number, otherwise a std::tuple with one
// gradient per differentiated argument (a number, a std::vector, an Eigen
// vector).
template <class Value, class Gradient>
struct value_and_grad_result {
  Value value;
  Gradient gradient;
};

namespace detail {

template <class Engine>
inline constexpr bool is_engine_v =
    std::is_same_v<Engine, static_expression> || std::is_same_v<Engine, taped> ||
    std::is_same_v<Engine, forward>;

template <class T>
inline constexpr bool is_nondiff_v = false;
template <class T>
inline constexpr bool is_nondiff_v<nondiff_arg<T>> = true;

// An integer or bool argument that is not wrapped in gg::nondiff.
template <class A>
inline constexpr bool is_integer_argument_v = !is_nondiff_v<A> && is_integer_valued_v<A>;

// The error of gg::value_and_grad<gg::taped> and <gg::forward> for an integer
// or bool argument I (from 0): the static engine's error and message
// (missing_argument_gradient), written out here rather than called, so that
// the diagnostic is not one instantiation level longer.
template <std::size_t I, class A>
constexpr void check_integer_argument() {
  if constexpr (is_integer_argument_v<A>) {
    [[maybe_unused]] cannot_differentiate_with_respect_to_argument<I + 1,
                                                                   reason::integer_or_boolean>
        error;
    static_assert(always_false<A>,
                  "gradguard::value_and_grad(fn, args...): the argument at this position (counted "
                  "from 1) is an integer or bool, which has no derivative; fix: pass a floating "
                  "value (3.0 instead of 3), or pass it as gg::nondiff(arg)");
  }
}

// The name of the variable made for argument I (counted from 1): "arg1", ...
template <std::size_t I>
constexpr auto argument_name() {
  constexpr std::size_t digits = I < 10 ? 1 : I < 100 ? 2 : 3;
  char s[4 + digits] = {'a', 'r', 'g'};
  std::size_t v = I;
  for (std::size_t k = 0; k < digits; ++k, v /= 10) s[3 + digits - 1 - k] = char('0' + v % 10);
  s[3 + digits] = '\0';
  return fixed_string<4 + digits>(s);
}

template <std::size_t I, class A>
constexpr auto make_argument(const A& a) {
  if constexpr (is_nondiff_v<A>) return a.value;
  else return var<argument_name<I + 1>()>(a);
}

template <class F, std::size_t I, class A>
constexpr void check_functional_argument() {
  if constexpr (!is_nondiff_v<A>) {
    using V = decltype(make_argument<I>(std::declval<A>()));
    using status = argument_status_t<F, V>;
    if constexpr (!std::is_same_v<status, active_path>) missing_argument_gradient<I + 1, status>();
  }
}

}  // namespace detail

// gg::value_and_grad(fn, args...) -> {value, std::array<T, N>} where N counts
// the differentiated arguments (all but those passed as gg::nondiff(a)).
// An argument that does not reach the result is a compile error naming its
// position.
template <class Fn, class... Args>
requires(sizeof...(Args) > 0) constexpr auto value_and_grad(Fn&& fn, const Args&... args) {
  constexpr std::size_t n = (std::size_t{0} + ... + std::size_t{!detail::is_nondiff_v<Args>});
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto f = fn(detail::make_argument<I>(args)...);
    using F = decltype(f);
    if constexpr (!expression<F>) {
      // One error, then a well-typed result: nothing below is instantiated.
      static_assert(expression<F>,
                    "gradguard::value_and_grad(fn, args...): fn must return a gradguard "
                    "expression built from its arguments, but it returned a plain value, which "
                    "has no derivative (gg::value(...) or a conversion to a number on the way?); "
                    "fix: compute the result from the arguments themselves");
      return value_and_grad_result<double, std::array<double, n>>{};
    } else {
      (detail::check_functional_argument<F, I, Args>(), ...);
      detail::check_names(f);
      using T = detail::derivative_type_t<F>;
      auto slots_and_value = [&]<std::size_t... J>(std::index_sequence<J...>) {
        return detail::value_and_slots<T, detail::argument_name<J + 1>()...>(f);
      }
      (std::make_index_sequence<sizeof...(Args)>{});
      value_and_grad_result<T, std::array<T, n>> r{static_cast<T>(slots_and_value.first), {}};
      std::size_t k = 0;
      ((detail::is_nondiff_v<Args> ? void()
                                   : void(r.gradient[k++] = slots_and_value.second.values[I])),
       ...);
      return r;
    }
  }
  (std::index_sequence_for<Args...>{});
}

// gg::value_and_grad<gg::static_expression>(fn, args...): the default, named.
template <class Engine, class Fn, class... Args>
requires std::same_as<Engine, static_expression> &&
    (sizeof...(Args) > 0) constexpr auto value_and_grad(Fn&& fn, const Args&... args) {
  return value_and_grad(std::forward<Fn>(fn), args...);
}

// gg::value_and_grad<X>(fn, args...) for an X that is no engine.
template <class Engine, class Fn, class... Args>
requires(!detail::is_engine_v<Engine>) constexpr auto value_and_grad(Fn&&, const Args&...) {
  static_assert(detail::always_false<Engine>,
                "gradguard::value_and_grad<Engine>(fn, args...): Engine is one of "
                "gg::static_expression (the default), gg::taped (<gradguard/tape.hpp>) and "
                "gg::forward (<gradguard/forward.hpp>)");
  return value_and_grad_result<double, std::array<double, 0>>{};
}

}  // namespace gradguard
