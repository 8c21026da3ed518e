// IWYU pragma: private, include <gradguard/gradguard.hpp>
// One generic node: a rule tag and its operands, held by value.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/expr/leaf.hpp>
#include <gradguard/rules/rule.hpp>

namespace gradguard {

template <class Rule, class... Args>
struct node {
  using rule = Rule;
  using value_type = decltype(Rule::value(std::declval<value_type_t<Args>>()...));
  std::tuple<Args...> args;

  // `if (x < y)` on a static expression: its value is known, but a branch on
  // it would be invisible to the derivative. Say so instead of converting.
  explicit constexpr operator bool() const {
    static_assert(detail::always_false<Rule>,
                  "gradguard: a static expression cannot steer run-time control flow "
                  "(if/while on it); use gg::select(cond, a, b), or gg::real on a "
                  "gg::tape for loops and branches");
    return false;
  }
};

template <class Rule, class... Args>
struct is_expression<node<Rule, Args...>> : std::true_type {};

template <class E>
inline constexpr bool is_node_v = false;
template <class Rule, class... Args>
inline constexpr bool is_node_v<node<Rule, Args...>> = true;

// An operand of an operator: an expression, or a plain number (a constant).
template <class T>
concept operand = expression<T> || arithmetic<T>;

template <class T>
constexpr auto as_expression(const T& v) {
  if constexpr (expression<T>) return v;
  else return literal<T>{v};
}

template <class Rule, class... Args>
constexpr auto make_node(const Args&... args) {
  return node<Rule, std::remove_cvref_t<decltype(as_expression(args))>...>{{as_expression(args)...}};
}

// The value of an expression (or of a plain number, zero and one).
template <class E>
constexpr auto value(const E& e) {
  if constexpr (is_node_v<E>) {
    return std::apply([](const auto&... a) { return E::rule::value(gradguard::value(a)...); }, e.args);
  } else if constexpr (expression<E>) {
    return e.value;
  } else if constexpr (structural<E>) {
    return static_cast<int>(e);
  } else {
    return e;
  }
}

}  // namespace gradguard
