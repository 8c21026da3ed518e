// IWYU pragma: private, include <gradguard/gradguard.hpp>
// gg::dual<T, N>: a value and N tangents (forward mode), and the expressions
// that operations on duals return. Every operation is a rule of the rule
// table applied to values: value = Rule::value(operand values), partials =
// Rule::partials(...) once per operation (not once per tangent component),
// tangent = sum_i partial_i * tangent_i as an expression over the tangents
// (forward/tangent.hpp), evaluated in one loop when assigned to a gg::dual.
//
// Lifetimes: an expression refers to the tangent of each *const* lvalue
// gg::dual it was built from, and holds everything else by value: values,
// partials, the tangents of non-const and rvalue duals, sub-expressions.
// Referring is what makes the tangent loop fast (copying every operand's N
// tangents made a 20-input gradient several times slower); const is the sign
// that the dual is an input that outlives the expression:
//   auto e = f(x) * y;          // OK: f's result and y (non-const) are copied
//   [](auto x, auto y) { return x * y; }           // OK: parameters are copied
//   S f(const S& a, const S& b) { return a * b; }  // fast: a and b are referenced
//   auto g(const gg::dual<double> a) { return a * a; }  // dangles: refers to a
//                                        // const parameter; return a gg::dual
// The drivers refuse a result of fn that refers to any dual but their own
// arguments (check_refers_inside, forward/functional.hpp).
// Inside the library nothing dangles: rules see nested dual values through
// gg::dual_view (a view of a dual that outlives the operation). An operation
// whose tangent would hold a copy is evaluated at once into a gg::dual
// (apply_rule, forward/apply.hpp), so copies are never nested inside larger
// expressions.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/forward/tangent.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {

template <class T, std::size_t N = 1>
struct dual;
template <class T, std::size_t N = 1>
struct dual_view;
template <class V, std::size_t N, class Tangent>
struct dual_expression;

// The operators of duals live in this namespace and are found by
// argument-dependent lookup through this empty base only, so they never show
// up as candidates in errors about other gradguard types.
namespace dual_operators {
template <class D>
struct enable {};
}  // namespace dual_operators

namespace detail {
template <class T>
inline constexpr bool is_dual_v = false;
template <class T, std::size_t N>
inline constexpr bool is_dual_v<dual<T, N>> = true;
template <class T>
inline constexpr bool is_dual_view_v = false;
template <class T, std::size_t N>
inline constexpr bool is_dual_view_v<dual_view<T, N>> = true;
template <class T>
inline constexpr bool is_dual_expression_v = false;
template <class V, std::size_t N, class Tangent>
inline constexpr bool is_dual_expression_v<dual_expression<V, N, Tangent>> = true;
}  // namespace detail

// A gg::dual, a view of one, or an expression of duals.
template <class D>
concept dual_like =
    detail::is_dual_v<std::remove_cvref_t<D>> || detail::is_dual_view_v<std::remove_cvref_t<D>> ||
    detail::is_dual_expression_v<std::remove_cvref_t<D>>;

namespace detail {

// 0 for numbers, 1 for gg::dual<double>, 2 for gg::dual<gg::dual<double>>, ...
template <class X>
constexpr int nesting_level() {
  using D = std::remove_cvref_t<X>;
  if constexpr (dual_like<D>) return 1 + nesting_level<typename D::value_type>();
  else return 0;
}

// Whether the tangent of D is the structural zero.
template <class D>
constexpr bool has_zero_tangent() {
  using U = std::remove_cvref_t<D>;
  if constexpr (is_dual_expression_v<U>) return is_zero_v<typename U::tangent_expression>;
  else return false;
}

template <class T, class X>
constexpr T convert(const X& x) {
  if constexpr (std::is_same_v<T, X>) return x;
  else if constexpr (arithmetic<T> && arithmetic<X>) return static_cast<T>(x);
  else return T(x);
}

// Component i of a stored tangent, assigned from component i of an
// expression: in place for nested duals (no temporary inner dual).
template <class T, class C>
constexpr void assign_component(T& out, C&& c) {
  if constexpr (arithmetic<T>) out = static_cast<T>(c);
  else out = std::forward<C>(c);
}

}  // namespace detail

// A value and N tangents: N = 1 for one directional derivative, N inputs for
// a whole gradient in one pass, gg::dynamic for a number chosen at run time.
// A literal type; nests (gg::dual<gg::dual<double>> for second derivatives).
template <class T, std::size_t N>
struct dual : dual_operators::enable<dual<T, N>> {
  using value_type = T;
  using tangent_type = detail::tangent_storage_t<T, N>;
  static constexpr std::size_t width = N;

  T value{};               // read it with gg::value(d)
  tangent_type tangent{};  // read it with gg::tangent(d)

  constexpr dual() = default;
  // A constant: every tangent is 0.
  constexpr dual(const T& v) : value(v) {}  // NOLINT(google-explicit-constructor)
  template <arithmetic A>
  requires(!std::same_as<A, T>) constexpr dual(A v)  // NOLINT(google-explicit-constructor)
      : value(static_cast<T>(v)) {}
  constexpr dual(const T& v, tangent_type t) : value(v), tangent(std::move(t)) {}
  constexpr dual(const dual_view<T, N>& v)  // NOLINT(google-explicit-constructor)
      : value(*v.value_ptr), tangent(*v.tangent_ptr) {}
  // From a dual of another scalar type (gg::dual<float> to gg::dual<double>).
  template <class U>
  requires(!std::same_as<U, T> && detail::nesting_level<U>() == detail::nesting_level<T>() &&
           std::is_convertible_v<U, T>) constexpr dual(const dual<U, N>& o)  // NOLINT
      : value(detail::convert<T>(o.value)) {
    if constexpr (N == dynamic) tangent.resize(o.tangent.size());
    for (std::size_t i = 0; i < o.tangent.size(); ++i)
      tangent[i] = detail::convert<T>(o.tangent[i]);
  }

  // gg::dual<double, 2> y = x * x + 3.0 * x;  one loop over the tangents.
  template <class V, class Tangent>
  requires(detail::nesting_level<V>() == detail::nesting_level<T>()) constexpr dual(
      const dual_expression<V, N, Tangent>& e) {  // NOLINT(google-explicit-constructor)
    assign(e);
  }
  template <class V, class Tangent>
  requires(detail::nesting_level<V>() == detail::nesting_level<T>()) constexpr dual& operator=(
      const dual_expression<V, N, Tangent>& e) {
    assign(e);
    return *this;
  }

  // The variable with value v and tangent e_i: the i-th input of N.
  static constexpr dual variable(const T& v, std::size_t i) requires(N != dynamic) {
    if (i >= N)  // in a constant expression, a compile error at this line
      throw std::out_of_range("gradguard: gg::dual<T, " + std::to_string(N) + ">::variable(v, " +
                              std::to_string(i) + "): input " + std::to_string(i) +
                              " of N = " + std::to_string(N) +
                              " has no tangent; inputs are numbered 0 to N - 1 (give the dual a "
                              "larger N, or gg::dynamic)");
    dual d(v);
    // Every component written the same way (no single store into a zeroed
    // array, which a following vector copy of d would read back stalled).
    for (std::size_t k = 0; k < N; ++k) d.tangent[k] = T(k == i ? 1 : 0);
    return d;
  }
  // The i-th input of n, with a tangent sized at run time.
  static constexpr dual variable(const T& v, std::size_t i, std::size_t n) requires(N == dynamic) {
    if (i >= n)
      throw std::out_of_range("gradguard: gg::dual<T, gg::dynamic>::variable(v, " +
                              std::to_string(i) + ", " + std::to_string(n) + "): input " +
                              std::to_string(i) + " of n = " + std::to_string(n) +
                              " has no tangent; inputs are numbered 0 to n - 1");
    dual d(v);
    d.tangent.assign(n, T(0));
    d.tangent[i] = T(1);
    return d;
  }

  // x += e is x = x + e: the expression reads x's tangent component by
  // component and each component is written after it is read, so in place.
  template <class E>
  requires(dual_like<E> || arithmetic<E>) constexpr dual& operator+=(E&& e) {
    return *this = std::as_const(*this) + std::forward<E>(e);
  }
  template <class E>
  requires(dual_like<E> || arithmetic<E>) constexpr dual& operator-=(E&& e) {
    return *this = std::as_const(*this) - std::forward<E>(e);
  }
  template <class E>
  requires(dual_like<E> || arithmetic<E>) constexpr dual& operator*=(E&& e) {
    return *this = std::as_const(*this) * std::forward<E>(e);
  }
  template <class E>
  requires(dual_like<E> || arithmetic<E>) constexpr dual& operator/=(E&& e) {
    return *this = std::as_const(*this) / std::forward<E>(e);
  }

  // A dual never turns into a plain number behind your back: that would drop
  // its tangent without a trace. One conversion, so that std::exp(d) fails
  // with this message rather than as an ambiguous call.
  operator std::conditional_t<arithmetic<T>, T, double>() const {  // NOLINT
    static_assert(detail::always_false<T>,
                  "gradguard: a gg::dual does not convert to a number, which would drop its "
                  "tangent; read the value on purpose with gg::value(d), or keep computing with "
                  "gg::dual (gg::exp, gg::log, ... work on it; std::exp does not)");
    return {};
  }

 private:
  template <class E>
  constexpr void assign(const E& e) {
    value = detail::convert<T>(e.value);  // the tangent reads partials, not this value
    if constexpr (is_zero_v<typename E::tangent_expression>) {
      if constexpr (N == dynamic) tangent.clear();
      else
        for (auto& t : tangent) t = T(0);
    } else if constexpr (N == dynamic) {
      const std::size_t n = e.tangent.size();
      if (tangent.size() != n) tangent.resize(n);  // e may read this tangent: resize keeps it
      if (e.tangent.partials_finite()) [[likely]]
        for (std::size_t i = 0; i < n; ++i) detail::assign_component(tangent[i], e.tangent.eval(i));
      else assign_nan_safe(e, n);
    } else {
      // Into a local first: it aliases none of the tangents e reads, so the
      // loop vectorises without run-time overlap checks (1.6x faster).
      if (!e.tangent.partials_finite()) [[unlikely]]
        return assign_nan_safe(e, N);
      tangent_type t;
      for (std::size_t i = 0; i < N; ++i) detail::assign_component(t[i], e.tangent.eval(i));
      tangent = t;
    }
  }
  // An infinite or NaN partial: the components that are exactly 0 contribute
  // 0 (forward/tangent.hpp), so d/dx (x * x + sqrt(y)) at y = 0 is 2x, not NaN.
  template <class E>
  constexpr void assign_nan_safe(const E& e, std::size_t n) {
    tangent_type t = tangent;  // e may read this tangent
    for (std::size_t i = 0; i < n; ++i) detail::assign_component(t[i], e.tangent.eval_nan_safe(i));
    tangent = std::move(t);
  }
};

// A read-only view of a gg::dual that outlives it: a dual-like operand that
// expressions always refer to, never copy, whichever its value category.
// Made by the library where that is known to be safe (nested rules, drivers).
template <class T, std::size_t N>
struct dual_view : dual_operators::enable<dual_view<T, N>> {
  using value_type = T;
  using tangent_type = detail::tangent_storage_t<T, N>;
  static constexpr std::size_t width = N;

  const T* value_ptr;
  const tangent_type* tangent_ptr;

  constexpr explicit dual_view(const dual<T, N>& d)
      : value_ptr(&d.value), tangent_ptr(&d.tangent) {}

  template <arithmetic A>
  operator A() const {  // NOLINT(google-explicit-constructor)
    static_assert(detail::always_false<A>,
                  "gradguard: a gg::dual_view does not convert to a number, which would drop its "
                  "tangent; read the value on purpose with gg::value(d)");
    return A();
  }
};

// The result of an operation on duals: its value (computed) and its tangent
// (an expression, or gg::zero where no operand carries a derivative).
template <class V, std::size_t N, class Tangent>
struct dual_expression : dual_operators::enable<dual_expression<V, N, Tangent>> {
  using value_type = V;
  using tangent_expression = Tangent;
  static constexpr std::size_t width = N;

  V value;
  [[no_unique_address]] Tangent tangent;

  template <arithmetic A>
  operator A() const {  // NOLINT(google-explicit-constructor)
    static_assert(detail::always_false<A>,
                  "gradguard: an expression of gg::dual does not convert to a number, which would "
                  "drop its tangent; assign it to a gg::dual, or read the value on purpose with "
                  "gg::value(e)");
    return A();
  }
};

// gg::value(d): the value of a dual or of an expression of duals.
template <class T, std::size_t N>
constexpr const T& value(const dual<T, N>& d) {
  return d.value;
}
template <class T, std::size_t N>
constexpr const T& value(const dual_view<T, N>& d) {
  return *d.value_ptr;
}
template <class V, std::size_t N, class Tangent>
constexpr V value(const dual_expression<V, N, Tangent>& e) {
  return e.value;
}

// gg::tangent(d): the N tangents (a std::array, or a std::vector for
// gg::dynamic); gg::zero when they are structurally zero.
template <class T, std::size_t N>
constexpr const auto& tangent(const dual<T, N>& d) {
  return d.tangent;
}
template <class T, std::size_t N>
constexpr const auto& tangent(const dual_view<T, N>& d) {
  return *d.tangent_ptr;
}
template <class V, std::size_t N, class Tangent>
constexpr auto tangent(const dual_expression<V, N, Tangent>& e) {
  if constexpr (is_zero_v<Tangent>) return zero{};
  else return dual<V, N>(e).tangent;
}

}  // namespace gradguard

// The common type of a dual (view, expression) and a number is the dual, so
// that rules written with math::select (pow's integer exponents) work on
// nested duals.
template <class T, std::size_t N, gradguard::arithmetic A>
struct std::common_type<gradguard::dual<T, N>, A> {
  using type = gradguard::dual<T, N>;
};
template <class T, std::size_t N, gradguard::arithmetic A>
struct std::common_type<A, gradguard::dual<T, N>> {
  using type = gradguard::dual<T, N>;
};
template <class T, std::size_t N, gradguard::arithmetic A>
struct std::common_type<gradguard::dual_view<T, N>, A> {
  using type = gradguard::dual<T, N>;
};
template <class T, std::size_t N, gradguard::arithmetic A>
struct std::common_type<A, gradguard::dual_view<T, N>> {
  using type = gradguard::dual<T, N>;
};
template <class V, std::size_t N, class Tangent, gradguard::arithmetic A>
struct std::common_type<gradguard::dual_expression<V, N, Tangent>, A> {
  using type = gradguard::dual<V, N>;
};
template <class V, std::size_t N, class Tangent, gradguard::arithmetic A>
struct std::common_type<A, gradguard::dual_expression<V, N, Tangent>> {
  using type = gradguard::dual<V, N>;
};
