// IWYU pragma: private, include <gradguard/gradguard.hpp>
// One generic node: a rule tag and its operands, held by value.
#pragma once

#include <algorithm>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/detail/config.hpp>
#include <gradguard/expr/leaf.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {

namespace detail {
// A node's operands as a plain aggregate. With std::tuple (a chain of base
// classes) g++ 12 could not scalarise the copies made while an expression is
// built and copied each subtree as blocks through the stack, with
// store-forwarding stalls: building a 17-node expression cost 62 ns, twice the
// plain double function; as members it costs 2 ns (clang++ handles both).
// get<I> and apply mirror std::get and std::apply.
template <class... Ts>
struct operands;
template <class A>
struct operands<A> {
  A a0;
};
template <class A, class B>
struct operands<A, B> {
  A a0;
  B a1;
};
template <class A, class B, class C>
struct operands<A, B, C> {
  A a0;
  B a1;
  C a2;
};

template <std::size_t I, class... Ts>
constexpr const auto& get(const operands<Ts...>& o) {
  if constexpr (I == 0) return o.a0;
  else if constexpr (I == 1) return o.a1;
  else return o.a2;
}
template <class F, class... Ts>
constexpr decltype(auto) apply(F&& f, const operands<Ts...>& o) {
  return [&]<std::size_t... I>(std::index_sequence<I...>)->decltype(auto) {
    return static_cast<F&&>(f)(get<I>(o)...);
  }
  (std::index_sequence_for<Ts...>{});
}
}  // namespace detail

template <class E>
constexpr auto value(const E& e);

template <class Rule, class... Args>
struct node;

// Whether an expression contains a run-time (tape) leaf.
template <class E>
inline constexpr bool contains_runtime_leaf_v = is_runtime_leaf<std::remove_cvref_t<E>>::value;
template <class Rule, class... Args>
inline constexpr bool contains_runtime_leaf_v<node<Rule, Args...>> =
    (contains_runtime_leaf_v<Args> || ...);

namespace detail {
// A comparison whose value is a bool, possibly through nested tape values.
template <class V>
constexpr bool is_condition_value() {
  if constexpr (std::is_same_v<V, bool>) return true;
  else if constexpr (requires { typename V::rule; })
    return is_condition_value<typename V::value_type>();
  else return false;
}
}  // namespace detail

// An operation of a static expression: the rule (its value and partials, rules/) and the operands,
// held by value. Its type records which variables reach it.
template <class Rule, class... Args>
struct node {
  using rule = Rule;
  using value_type = decltype(Rule::value(std::declval<value_type_t<Args>>()...));
  detail::operands<Args...> args;

  // `if (r > 0)` on a gg::real: the tape records the branch that is taken.
  constexpr operator bool() const  // NOLINT(google-explicit-constructor)
      requires(contains_runtime_leaf_v<node>&& detail::is_condition_value<value_type>()) {
    return static_cast<bool>(gradguard::value(*this));
  }

  // `double h = w * x;` on gg::real: the number would have no gradient.
  template <arithmetic A>
  requires(contains_runtime_leaf_v<node> && !detail::is_condition_value<value_type>()) operator A()
      const {  // NOLINT(google-explicit-constructor)
    static_assert(detail::always_false<A>,
                  "gradguard: an expression of gg::real does not convert to a number, which "
                  "would cut its gradient; assign it to a gg::real (gg::real h = w * x;), or read "
                  "the value on purpose with gg::value(e)");
    return A();
  }

  // `if (x < y)` on a static expression: its value is known, but a branch on
  // it would be invisible to the derivative. Say so instead of converting.
  explicit constexpr operator bool() const requires(!contains_runtime_leaf_v<node>) {
    static_assert(detail::always_false<Rule>,
                  "gradguard: a static expression cannot steer run-time control flow "
                  "(if/while on it); use gg::select(cond, a, b), or gg::real on a "
                  "gg::tape for loops and branches");
    return false;
  }
};

namespace detail {
// A rule whose functions need an object: gg::custom_gradient's callables,
// which may capture (a threshold, a counter). Its node keeps the object as
// `state` and the rule's functions take it first.
template <class Rule>
concept stateful_rule = requires {
  typename Rule::state_type;
};
}  // namespace detail

template <class Rule, class... Args>
requires detail::stateful_rule<Rule>
struct node<Rule, Args...> {
  using rule = Rule;
  using value_type = decltype(Rule::value(std::declval<const typename Rule::state_type&>(),
                                          std::declval<value_type_t<Args>>()...));
  detail::operands<Args...> args;
  [[no_unique_address]] typename Rule::state_type state;

  template <arithmetic A>
  requires(contains_runtime_leaf_v<node>) operator A()
      const {  // NOLINT(google-explicit-constructor)
    static_assert(detail::always_false<A>,
                  "gradguard: an expression of gg::real does not convert to a number, which "
                  "would cut its gradient; assign it to a gg::real (gg::real h = w * x;), or read "
                  "the value on purpose with gg::value(e)");
    return A();
  }
  explicit constexpr operator bool() const requires(!contains_runtime_leaf_v<node>) {
    static_assert(detail::always_false<Rule>,
                  "gradguard: a static expression cannot steer run-time control flow "
                  "(if/while on it); use gg::select(cond, a, b), or gg::real on a "
                  "gg::tape for loops and branches");
    return false;
  }
};

namespace detail {
// A node's value and partials from its operands' values, through its rule
// (and the rule's object, for a stateful rule).
template <class E, class... V>
GRADGUARD_ALWAYS_INLINE constexpr auto node_value(const E& e, const V&... v) {
  if constexpr (stateful_rule<typename E::rule>) return E::rule::value(e.state, v...);
  else return E::rule::value(v...);
}
template <class E, class R, class... V>
GRADGUARD_ALWAYS_INLINE constexpr auto node_partials(const E& e, const R& r, const V&... v) {
  if constexpr (stateful_rule<typename E::rule>) return E::rule::partials(e.state, r, v...);
  else return E::rule::partials(r, v...);
}
}  // namespace detail

template <class Rule, class... Args>
struct is_expression<node<Rule, Args...>> : std::true_type {};

// Whether E is an operation (not a leaf).
template <class E>
inline constexpr bool is_node_v = false;
template <class Rule, class... Args>
inline constexpr bool is_node_v<node<Rule, Args...>> = true;

// An operand of an operator: an expression, or a plain number (a constant).
template <class T>
concept operand = expression<T> || arithmetic<T>;

// An operand as an expression: a number becomes a literal.
template <class T>
constexpr auto as_expression(const T& v) {
  if constexpr (expression<T>) return v;
  else return literal<T>{v};
}

// How deep a static expression may nest. Every pass over the tree (the
// sweeps, gg::d, the activity analysis) recurses once per level, and the
// compilers stop at 900 (g++) or 1024 (clang++) nested instantiations, a few
// per level; clang++ 16 runs out of its own stack before that (it crashed on
// sin nested 200 deep under gg::value_and_gradient, and compiles 180), so its
// bound is lower. Past this depth the tape, which has no such limit, is the
// tool.
#if defined(__clang__)
inline constexpr std::size_t max_static_depth = 128;
#else
inline constexpr std::size_t max_static_depth = 256;
#endif

// Never defined: naming it is the error.
template <std::size_t MaxDepth>
struct static_expression_is_deeper_than;

// The depth of an expression: 0 for a leaf, 1 + the deepest operand for a
// node. make_node reads it for each node it builds, so each type's depth is
// computed once, from its operands' (no recursion down the tree).
template <class E>
inline constexpr std::size_t depth_v = 0;
template <class Rule, class... Args>
inline constexpr std::size_t depth_v<node<Rule, Args...>> = 1 + std::max({depth_v<Args>...});

// Stands for an expression that went past max_static_depth, after the error
// was reported: a leaf, so that nothing downstream recurses into it or adds
// errors of its own; every operation on it gives it again. (In namespace
// gradguard, where argument-dependent lookup finds the operators.)
template <class T>
struct too_deep_expression {
  using value_type = T;
  T value;
};
template <class T>
struct is_expression<too_deep_expression<T>> : std::true_type {};

namespace detail {
template <class E>
inline constexpr bool is_too_deep_v = false;
template <class T>
inline constexpr bool is_too_deep_v<too_deep_expression<T>> = true;
}  // namespace detail

namespace detail {
template <class Rule, std::size_t Bound = max_static_depth>  // dependent: named when instantiated
constexpr void too_deep() {
  [[maybe_unused]] static_expression_is_deeper_than<Bound> error;
  static_assert(detail::always_false<Rule>,
                "gradguard: this operation nests the static expression deeper than "
                "gg::max_static_depth levels, past which it would take the compiler minutes, "
                "gigabytes and its template depth limit; fix: use the tape (gg::real on a "
                "gg::tape) for deeper expressions, or store intermediate results in gg::real");
}
}  // namespace detail

// The node of Rule over args (numbers become literals); for new operations (CONTRIBUTING.md, adding
// a primitive).
template <class Rule, class... Args>
constexpr auto make_node(const Args&... args) {
  using result = node<Rule, std::remove_cvref_t<decltype(as_expression(args))>...>;
  if constexpr ((detail::is_too_deep_v<Args> || ...)) {
    return too_deep_expression<typename result::value_type>{};
  } else if constexpr (depth_v<result> > max_static_depth) {
    detail::too_deep<Rule>();
    return too_deep_expression<typename result::value_type>{};
  } else {
    return result{{as_expression(args)...}};
  }
}
// A node of a stateful rule, keeping its object.
template <class Rule, class... Args>
constexpr auto make_node_with(const typename Rule::state_type& state, const Args&... args) {
  return node<Rule, std::remove_cvref_t<decltype(as_expression(args))>...>{{as_expression(args)...},
                                                                           state};
}

namespace detail {
// Refuses one name for two variables in e (names.hpp, included below).
template <class E>
struct repeated_leaves;  // the leaf types of E that occur more than once
template <class E, class Repeated = typename repeated_leaves<E>::type>
constexpr void check_names(const E& e);

template <class E>
constexpr auto value_of(const E& e) {
  if constexpr (is_node_v<E>) {
    return detail::apply(
        [&](const auto&... a) { return detail::node_value(e, detail::value_of(a)...); }, e.args);
  } else if constexpr (expression<E>) {
    return e.value;
  } else if constexpr (structural<E>) {
    return static_cast<int>(e);
  } else {
    return e;
  }
}
}  // namespace detail

// The value of an expression (or of a plain number, zero and one).
template <class E>
constexpr auto value(const E& e) {  // declared above
  if constexpr (is_node_v<E>) detail::check_names(e);
  return detail::value_of(e);
}

}  // namespace gradguard

template <class... Ts>
struct std::tuple_size<gradguard::detail::operands<Ts...>>
    : std::integral_constant<std::size_t, sizeof...(Ts)> {};
template <std::size_t I, class... Ts>
struct std::tuple_element<I, gradguard::detail::operands<Ts...>> {
  using type = std::tuple_element_t<I, std::tuple<Ts...>>;
};

#include <gradguard/expr/names.hpp>  // IWYU pragma: export
