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

// The sweeps are expression templates: each function below is a few
// instructions once its operands are known, and the optimised code is the
// hand-written chain rule only if every one of them is inlined. GCC gives up
// on the deep, many-level call trees of a 20-node expression (the whole
// evaluated tree was then built out of line and copied level by level, 3-4x
// slower than hand-written), so they are forced inline.
#if defined(__GNUC__) || defined(__clang__)
#define GRADGUARD_SWEEP_INLINE [[gnu::always_inline]] inline
#else
#define GRADGUARD_SWEEP_INLINE inline
#endif

template <class E>
GRADGUARD_SWEEP_INLINE constexpr evaluated<E> evaluate(const E& e);

// Children are built in place (no copy of the cached subtree at each level),
// then the node's value is computed from theirs.
template <class E, std::size_t... I>
GRADGUARD_SWEEP_INLINE constexpr evaluated<E> evaluate_node(const E& e, std::index_sequence<I...>) {
  evaluated<E> ev{{}, {evaluate(detail::get<I>(e.args))...}};
  ev.value = E::rule::value(std::get<I>(ev.children).value...);
  return ev;
}

template <class E>
GRADGUARD_SWEEP_INLINE constexpr evaluated<E> evaluate(const E& e) {
  if constexpr (is_node_v<E>) {
    return evaluate_node(e, std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
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
GRADGUARD_SWEEP_INLINE constexpr void reverse(const E& e, const evaluated<E>& ev,
                                              const auto& adjoint, Slots& slots);

// Pushes the adjoint into operand I when a requested variable lies below it.
template <std::size_t I, class E, class Partials, class Slots>
GRADGUARD_SWEEP_INLINE constexpr void reverse_into(const E& e, const evaluated<E>& ev,
                                                   const auto& adjoint, const Partials& partials,
                                                   Slots& slots) {
  using child = std::tuple_element_t<I, decltype(e.args)>;
  if constexpr (rules::differentiable_arg<typename E::rule>(I) &&
                slot_names<Slots>::template reached_by<child>) {
    const bool flows = std::apply(
        [](const auto&... c) { return rules::flows_into<typename E::rule>(I, c.value...); },
        ev.children);
    if (flows)
      reverse(detail::get<I>(e.args), std::get<I>(ev.children),
              adjoint * force(std::get<I>(partials)), slots);
  }
}

template <class E, class Slots, std::size_t... I>
GRADGUARD_SWEEP_INLINE constexpr void reverse_node(const E& e, const evaluated<E>& ev,
                                                   const auto& adjoint, Slots& slots,
                                                   std::index_sequence<I...>) {
  const auto partials = E::rule::partials(ev.value, std::get<I>(ev.children).value...);
  (reverse_into<I>(e, ev, adjoint, partials, slots), ...);
}

template <class E, class Slots>
GRADGUARD_SWEEP_INLINE constexpr void reverse(const E& e, const evaluated<E>& ev,
                                              const auto& adjoint, Slots& slots) {
  if constexpr (is_node_v<E>) {
    reverse_node(e, ev, adjoint, slots,
                 std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else if constexpr (is_trainable_variable_v<E>) {
    if constexpr (Slots::template has<E::name>)
      slots.values[Slots::template index_of<E::name>()] += adjoint;
  }
}

// Value and adjoints of f for the variables Names, in one forward and one
// reverse pass.
template <class T, fixed_string... Names, class F>
GRADGUARD_SWEEP_INLINE constexpr auto value_and_slots(const F& f) {
  auto ev = evaluate(f);
  gradient_slots<T, Names...> slots{};
  if constexpr (reaches_any_v<F, Names...>) reverse(f, ev, T(1), slots);
  return std::pair{ev.value, slots};
}

}  // namespace gradguard::detail

#undef GRADGUARD_SWEEP_INLINE
