// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Applying a rule of the rule table to duals (apply_rule): the value now,
// from the operands' values; the partials once per operation; the tangent as
// a flat expression of (partial product, stored tangent) terms, with the
// terms that are structurally zero left out at compile time. Every operator
// and function of forward/operators.hpp is one call of apply_rule.
#pragma once

#include <algorithm>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/forward/dual.hpp>
#include <gradguard/forward/tangent.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {
namespace detail {

// What a rule sees of an operand: its value, and a nested dual value as a
// gg::dual_view (rules take their operands by value; a view of the operand's
// own value keeps their expressions from referring to those copies).
template <class V>
constexpr decltype(auto) as_rule_operand(const V& v) {
  if constexpr (is_dual_v<V>) return dual_view<typename V::value_type, V::width>(v);
  else return (v);
}
// The highest nesting among the operands of one operation: the duals at that
// level carry the tangents; lower ones (numbers, and duals of the value type
// in an operation on nested duals) are constants.
template <class... As>
inline constexpr int top_level = std::max({nesting_level<As>()...});

template <int Top, class A>
constexpr decltype(auto) value_of(const A& a) {
  if constexpr (nesting_level<A>() < Top) {
    if constexpr (is_dual_v<A>) return as_rule_operand(a);
    else return (a);  // a number, a view, an expression: itself
  } else if constexpr (is_dual_view_v<A>) {
    return as_rule_operand(*a.value_ptr);
  } else {
    return as_rule_operand(a.value);
  }
}

// A dual value for a rule's result or partial that is an expression (nested
// duals); anything else as it is.
template <class X>
constexpr auto materialize(X&& x) {
  using D = std::remove_cvref_t<X>;
  if constexpr (is_dual_expression_v<D> || is_dual_view_v<D>)
    return dual<typename D::value_type, D::width>(x);
  else return D(std::forward<X>(x));
}

// A partial ready to multiply tangent components of type C: numbers in C
// (-1 becomes -1.0), expressions evaluated, zero and one kept as types.
template <class C, class P>
constexpr auto normalize_partial(const P& p) {
  if constexpr (structural<P>) return p;
  else if constexpr (arithmetic<P>) {
    if constexpr (arithmetic<C>) return static_cast<C>(p);
    else return p;  // a number times a nested dual's component
  } else {
    return materialize(p);
  }
}

template <class A>
constexpr auto capture_tangent(A&& a) {
  using D = std::remove_cvref_t<A>;
  if constexpr (is_dual_view_v<D>) {
    return tangent_ref<typename D::tangent_type>{a.tangent_ptr};
  } else if constexpr (is_dual_v<D>) {
    // const lvalues are referenced, everything else copied: see the top of this file.
    if constexpr (std::is_lvalue_reference_v<A> && std::is_const_v<std::remove_reference_t<A>>)
      return tangent_ref<typename D::tangent_type>{&a.tangent};
    else return tangent_owned<typename D::tangent_type>{std::forward<A>(a).tangent};
  } else {
    return std::forward<A>(a).tangent;  // an expression: by value
  }
}

// The first operand at the top level (it gives the tangent width).
template <int Top, class... Ds>
struct first_dual;
template <int Top, class D, class... Ds>
struct first_dual<Top, D, Ds...> {
  using type = std::conditional_t<nesting_level<D>() == Top, std::remove_cvref_t<D>,
                                  typename first_dual<Top, Ds...>::type>;
};
template <int Top>
struct first_dual<Top> {
  using type = void;
};

// Operands of one operation: the duals at the top level have the same
// number of tangents.
template <class First, class D>
constexpr bool compatible_operand() {
  if constexpr (nesting_level<D>() == nesting_level<First>())
    return std::remove_cvref_t<D>::width == First::width;
  else return true;
}
template <class First, class... Ds>
constexpr bool compatible_operands() {
  return (compatible_operand<First, Ds>() && ...);
}

// Whether operand I of Rule can carry a derivative (known from types only).
template <class Rule, int Top, std::size_t I, class Parts, class A>
constexpr bool may_carry_derivative() {
  if constexpr (nesting_level<A>() < Top || has_zero_tangent<A>() ||
                !rules::differentiable_arg<Rule>(I))
    return false;
  else return !is_zero_v<std::tuple_element_t<I, Parts>>;
}

// A term in a fold over operands: `+` combines with add_terms.
template <class Term>
struct sum_operand {
  Term term;
};
template <class Term>
sum_operand(Term) -> sum_operand<Term>;
template <class A, class B>
constexpr auto operator+(sum_operand<A>&& a, sum_operand<B>&& b) {
  return sum_operand{add_terms(std::move(a.term), std::move(b.term))};
}

template <class T>
inline constexpr bool is_tangent_term_v = false;
template <class P, class Tangent>
inline constexpr bool is_tangent_term_v<tangent_term<P, Tangent>> = true;
template <class T>
inline constexpr bool is_tangent_sum_v = false;
template <class A, class B>
inline constexpr bool is_tangent_sum_v<tangent_sum<A, B>> = true;

// p * tangent, kept flat: p (q t) = (p q) t and p (a + b) = p a + p b, so
// every tangent is a sum of (coefficient, stored tangent) pairs and each
// component costs one multiply-add per operand occurrence, whatever the
// depth of the expression. The products of partials are scalars, computed
// once (the order of reverse mode: ((1 p) q) ...).
template <class P, class X>
constexpr auto scale_tangent(P&& p, X&& x) {
  using U = std::remove_cvref_t<X>;
  if constexpr (is_tangent_term_v<U>) {
    return scale_tangent(materialize(p * x.partial), std::forward<X>(x).tangent);
  } else if constexpr (is_tangent_sum_v<U>) {
    auto a = scale_tangent(p, std::forward<X>(x).a0);
    auto b = scale_tangent(std::forward<P>(p), std::forward<X>(x).a1);
    return tangent_sum<decltype(a), decltype(b)>{std::move(a), std::move(b)};
  } else {
    return tangent_term<std::remove_cvref_t<P>, U>{std::forward<P>(p), std::forward<X>(x)};
  }
}

// The term partial_I * tangent_I, or gg::zero when operand I carries none.
template <class Rule, int Top, std::size_t I, bool Guarded, class Parts, class A>
constexpr auto make_term(const Parts& parts, [[maybe_unused]] bool flows, A&& a) {
  if constexpr (!may_carry_derivative<Rule, Top, I, Parts, A>()) {
    return zero{};
  } else {
    using C = typename std::remove_cvref_t<A>::value_type;
    auto p = normalize_partial<C>(force(std::get<I>(parts)));
    using P = decltype(p);
    if constexpr (is_zero_v<P>) {
      return zero{};
    } else {
      auto t = capture_tangent(std::forward<A>(a));
      if constexpr (Guarded)
        return guarded_tangent_term<P, decltype(t), C>{std::move(p), std::move(t), flows};
      else return scale_tangent(std::move(p), std::move(t));
    }
  }
}

// The sum of terms, gg::zero ones left out at compile time.
template <class A, class B>
constexpr auto add_terms(A&& a, B&& b) {
  if constexpr (is_zero_v<A>) return std::forward<B>(b);
  else if constexpr (is_zero_v<B>) return std::forward<A>(a);
  else
    return tangent_sum<std::remove_cvref_t<A>, std::remove_cvref_t<B>>{std::forward<A>(a),
                                                                       std::forward<B>(b)};
}

template <class Rule, int Top, class R, class... Args>
constexpr auto rule_tangent(const R& r, Args&&... args) {
  using parts_t = decltype(Rule::partials(r, value_of<Top>(args)...));
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    if constexpr (!(may_carry_derivative<Rule, Top, I, parts_t, Args>() || ...)) {
      return zero{};  // e.g. floor, stop_gradient: the partials are not even computed
    } else {
      const parts_t parts = Rule::partials(r, value_of<Top>(args)...);  // once per operation
      constexpr bool guarded =
          rules::conditional_flow<Rule, std::remove_cvref_t<decltype(value_of<Top>(args))>...>;
      return (sum_operand{make_term<Rule, Top, I, guarded>(
                  parts, guarded && rules::flows_into<Rule>(I, value_of<Top>(args)...),
                  std::forward<Args>(args))} +
              ...)
          .term;
    }
  }
  (std::index_sequence_for<Args...>{});
}

// Rule applied to duals and numbers (at least one dual): value now, tangent
// as an expression.
template <class Rule, class... Args>
constexpr auto apply_rule(Args&&... args) {
  constexpr int top = top_level<Args...>;
  using first = typename first_dual<top, Args...>::type;
  static_assert(compatible_operands<first, Args...>(),
                "gradguard::dual: the duals of one operation must have the same number of "
                "tangents N; convert one of them explicitly, e.g. gg::dual<T, N>(gg::value(d)) "
                "for a constant");
  auto r = materialize(Rule::value(value_of<top>(args)...));
  auto t = rule_tangent<Rule, top>(as_rule_operand(r), std::forward<Args>(args)...);
  using R = decltype(r);
  using E = dual_expression<R, first::width, decltype(t)>;
  // An operand copied into the expression (a non-const or temporary dual):
  // evaluate now, one loop over the tangents, rather than carry N copied
  // tangents through every enclosing expression (as Ceres' Jet does; 2.2x
  // faster on (y - mu) / sigma with mu a local gg::dual<double, 16>).
  if constexpr (arithmetic<R> && !is_zero_v<decltype(t)> && holds_owned_tangent_v<decltype(t)>)
    return dual<R, first::width>(E{{}, std::move(r), std::move(t)});
  else return E{{}, std::move(r), std::move(t)};
}

}  // namespace detail
}  // namespace gradguard
