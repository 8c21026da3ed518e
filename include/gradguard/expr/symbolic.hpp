// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Symbolic derivatives: gg::d(f, x) is itself an expression, built from the
// same rules with expression-typed operands, so gg::d(gg::d(f, x), y) is a
// second derivative. Structural zeros prune every path that does not reach x.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/expr/activity.hpp>
#include <gradguard/expr/gradient.hpp>
#include <gradguard/expr/node.hpp>
#include <gradguard/expr/operators.hpp>

namespace gradguard {
namespace detail {

template <class E>
inline constexpr bool is_select_node_v = false;
template <class... Args>
inline constexpr bool is_select_node_v<node<rules::select_rule, Args...>> = true;

// d e / d Name: gg::zero, gg::one, a number or an expression.
template <fixed_string Name, class E>
constexpr auto symbolic_derivative(const E& e) {
  if constexpr (!is_active_v<E, Name>) {
    return zero{};
  } else if constexpr (is_select_node_v<E>) {
    // select(c, da, db): the branch not taken is never multiplied by 0 (0 * inf)
    auto branch = [](const auto& d) {
      if constexpr (structural<decltype(d)>) return static_cast<int>(d);
      else return d;
    };
    return select(detail::get<0>(e.args), branch(symbolic_derivative<Name>(detail::get<1>(e.args))),
                  branch(symbolic_derivative<Name>(detail::get<2>(e.args))));
  } else if constexpr (is_node_v<E>) {
    using rule = typename E::rule;
    auto partials =
        detail::apply([&](const auto&... a) { return node_partials(e, e, a...); }, e.args);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (zero{} + ... + [&] {
        using child = std::tuple_element_t<I, decltype(e.args)>;
        if constexpr (rules::differentiable_arg<rule>(I) && is_active_v<child, Name>)
          return force(std::get<I>(partials)) * symbolic_derivative<Name>(detail::get<I>(e.args));
        else return zero{};
      }());
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else {
    return one{};  // the variable itself
  }
}

template <class T, class R>
constexpr auto as_derivative_expression(const R& r) {
  if constexpr (is_zero_v<R> || expression<R>) return r;
  else if constexpr (is_one_v<R>) return literal<T>{T(1)};
  else return literal<T>{static_cast<T>(r)};
}

}  // namespace detail

// gg::d(f, x): the derivative of f with respect to x, as an expression.
// A missing derivative is the same compile error as gg::derivative.
template <expression F, class V>
constexpr auto d(const F& f, const V& v) {
  detail::check_arguments<F, V>();
  detail::check_names(f);
  detail::check_requested_values(f, v);
  using T = detail::derivative_type_t<F>;
  if constexpr (detail::argument_is_active_v<F, V>)
    return detail::as_derivative_expression<T>(detail::symbolic_derivative<V::name>(f));
  else return literal<T>{0};  // after a diagnosis: keeps the caller compiling quietly
}
template <expression F, class V>
constexpr auto d(const F& f, const V& v, allow_unconnected_t) {
  detail::check_arguments<F, V, allow_unconnected_t>();
  detail::check_names(f);
  detail::check_requested_values(f, v);
  using T = detail::derivative_type_t<F>;
  if constexpr (detail::argument_is_active_v<F, V>)
    return detail::as_derivative_expression<T>(detail::symbolic_derivative<V::name>(f));
  else return zero{};
}

}  // namespace gradguard
