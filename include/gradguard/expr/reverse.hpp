// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The static reverse sweep. A forward pass stores the value of every node of
// the tree once (evaluated<E> mirrors the expression type); the reverse pass
// reads those values, asks each rule for its partials and pushes adjoints
// down only into operands that reach a requested variable. Everything is
// resolved at compile time: the optimised code is the hand-written chain rule.
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/expr/activity.hpp>
#include <gradguard/expr/node.hpp>

namespace gradguard::detail {

template <class E>
struct evaluated {
  value_type_t<E> value;
};
template <class Rule, class... Args>
struct evaluated<node<Rule, Args...>> {
  typename node<Rule, Args...>::value_type value;
  std::tuple<evaluated<Args>...> children;
};

template <class E>
constexpr evaluated<E> evaluate(const E& e) {
  if constexpr (is_node_v<E>) {
    auto children = std::apply(
        [](const auto&... a) { return std::tuple{evaluate(a)...}; }, e.args);
    auto v = std::apply([](const auto&... c) { return E::rule::value(c.value...); }, children);
    return {v, children};
  } else {
    return {e.value};
  }
}

// Adjoint accumulators for the requested variables, in the order asked.
template <class T, fixed_string... Names>
struct gradient_slots {
  static constexpr std::size_t size = sizeof...(Names);
  T values[size > 0 ? size : 1]{};

  template <fixed_string Name>
  static constexpr std::size_t index_of() {
    constexpr std::string_view names[] = {Names.view()..., {}};
    std::size_t i = 0;
    while (i < size && names[i] != Name.view()) ++i;
    return i;
  }
  template <fixed_string Name>
  static constexpr bool has = index_of<Name>() < size;
};

template <class Slots>
struct slot_names;
template <class T, fixed_string... Names>
struct slot_names<gradient_slots<T, Names...>> {
  template <class E>
  static constexpr bool reached_by = reaches_any_v<E, Names...>;
};

template <class E, class Slots>
constexpr void reverse(const E& e, const evaluated<E>& ev, const auto& adjoint, Slots& slots) {
  if constexpr (is_node_v<E>) {
    using rule = typename E::rule;
    auto partials = std::apply(
        [&](const auto&... c) { return rule::partials(ev.value, c.value...); }, ev.children);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            using child = std::tuple_element_t<I, decltype(e.args)>;
            if constexpr (rules::differentiable_arg<rule>(I) &&
                          slot_names<Slots>::template reached_by<child>) {
              reverse(std::get<I>(e.args), std::get<I>(ev.children),
                      adjoint * force(std::get<I>(partials)), slots);
            }
          }(),
          ...);
    }(std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else if constexpr (is_trainable_variable_v<E>) {
    if constexpr (Slots::template has<E::name>)
      slots.values[Slots::template index_of<E::name>()] += adjoint;
  }
}

// Value and adjoints of f for the variables Names, in one forward and one
// reverse pass.
template <class T, fixed_string... Names, class F>
constexpr auto value_and_slots(const F& f) {
  auto ev = evaluate(f);
  gradient_slots<T, Names...> slots{};
  if constexpr (reaches_any_v<F, Names...>) reverse(f, ev, T(1), slots);
  return std::pair{ev.value, slots};
}

}  // namespace gradguard::detail
