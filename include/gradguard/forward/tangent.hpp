// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Expression templates over the tangents of dual numbers. An operation on
// duals computes its value and its partials at once (eagerly); its tangent is
// a small tree of these nodes, sum_i partial_i * tangent_i, evaluated one
// component at a time when it is assigned to a gg::dual: `a * b + c` makes
// no temporary tangent vector, and the loop over the N components is one.
//
// Every node has `eval(i)` (component i, possibly a lazy value of a nested
// dual), `size()` (the number of components; 0 for a constant with a
// dynamic tangent, whose components are all zero), and for the NaN-safe
// evaluation `partials_finite()` and `eval_nan_safe(i)`.
//
// NaN safety (ForwardDiff.jl's NaN-safe mode): a tangent component that is
// exactly 0 contributes 0, even times an infinite partial, so that
// x * x + sqrt(y) at y = 0 keeps d/dx = 2x where inf * 0 would make it NaN.
// Partials are computed once per operation, so gg::dual checks them there
// (partials_finite(), once per assignment) and takes the component-wise
// test only when one of them is infinite or NaN: the tangent loop of the
// finite case is unchanged.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/fwd.hpp>
#include <gradguard/rules/vocabulary.hpp>

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

// Whether a partial is finite: a number, a (materialized) dual with its
// tangents, gg::one. Constant-evaluable (std::isfinite is not before C++23).
template <class P>
constexpr bool is_finite_partial(const P& p) {
  if constexpr (structural<P> || std::is_integral_v<P>) return true;
  else if constexpr (arithmetic<P>) return p - p == p - p;  // inf - inf and NaN are NaN
  else {
    if (!is_finite_partial(p.value)) return false;
    for (const auto& t : p.tangent)
      if (!is_finite_partial(t)) return false;
    return true;
  }
}

// Whether a tangent component is exactly 0: a number, or a nested dual
// whose value and tangents all are (a lazy component is evaluated first).
template <class X>
constexpr bool is_zero_component(const X& x) {
  if constexpr (arithmetic<X>) return x == X(0);
  else if constexpr (requires { typename X::tangent_expression; }) {
    return is_zero_component(dual<typename X::value_type, X::width>(x));  // an expression
  } else {
    if (!is_zero_component(x.value)) return false;
    for (const auto& t : x.tangent)
      if (!is_zero_component(t)) return false;
    return true;
  }
}

// partial * component, 0 where the component is exactly 0 (whatever the
// partial), in the type of the product evaluated.
template <class P, class X>
constexpr auto nan_safe_product(const P& p, const X& x) {
  using R = std::remove_cvref_t<decltype(p * x)>;
  if constexpr (arithmetic<R>) {
    return is_zero_component(x) ? R(0) : p * x;
  } else {
    using D = dual<typename R::value_type, R::width>;
    return is_zero_component(x) ? D(0) : D(p * x);
  }
}

// The tangent of an lvalue dual: read in place. The dual must outlive the
// expression (assign the expression to a gg::dual to keep it).
template <class S>
struct tangent_ref {
  const S* storage;
  constexpr decltype(auto) eval(std::size_t i) const { return component(*storage, i); }
  constexpr decltype(auto) eval_nan_safe(std::size_t i) const { return eval(i); }
  static constexpr bool partials_finite() { return true; }
  constexpr std::size_t size() const { return storage->size(); }
  // Calls f with the address of every tangent read in place (the drivers
  // check that each belongs to one of their arguments: check_refers_inside).
  template <class F>
  constexpr void for_each_referenced(F& f) const {
    f(static_cast<const void*>(storage));
  }
};

// The tangent of an rvalue dual, moved into the expression: `auto e = f(x) * y;`
// cannot dangle on the dual that f returned.
template <class S>
struct tangent_owned {
  S storage;
  constexpr decltype(auto) eval(std::size_t i) const { return component(storage, i); }
  constexpr decltype(auto) eval_nan_safe(std::size_t i) const { return eval(i); }
  static constexpr bool partials_finite() { return true; }
  constexpr std::size_t size() const { return storage.size(); }
  template <class F>
  constexpr void for_each_referenced(F&) const {}
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
  constexpr decltype(auto) eval_nan_safe(std::size_t i) const {
    if constexpr (is_one_v<P>) return tangent.eval_nan_safe(i);
    else return nan_safe_product(partial, tangent.eval_nan_safe(i));
  }
  constexpr bool partials_finite() const {
    return is_finite_partial(partial) && tangent.partials_finite();
  }
  constexpr std::size_t size() const { return tangent.size(); }
  template <class F>
  constexpr void for_each_referenced(F& f) const {
    tangent.for_each_referenced(f);
  }
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
  constexpr Component eval_nan_safe(std::size_t i) const {
    if (!flows) return Component(0);
    if constexpr (is_one_v<P>) return Component(tangent.eval_nan_safe(i));
    else return Component(nan_safe_product(partial, tangent.eval_nan_safe(i)));
  }
  constexpr bool partials_finite() const {
    return !flows || (is_finite_partial(partial) && tangent.partials_finite());
  }
  constexpr std::size_t size() const { return tangent.size(); }
  template <class F>
  constexpr void for_each_referenced(F& f) const {
    tangent.for_each_referenced(f);  // also when !flows: a dead reference is a bug either way
  }
};

// The number of tangents of two operands of one operation (gg::dynamic): a
// constant's empty tangent goes with any; two different non-zero widths are
// an error (the inputs were seeded for different problems).
constexpr std::size_t common_width(std::size_t n0, std::size_t n1) {
  if (n0 != n1 && n0 != 0 && n1 != 0)
    throw std::invalid_argument(
        "gradguard: an operation on gg::dual<T, gg::dynamic> combines duals with " +
        std::to_string(n0) + " and " + std::to_string(n1) +
        " tangents; seed every input with the same n (dual::variable(v, i, n)), or take a value "
        "with no derivative as a constant (gg::value(d))");
  return n0 < n1 ? n1 : n0;
}

template <class... Terms>
struct tangent_sum;
template <class A, class B>
struct tangent_sum<A, B> {
  A a0;
  B a1;
  constexpr decltype(auto) eval(std::size_t i) const { return a0.eval(i) + a1.eval(i); }
  constexpr decltype(auto) eval_nan_safe(std::size_t i) const {
    return a0.eval_nan_safe(i) + a1.eval_nan_safe(i);
  }
  constexpr bool partials_finite() const { return a0.partials_finite() && a1.partials_finite(); }
  constexpr std::size_t size() const { return common_width(a0.size(), a1.size()); }
  template <class F>
  constexpr void for_each_referenced(F& f) const {
    a0.for_each_referenced(f);
    a1.for_each_referenced(f);
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
  constexpr decltype(auto) eval_nan_safe(std::size_t i) const {
    return a0.eval_nan_safe(i) + a1.eval_nan_safe(i) + a2.eval_nan_safe(i);
  }
  constexpr bool partials_finite() const {
    return a0.partials_finite() && a1.partials_finite() && a2.partials_finite();
  }
  constexpr std::size_t size() const {
    return common_width(common_width(a0.size(), a1.size()), a2.size());
  }
  template <class F>
  constexpr void for_each_referenced(F& f) const {
    a0.for_each_referenced(f);
    a1.for_each_referenced(f);
    a2.for_each_referenced(f);
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

}  // namespace detail
}  // namespace gradguard
