// IWYU pragma: private, include <gradguard/gradguard.hpp>
// gg::custom_gradient(primal, vjp): an operation with a user-written
// derivative, usable in static expressions and on the tape.
//
//   constexpr auto softclip = gg::custom_gradient(
//       [](auto x) { using std::abs; return x / (1 + abs(x)); },          // primal
//       [](auto g, auto x) { using std::abs; return g / ((1 + abs(x)) * (1 + abs(x))); });
//   auto f = softclip(x) * y;            // a node; gg::real r = softclip(w); records it
//
// The vjp takes the cotangent g and the inputs and returns one cotangent per
// input (a number for one input, a std::tuple or std::array for several).
// Both must be captureless: the operation becomes a rule type, shared by
// every engine like the built-in ones.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/expr/node.hpp>
#include <gradguard/rules/rule.hpp>

namespace gradguard {

namespace detail {
template <class R>
constexpr auto as_partials_tuple(const R& r) {
  if constexpr (requires { std::tuple_size<R>::value; })
    return std::apply([](const auto&... p) { return std::tuple{p...}; }, r);
  else return std::tuple{r};
}
template <class R>
constexpr std::size_t result_count() {
  if constexpr (requires { std::tuple_size<R>::value; }) return std::tuple_size_v<R>;
  else return 1;
}
}  // namespace detail

namespace rules {
template <class Primal, class Vjp>
struct custom_rule {
  static constexpr std::string_view name = "custom_gradient";
  static constexpr auto value(const auto&... x) { return Primal{}(x...); }
  // The partials are the vjp of a unit cotangent (the vjp is linear in g).
  static constexpr auto partials(const auto&, const auto&... x) {
    return detail::as_partials_tuple(Vjp{}(one{}, x...));
  }
};
// Stands in for a custom rule whose vjp is invalid, after the error was
// reported: well-typed, so that nothing downstream adds errors of its own.
template <class Primal>
struct invalid_custom_rule {
  static constexpr std::string_view name = "custom_gradient";
  static constexpr auto value(const auto&... x) { return Primal{}(x...); }
  static constexpr auto partials(const auto& r, const auto&... x) {
    return std::tuple{(static_cast<void>(x), r * 0)...};
  }
};
}  // namespace rules

template <class Primal, class Vjp>
struct custom_function {
  template <class... Args>
  requires(sizeof...(Args) >= 1 && sizeof...(Args) <= 3 && (operand<Args> && ...)) constexpr auto
  operator()(const Args&... args) const {
    constexpr bool arity_ok =
        std::is_invocable_v<Vjp, one, value_type_t<decltype(as_expression(args))>...>;
    constexpr bool count_ok = [] {
      if constexpr (arity_ok)
        return detail::result_count<std::invoke_result_t<
                   Vjp, one, value_type_t<decltype(as_expression(args))>...>>() == sizeof...(Args);
      else return false;
    }();
    if constexpr (!arity_ok) {
      static_assert(arity_ok,
                    "gradguard::custom_gradient(primal, vjp): the vjp is called as vjp(g, x1, ..., "
                    "xN), with the cotangent g first and then every input of the primal; its "
                    "number of parameters does not match the call");
      return make_node<rules::invalid_custom_rule<Primal>>(args...);  // one error, no cascade
    } else if constexpr (!count_ok) {
      static_assert(count_ok,
                    "gradguard::custom_gradient(primal, vjp): the vjp must return one cotangent "
                    "per input (a number for one input, a std::tuple or std::array for several)");
      return make_node<rules::invalid_custom_rule<Primal>>(args...);
    } else if constexpr ((expression<Args> || ...)) {
      return make_node<rules::custom_rule<Primal, Vjp>>(args...);
    } else {
      return Primal{}(args...);
    }
  }
};

// A callable with a user-written derivative: see the top of this file.
template <class Primal, class Vjp>
constexpr custom_function<Primal, Vjp> custom_gradient(Primal, Vjp) {
  static_assert(std::is_empty_v<Primal> && std::is_default_constructible_v<Primal> &&
                    std::is_empty_v<Vjp> && std::is_default_constructible_v<Vjp>,
                "gradguard::custom_gradient(primal, vjp): primal and vjp must be captureless "
                "lambdas or empty function objects (the operation becomes a rule type); pass "
                "data as arguments instead of capturing it");
  return {};
}

}  // namespace gradguard
