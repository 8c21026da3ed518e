// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Statement-level expression templates: a static expression assigned to a
// gg::real is evaluated once and its partial derivative with respect to each
// tape leaf is computed by the static reverse sweep, from the same rules.
// The recorder pushes one (operand, partial) pair per tape leaf on a
// differentiable path; a partial known at compile time to be one (sums,
// differences) is pushed without a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/detail/config.hpp>
#include <gradguard/expr/node.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard::detail {

// Number of tape leaves in E (an upper bound on the operands of its statement).
template <class E>
inline constexpr std::size_t runtime_leaf_count_v = is_runtime_leaf<E>::value ? 1 : 0;
template <class Rule, class... Args>
inline constexpr std::size_t runtime_leaf_count_v<node<Rule, Args...>> =
    (std::size_t{0} + ... + runtime_leaf_count_v<Args>);

// Whether a tape leaf of E lies on a differentiable path to its root.
template <class E>
inline constexpr bool has_active_runtime_leaf_v = is_runtime_leaf<E>::value;
template <class Rule, class... Args>
inline constexpr bool has_active_runtime_leaf_v<node<Rule, Args...>> = [
]<std::size_t... I>(std::index_sequence<I...>) {
  return ((rules::differentiable_arg<Rule>(I) && has_active_runtime_leaf_v<Args>) || ...);
}
(std::index_sequence_for<Args...>{});

// Whether a tape leaf of E can be cut off from its root: below an operand
// that carries no derivative, or in a branch a select may not take.
template <class E>
inline constexpr bool has_cut_runtime_leaf_v = false;
template <class Rule, class... Args>
inline constexpr bool has_cut_runtime_leaf_v<node<Rule, Args...>> = [
]<std::size_t... I>(std::index_sequence<I...>) {
  constexpr bool conditional = requires(const value_type_t<Args>&... a) {
    Rule::flows_into(0, a...);
  };
  return (((!rules::differentiable_arg<Rule>(I) || conditional) &&
           runtime_leaf_count_v<Args> > 0) ||
          ...) ||
         (has_cut_runtime_leaf_v<Args> || ...);
}
(std::index_sequence_for<Args...>{});

// The tape value of an intermediate result. With double tapes every value is
// a number; on a nested tape (values are gg::real of an outer tape) an
// expression is recorded on the outer tape here, and a comparison becomes
// the bool it evaluates to.
template <class T, class V>
GRADGUARD_ALWAYS_INLINE constexpr auto to_tape_value(const V& v) {
  if constexpr (!expression<V>) return v;
  else if constexpr (is_condition_value<V>()) return static_cast<bool>(v);
  else return T(v);
}

template <class T, class E>
struct tape_evaluated {
  value_type_t<E> value;
};
template <class T, class Rule, class... Args>
struct tape_evaluated<T, node<Rule, Args...>> {
  using value_t =
      decltype(to_tape_value<T>(std::declval<typename node<Rule, Args...>::value_type>()));
  value_t value;
  std::tuple<tape_evaluated<T, Args>...> children;
};

template <class T, class E>
GRADGUARD_ALWAYS_INLINE constexpr tape_evaluated<T, E> tape_evaluate(const E& e);

template <class T, class E, std::size_t... I>
GRADGUARD_ALWAYS_INLINE constexpr tape_evaluated<T, E> tape_evaluate_node(
    const E& e, std::index_sequence<I...>) {
  tape_evaluated<T, E> ev{{}, {tape_evaluate<T>(detail::get<I>(e.args))...}};
  ev.value = to_tape_value<T>(node_value(e, std::get<I>(ev.children).value...));
  return ev;
}

template <class T, class E>
GRADGUARD_ALWAYS_INLINE constexpr tape_evaluated<T, E> tape_evaluate(const E& e) {
  if constexpr (is_node_v<E>)
    return tape_evaluate_node<T>(e,
                                 std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  else return {e.value};
}

// Where the operands of one statement are written: indices of unit-partial
// operands, and (index, partial) pairs of the others. Capacity for every tape
// leaf of the expression is reserved before the sweep starts.
template <class T>
struct statement_sink {
  std::uint32_t* units;
  std::uint32_t* general;
  T* partials;
  std::uint32_t unit_count = 0;
  std::uint32_t general_count = 0;
};

template <class T, class E, class Adjoint>
GRADGUARD_ALWAYS_INLINE constexpr void push_partials(const E& e, const tape_evaluated<T, E>& ev,
                                                     const Adjoint& adjoint,
                                                     statement_sink<T>& sink);

template <std::size_t I, class T, class E, class Partials, class Adjoint>
GRADGUARD_ALWAYS_INLINE constexpr void push_into(const E& e, const tape_evaluated<T, E>& ev,
                                                 const Adjoint& adjoint, const Partials& partials,
                                                 statement_sink<T>& sink) {
  using child = std::tuple_element_t<I, decltype(e.args)>;
  if constexpr (rules::differentiable_arg<typename E::rule>(I) &&
                has_active_runtime_leaf_v<child>) {
    const bool flows = std::apply(
        [](const auto&... c) { return rules::flows_into<typename E::rule>(I, c.value...); },
        ev.children);
    if (flows) {
      const auto chained = adjoint * force(std::get<I>(partials));
      if constexpr (structural<decltype(chained)>)
        push_partials(detail::get<I>(e.args), std::get<I>(ev.children), chained, sink);
      else
        push_partials(detail::get<I>(e.args), std::get<I>(ev.children), to_tape_value<T>(chained),
                      sink);
    }
  }
}

template <class T, class E, class Adjoint, std::size_t... I>
GRADGUARD_ALWAYS_INLINE constexpr void push_node(const E& e, const tape_evaluated<T, E>& ev,
                                                 const Adjoint& adjoint, statement_sink<T>& sink,
                                                 std::index_sequence<I...>) {
  const auto partials = node_partials(e, ev.value, std::get<I>(ev.children).value...);
  (push_into<I>(e, ev, adjoint, partials, sink), ...);
}

template <class T, class E, class Adjoint>
GRADGUARD_ALWAYS_INLINE constexpr void push_partials(const E& e, const tape_evaluated<T, E>& ev,
                                                     const Adjoint& adjoint,
                                                     statement_sink<T>& sink) {
  if constexpr (is_node_v<E>) {
    push_node(e, ev, adjoint, sink,
              std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else if constexpr (is_runtime_leaf<E>::value) {
    if (e.on_tape()) {
      if constexpr (is_one_v<Adjoint>) sink.units[sink.unit_count++] = e.index();
      else if constexpr (!is_zero_v<Adjoint>) {
        sink.general[sink.general_count] = e.index();
        sink.partials[sink.general_count++] = T(adjoint);
      }
    }
  }
}

// Calls f(leaf) for every tape leaf of e, left to right.
template <class E, class F>
GRADGUARD_ALWAYS_INLINE constexpr void for_each_runtime_leaf(const E& e, F&& f) {
  if constexpr (is_node_v<E>)
    detail::apply([&](const auto&... a) { (for_each_runtime_leaf(a, f), ...); }, e.args);
  else if constexpr (is_runtime_leaf<E>::value) f(e);
}

// Calls cut(leaf, std::type_identity<Rule>, false) for every tape leaf of e,
// with Rule the innermost operation that cuts its path: in
// select(c > 1, a, b), c is cut by '>' (the condition of select is cut too,
// but the comparison is the operation to blame, as in the static engine).
template <class Rule, class E, class Cut>
constexpr void for_each_blocked_leaf(const E& e, Cut&& cut) {
  if constexpr (is_node_v<E>) {
    using inner = typename E::rule;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            if constexpr (!rules::differentiable_arg<inner>(I))
              for_each_blocked_leaf<inner>(detail::get<I>(e.args), cut);
            else for_each_blocked_leaf<Rule>(detail::get<I>(e.args), cut);
          }(),
          ...);
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else if constexpr (is_runtime_leaf<E>::value) {
    cut(e, std::type_identity<Rule>{}, false);
  }
}

// Calls cut(leaf, std::type_identity<Rule>, untaken_select) for every tape
// leaf of e that the statement cuts off: below an operand without derivative,
// or in the branch of a select not taken. Runs only for expressions that can
// cut (has_cut_runtime_leaf_v), so ordinary statements pay nothing.
template <class T, class E, class Cut>
constexpr void for_each_cut_leaf(const E& e, const tape_evaluated<T, E>& ev, Cut&& cut) {
  if constexpr (is_node_v<E> && has_cut_runtime_leaf_v<E>) {
    using rule = typename E::rule;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            const auto& child = detail::get<I>(e.args);
            if constexpr (!rules::differentiable_arg<rule>(I)) {
              for_each_blocked_leaf<rule>(child, cut);
            } else {
              const bool flows = std::apply(
                  [](const auto&... c) { return rules::flows_into<rule>(I, c.value...); },
                  ev.children);
              if (!flows)
                for_each_runtime_leaf(
                    child, [&](const auto& leaf) { cut(leaf, std::type_identity<rule>{}, true); });
              else for_each_cut_leaf(child, std::get<I>(ev.children), cut);
            }
          }(),
          ...);
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  }
}

}  // namespace gradguard::detail
