// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Statement-level expression templates: a static expression assigned to a
// gg::real is evaluated once and its partial derivative with respect to each
// tape leaf is computed by the static reverse sweep (expr/reverse.hpp), from
// the same rules, into a statement_sink: one (operand, partial) pair per tape
// leaf on a differentiable path; a partial known at compile time to be one
// (sums, differences) is pushed without a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/detail/config.hpp>
#include <gradguard/expr/node.hpp>
#include <gradguard/expr/reverse.hpp>
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
  constexpr bool conditional = rules::conditional_flow<Rule, value_type_t<Args>...>;
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

// How the sweep keeps a node's value on a tape of T: as a tape value.
template <class T>
struct tape_store {
  template <class V>
  static constexpr auto store(const V& v) {
    return to_tape_value<T>(v);
  }
};
template <class T>
using tape_sharing = no_sharing<tape_store<T>>;

// The forward pass of a statement: every node's value, as the tape keeps it.
template <class T, class E>
GRADGUARD_ALWAYS_INLINE constexpr auto tape_evaluate(const E& e) {
  return evaluate(e, tape_sharing<T>{});
}

// The target of the static sweep (expr/reverse.hpp) for one tape statement:
// the indices of unit-partial operands, and (index, partial) pairs of the
// others. Capacity for every tape leaf of the expression is reserved before
// the sweep starts. A partial known at compile time to be one is pushed
// without a value; a custom vjp gives its partials, vjp(1) (linear ones only
// are fused into a statement).
template <class T>
struct statement_sink {
  std::uint32_t* units;
  std::uint32_t* general;
  T* partials;
  std::uint32_t unit_count = 0;
  std::uint32_t general_count = 0;

  template <class E>
  static constexpr bool collects = has_active_runtime_leaf_v<E>;
  static constexpr bool calls_vjp = false;
  // On a nested tape the product of two partials is recorded on the outer tape here.
  static constexpr auto carry(const auto& adjoint) {
    if constexpr (structural<std::remove_cvref_t<decltype(adjoint)>>) return adjoint;
    else return to_tape_value<T>(adjoint);
  }
  template <class E, class Adjoint>
  GRADGUARD_ALWAYS_INLINE constexpr void leaf(const E& e, const Adjoint& adjoint) {
    if constexpr (is_runtime_leaf<E>::value) {
      if (e.on_tape()) {
        if constexpr (is_one_v<Adjoint>) units[unit_count++] = e.index();
        else if constexpr (!is_zero_v<Adjoint>) {
          general[general_count] = e.index();
          partials[general_count++] = T(adjoint);
        }
      }
    }
  }
};

// The operands of the statement e, written into sink.
template <class T, class E, class Ev>
GRADGUARD_ALWAYS_INLINE constexpr void push_partials(const E& e, const Ev& ev,
                                                     statement_sink<T>& sink) {
  tape_sharing<T> none;
  if constexpr (has_active_runtime_leaf_v<E>) reverse(e, ev, one{}, sink, none);
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
template <class E, class Ev, class Cut>
constexpr void for_each_cut_leaf(const E& e, const Ev& ev, Cut&& cut) {
  if constexpr (is_node_v<E> && has_cut_runtime_leaf_v<E>) {
    using rule = typename E::rule;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            const auto& child = detail::get<I>(e.args);
            if constexpr (!rules::differentiable_arg<rule>(I)) {
              for_each_blocked_leaf<rule>(child, cut);
            } else {
              if (!flows<I, E>(ev))
                for_each_runtime_leaf(
                    child, [&](const auto& leaf) { cut(leaf, std::type_identity<rule>{}, true); });
              else for_each_cut_leaf(child, detail::get<I>(ev.children), cut);
            }
          }(),
          ...);
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  }
}

}  // namespace gradguard::detail
