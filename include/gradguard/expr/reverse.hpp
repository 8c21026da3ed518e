// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The static reverse sweep, one for both engines. A forward pass stores the
// value of every node of the tree once (evaluated<E, Store> mirrors the
// expression type); the reverse pass reads those values, asks each rule for
// its partials and pushes adjoints down only into operands that reach a leaf
// the target collects. Everything is resolved at compile time: the optimised
// code is the hand-written chain rule.
//
// The target is what the adjoints arrive in:
//   * gradient_slots (below): the static engine's gradient, one slot per
//     requested variable;
//   * statement_sink (tape/record.hpp): one tape statement, an (operand,
//     partial) pair per tape leaf.
// A target has
//   template <class E> static constexpr bool collects;  // a leaf it takes lies below E
//   static constexpr bool calls_vjp;       // a custom vjp gets the cotangent (else vjp(1))
//   constexpr auto carry(const auto& a);   // the adjoint passed down to an operand
//   template <class E> constexpr void leaf(const E&, const auto& adjoint);
//
// A variables-only sub-tree that occurs several times (shared.hpp) is
// evaluated once, collects the adjoints of all its occurrences, and is swept
// once, after every node above it (the static engine; the tape records each
// statement without sharing: no_sharing below). That second argument of the
// sweep, Shared, also says how a node's value is kept: its `store` (as
// computed: keep_value; as a tape value: tape_store in tape/record.hpp).
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/detail/config.hpp>
#include <gradguard/expr/activity.hpp>
#include <gradguard/expr/node.hpp>
#include <gradguard/expr/shared.hpp>

namespace gradguard::detail {

// A node's value, kept as computed.
struct keep_value {
  template <class V>
  static constexpr V&& store(V&& v) noexcept {
    return std::forward<V>(v);
  }
};

template <class E, class Store = keep_value>
struct evaluated {
  value_type_t<E> value;
};
template <class Rule, class... Args, class Store>
struct evaluated<node<Rule, Args...>, Store> {
  std::remove_cvref_t<decltype(Store::store(
      std::declval<typename node<Rule, Args...>::value_type>()))>
      value;
  operands<evaluated<Args, Store>...> children;
};

// The values and the collected adjoints of the repeated sub-trees of one
// expression (none for most expressions).
template <class T, class List, class Store = keep_value>
struct shared_state;
template <class T, class... S, class Store>
struct shared_state<T, type_list<S...>, Store> {
  using list = type_list<S...>;
  using store = Store;
  std::tuple<evaluated<S, Store>...> values{};
  T adjoints[sizeof...(S) > 0 ? sizeof...(S) : 1]{};
};
// No sub-tree is shared: every occurrence is evaluated and swept.
template <class Store>
struct no_sharing {
  using list = type_list<>;
  using store = Store;
};

template <class E, class Shared>
using evaluated_in = evaluated<E, typename Shared::store>;

template <class E, class Shared>
GRADGUARD_ALWAYS_INLINE constexpr evaluated_in<E, Shared> evaluate(const E& e,
                                                                   const Shared& shared);

// Children are built in place (operands is an aggregate: a std::tuple moved
// each evaluated subtree up one level, n^2 copies in a chain), then the
// node's value is computed from theirs.
template <class E, class Shared, std::size_t... I>
GRADGUARD_ALWAYS_INLINE constexpr evaluated_in<E, Shared> evaluate_node(const E& e,
                                                                        const Shared& shared,
                                                                        std::index_sequence<I...>) {
  evaluated_in<E, Shared> ev{{}, {evaluate(detail::get<I>(e.args), shared)...}};
  ev.value = Shared::store::store(node_value(e, detail::get<I>(ev.children).value...));
  return ev;
}

// Forced inlining stops every inline_span levels. g++ optimises each
// always_inline function with all it inlined before inlining it into its
// caller, so a chain of n forced-inline levels costs n^2 (a 200-node Horner
// chain: 200 s, 1.9 GB), and one function holding the whole chain costs n^2
// in its alias and dead-store passes. A node at a depth that is a multiple of
// inline_span is swept by a function of its own, which holds inline_span
// levels: the cost is linear, and a less deep expression compiles as before.
inline constexpr std::size_t inline_span = 16;
template <class E>
inline constexpr bool is_inline_boundary_v = depth_v<E> % inline_span == 0 && depth_v<E> > 0;

template <class E, class Shared>
GRADGUARD_NOINLINE constexpr evaluated_in<E, Shared> evaluate_boundary(const E& e,
                                                                       const Shared& shared) {
  return evaluate_node(e, shared, std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
}

template <class E, class Shared>
GRADGUARD_ALWAYS_INLINE constexpr evaluated_in<E, Shared> evaluate(const E& e,
                                                                   const Shared& shared) {
  if constexpr (is_in_v<E, typename Shared::list>) {
    return std::get<index_in_v<E, typename Shared::list>>(shared.values);  // computed once
  } else if constexpr (is_inline_boundary_v<E>) {
    return evaluate_boundary(e, shared);
  } else if constexpr (is_node_v<E>) {
    return evaluate_node(e, shared,
                         std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else {
    return {e.value};
  }
}

// Evaluates the repeated sub-trees of f, smaller ones first, so that each
// finds the values of those it contains already there.
template <std::size_t K, class F, class Shared>
GRADGUARD_ALWAYS_INLINE constexpr void evaluate_shared(const F& f, Shared& shared) {
  if constexpr (K > 0) {
    using S = type_at_t<K - 1, typename Shared::list>;
    const S& occurrence = first_occurrence<S>(f);
    std::get<K - 1>(shared.values) =
        evaluate_node(occurrence, shared,
                      std::make_index_sequence<std::tuple_size_v<decltype(occurrence.args)>>{});
    evaluate_shared<K - 1>(f, shared);
  }
}

// Whether the adjoint flows into operand I of e at the values of its operands.
template <std::size_t I, class E, class Ev>
GRADGUARD_ALWAYS_INLINE constexpr bool flows(const Ev& ev) {
  return detail::apply(
      [](const auto&... c) { return rules::flows_into<typename E::rule>(I, c.value...); },
      ev.children);
}

template <class E, class Ev, class Target, class Shared>
GRADGUARD_ALWAYS_INLINE constexpr void reverse(const E& e, const Ev& ev, const auto& adjoint,
                                               Target& target, Shared& shared);

// Pushes the adjoint into operand I when a leaf the target collects lies below it.
template <std::size_t I, class E, class Ev, class Partials, class Target, class Shared>
GRADGUARD_ALWAYS_INLINE constexpr void reverse_into(const E& e, const Ev& ev, const auto& adjoint,
                                                    const Partials& partials, Target& target,
                                                    Shared& shared) {
  using child = std::tuple_element_t<I, decltype(e.args)>;
  if constexpr (rules::differentiable_arg<typename E::rule>(I) &&
                Target::template collects<child>) {
    if (flows<I, E>(ev))
      reverse(detail::get<I>(e.args), detail::get<I>(ev.children),
              target.carry(adjoint * force(std::get<I>(partials))), target, shared);
  }
}

template <class E, class Ev, class Target, class Shared, std::size_t... I>
GRADGUARD_ALWAYS_INLINE constexpr void reverse_node(const E& e, const Ev& ev, const auto& adjoint,
                                                    Target& target, Shared& shared,
                                                    std::index_sequence<I...>) {
  if constexpr (rules::takes_cotangent<typename E::rule> && Target::calls_vjp) {
    // A custom vjp: called with the cotangent itself, it gives each operand's
    // (it may be non-linear in it: clipping). Not called with a zero
    // cotangent, as on the tape (tape/custom.hpp), so that a vjp with
    // vjp(0) != 0 gives the same gradient in both engines.
    if constexpr (!is_zero_v<decltype(adjoint)>) {
      const bool nonzero = [&] {
        if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(adjoint)>>)
          return adjoint != 0;
        else return true;
      }();
      if (nonzero) {
        const auto cotangents =
            E::rule::vjp(e.state, adjoint, ev.value, detail::get<I>(ev.children).value...);
        (reverse_into<I>(e, ev, one{}, cotangents, target, shared), ...);
      }
    }
  } else {
    const auto partials = node_partials(e, ev.value, detail::get<I>(ev.children).value...);
    (reverse_into<I>(e, ev, adjoint, partials, target, shared), ...);
  }
}

template <class E, class Ev, class Target, class Shared>
GRADGUARD_NOINLINE constexpr void reverse_boundary(const E& e, const Ev& ev, const auto& adjoint,
                                                   Target& target, Shared& shared) {
  reverse_node(e, ev, adjoint, target, shared,
               std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
}

template <class E, class Ev, class Target, class Shared>
GRADGUARD_ALWAYS_INLINE constexpr void reverse(const E& e, const Ev& ev, const auto& adjoint,
                                               Target& target, Shared& shared) {
  if constexpr (is_in_v<E, typename Shared::list>) {
    shared.adjoints[index_in_v<E, typename Shared::list>] += adjoint;  // swept later, once
  } else if constexpr (is_inline_boundary_v<E>) {
    reverse_boundary(e, ev, adjoint, target, shared);
  } else if constexpr (is_node_v<E>) {
    reverse_node(e, ev, adjoint, target, shared,
                 std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  } else {
    target.leaf(e, adjoint);
  }
}

// A node whose rule decides at run time which operands the adjoint flows into.
template <class E>
inline constexpr bool has_conditional_flow_v = false;
template <class Rule, class... Args>
inline constexpr bool has_conditional_flow_v<node<Rule, Args...>> =
    rules::conditional_flow<Rule, value_type_t<Args>...> || (has_conditional_flow_v<Args> || ...);

// Sweeps the repeated sub-trees, larger ones first: each has collected the
// adjoints of all its occurrences before it passes them on. One that only
// occurs in branches a select did not take has nothing to pass on.
template <std::size_t K, class F, class Target, class Shared>
GRADGUARD_ALWAYS_INLINE constexpr void reverse_shared(const F& f, Target& target, Shared& shared) {
  if constexpr (K < Shared::list::size) {
    using S = type_at_t<K, typename Shared::list>;
    if constexpr (Target::template collects<S>) {
      // Only a rule that can stop the flow (select) leaves an adjoint
      // untouched; test for it only then.
      if (!has_conditional_flow_v<F> || shared.adjoints[K] != 0)
        reverse_node(first_occurrence<S>(f), std::get<K>(shared.values), shared.adjoints[K], target,
                     shared, std::make_index_sequence<std::tuple_size_v<decltype(S::args)>>{});
    }
    reverse_shared<K + 1>(f, target, shared);
  }
}

// The static engine's target: adjoint accumulators for the requested
// variables, in the order asked.
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

  template <class E>
  static constexpr bool collects = reaches_any_v<E, Names...>;
  static constexpr bool calls_vjp = true;
  static constexpr auto carry(const auto& adjoint) { return adjoint; }
  template <class E>
  constexpr void leaf(const E&, const auto& adjoint) {
    if constexpr (is_trainable_variable_v<E>) {
      if constexpr (has<E::name>) values[index_of<E::name>()] += adjoint;
    }
  }
};

// Value and adjoints of f for the variables Names, in one forward and one
// reverse pass.
template <class T, fixed_string... Names, class F>
GRADGUARD_ALWAYS_INLINE constexpr auto value_and_slots(const F& f) {
  shared_state<T, shared_nodes_t<F>> shared{};
  evaluate_shared<shared_nodes_t<F>::size>(f, shared);
  auto ev = evaluate(f, shared);
  gradient_slots<T, Names...> slots{};
  if constexpr (reaches_any_v<F, Names...>) {
    reverse(f, ev, T(1), slots, shared);
    reverse_shared<0>(f, slots, shared);
  }
  return std::pair{ev.value, slots};
}

}  // namespace gradguard::detail
