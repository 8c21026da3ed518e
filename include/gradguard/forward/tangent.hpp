// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Expression templates over the tangents of dual numbers. An operation on
// duals computes its value and its partials at once (eagerly); its tangent is
// a small tree of these nodes, sum_i partial_i * tangent_i, evaluated one
// component at a time when it is assigned to a gg::dual: `a * b + c` makes
// no temporary tangent vector, and the loop over the N components is one.
//
// Every node has `eval(i)` (component i, possibly a lazy value of a nested
// dual) and `size()` (the number of components; 0 for a constant with a
// dynamic tangent, whose components are all zero).
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/fwd.hpp>
#include <gradguard/rules/rule.hpp>

namespace gradguard {

// gg::dynamic (in fwd.hpp): the tangent width of a gg::dual whose number of
// tangents is chosen at run time (std::dynamic_extent's convention).

namespace detail {

template <class T, std::size_t N>
struct tangent_storage {
  using type = std::array<T, N>;
};
template <class T>
struct tangent_storage<T, dynamic> {
  using type = std::vector<T>;
};
template <class T, std::size_t N>
using tangent_storage_t = typename tangent_storage<T, N>::type;

template <class S>
inline constexpr bool is_dynamic_storage_v = false;
template <class T, class A>
inline constexpr bool is_dynamic_storage_v<std::vector<T, A>> = true;

// Component i of a stored tangent; past the end of a dynamic one, 0 (a
// constant's tangent is empty).
template <class S>
constexpr decltype(auto) component(const S& s, std::size_t i) {
  if constexpr (is_dynamic_storage_v<S>) {
    using T = typename S::value_type;
    return i < s.size() ? s[i] : T(0);
  } else {
    return s[i];
  }
}

// The tangent of an lvalue dual: read in place. The dual must outlive the
// expression (assign the expression to a gg::dual to keep it).
template <class S>
struct tangent_ref {
  const S* storage;
  constexpr decltype(auto) eval(std::size_t i) const { return component(*storage, i); }
  constexpr std::size_t size() const { return storage->size(); }
};

// The tangent of an rvalue dual, moved into the expression: `auto e = f(x) * y;`
// cannot dangle on the dual that f returned.
template <class S>
struct tangent_owned {
  S storage;
  constexpr decltype(auto) eval(std::size_t i) const { return component(storage, i); }
  constexpr std::size_t size() const { return storage.size(); }
};

// partial * tangent, the chain rule for one operand. A partial of gg::one
// costs nothing; gg::zero partials never make a term.
template <class P, class Tangent>
struct tangent_term {
  P partial;
  Tangent tangent;
  constexpr decltype(auto) eval(std::size_t i) const {
    if constexpr (is_one_v<P>) return tangent.eval(i);
    else return partial * tangent.eval(i);
  }
  constexpr std::size_t size() const { return tangent.size(); }
};

// A term of a rule that says where the derivative flows at run time (select):
// the branch not taken is not read at all, so an infinite or NaN tangent
// there does not turn into 0 * inf = NaN.
template <class P, class Tangent, class Component>
struct guarded_tangent_term {
  P partial;
  Tangent tangent;
  bool flows;
  constexpr Component eval(std::size_t i) const {
    if (!flows) return Component(0);
    if constexpr (is_one_v<P>) return Component(tangent.eval(i));
    else return Component(partial * tangent.eval(i));
  }
  constexpr std::size_t size() const { return tangent.size(); }
};

template <class... Terms>
struct tangent_sum;
template <class A, class B>
struct tangent_sum<A, B> {
  A a0;
  B a1;
  constexpr decltype(auto) eval(std::size_t i) const { return a0.eval(i) + a1.eval(i); }
  constexpr std::size_t size() const {
    const std::size_t n0 = a0.size(), n1 = a1.size();
    return n0 < n1 ? n1 : n0;
  }
};
template <class A, class B, class C>
struct tangent_sum<A, B, C> {
  A a0;
  B a1;
  C a2;
  constexpr decltype(auto) eval(std::size_t i) const {
    return a0.eval(i) + a1.eval(i) + a2.eval(i);
  }
  constexpr std::size_t size() const {
    const std::size_t n0 = a0.size(), n1 = a1.size(), n2 = a2.size();
    const std::size_t m = n0 < n1 ? n1 : n0;
    return m < n2 ? n2 : m;
  }
};

// Whether a tangent expression holds a copy of some dual's tangents.
template <class X>
inline constexpr bool holds_owned_tangent_v = false;
template <class S>
inline constexpr bool holds_owned_tangent_v<tangent_owned<S>> = true;
template <class P, class X>
inline constexpr bool holds_owned_tangent_v<tangent_term<P, X>> = holds_owned_tangent_v<X>;
template <class P, class X, class C>
inline constexpr bool holds_owned_tangent_v<guarded_tangent_term<P, X, C>> =
    holds_owned_tangent_v<X>;
template <class... Terms>
inline constexpr bool holds_owned_tangent_v<tangent_sum<Terms...>> =
    (holds_owned_tangent_v<Terms> || ...);

// One term is its own tangent; two or three are summed.
template <class... Terms>
constexpr auto make_tangent_sum(Terms&&... terms) {
  if constexpr (sizeof...(Terms) == 0) return zero{};
  else if constexpr (sizeof...(Terms) == 1) return (std::forward<Terms>(terms), ...);
  else return tangent_sum<std::remove_cvref_t<Terms>...>{std::forward<Terms>(terms)...};
}

}  // namespace detail
}  // namespace gradguard
