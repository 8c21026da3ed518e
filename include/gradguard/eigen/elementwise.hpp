// IWYU pragma: private, include <gradguard/eigen.hpp>
// Elementwise operations of gg::real_matrix: +, -, cwise_product,
// cwise_quotient, the functions of the primitive list and relu. Each records
// one block whose partials are stored per element (elementwise_op), with
// value and partials from the rule table.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>

#include <Eigen/Core>

#include <gradguard/eigen/operand.hpp>
#include <gradguard/rules/primitives.hpp>

namespace gradguard {

namespace detail {

// C = op(A, B) or op(A) elementwise, n elements: the partials with respect
// to each operand stored per element (nullptr: one, known from the rule's
// type). An operand of one element is a scalar broadcast over the matrix.
template <class T>
struct elementwise_op {
  std::array<const T*, 2> partials;
  std::size_t n;

  static void backward(const block_operation<T>& op, const elementwise_op& b, T* adj) {
    const std::size_t n = b.n;
    const T* g = adj + op.first;
    for (std::size_t k = 0; k < 2; ++k) {
      if (op.count[k] == 0) continue;
      T* d = adj + op.operand[k];
      const T* p = b.partials[k];
      if (op.count[k] == n) {
        if (p != nullptr)
          for (std::size_t i = 0; i < n; ++i) d[i] += chained(g[i], p[i]);
        else
          for (std::size_t i = 0; i < n; ++i) d[i] += g[i];
      } else {  // a scalar broadcast over the matrix
        T s(0);
        if (p != nullptr)
          for (std::size_t i = 0; i < n; ++i) s += chained(g[i], p[i]);
        else
          for (std::size_t i = 0; i < n; ++i) s += g[i];
        d[0] += s;
      }
    }
  }
};

// Stores a partial per element unless it is structurally one.
template <class P>
inline constexpr bool stored_partial_v = !is_one_v<P>;

template <class Rule, class T>
auto record_elementwise(const char* name, matrix_operand<T> a, matrix_operand<T> b,
                        const std::source_location& where) {
  using access = matrix_access<T>;
  if (!a.scalar && !b.scalar && (a.rows != b.rows || a.cols != b.cols))
    throw_shapes("gg::" + std::string(name) + "(A, B)", "A", a, "B", b,
                 "elementwise operations need operands of one shape");
  basic_tape<T>& tape = access::tape_of(name, {&a, &b});
  const matrix_operand<T>& shaped = a.scalar ? b : a;
  const Eigen::Index n = shaped.size();
  const auto count = static_cast<std::size_t>(n);
  using partials_type = decltype(Rule::partials(T(), T(), T()));
  using pa_type = std::remove_cvref_t<std::tuple_element_t<0, partials_type>>;
  using pb_type = std::remove_cvref_t<std::tuple_element_t<1, partials_type>>;
  T* out = block_recorder<T>::allocate(tape, count);
  T* pa = stored_partial_v<pa_type> && a.count ? block_recorder<T>::allocate(tape, count) : nullptr;
  T* pb = stored_partial_v<pb_type> && b.count ? block_recorder<T>::allocate(tape, count) : nullptr;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T av = a[i], bv = b[i];
    const T r = Rule::value(av, bv);
    out[i] = r;
    const auto p = Rule::partials(r, av, bv);
    if constexpr (stored_partial_v<pa_type>)
      if (pa) pa[i] = static_cast<T>(force(std::get<0>(p)));
    if constexpr (stored_partial_v<pb_type>)
      if (pb) pb[i] = static_cast<T>(force(std::get<1>(p)));
  }
  const std::uint32_t first =
      record_operation(tape, name, where, {&a, &b}, count, elementwise_op<T>{{pa, pb}, count});
  return std::tuple{out, first, &tape, shaped.rows, shaped.cols};
}

template <class Rule, class T>
auto record_unary(const char* name, matrix_operand<T> a, const std::source_location& where) {
  using access = matrix_access<T>;
  basic_tape<T>& tape = access::tape_of(name, {&a});
  const Eigen::Index n = a.size();
  const auto count = static_cast<std::size_t>(n);
  using pa_type = std::remove_cvref_t<std::tuple_element_t<0, decltype(Rule::partials(T(), T()))>>;
  T* out = block_recorder<T>::allocate(tape, count);
  T* pa = stored_partial_v<pa_type> ? block_recorder<T>::allocate(tape, count) : nullptr;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T av = a[i];
    const T r = Rule::value(av);
    out[i] = r;
    if constexpr (stored_partial_v<pa_type>)
      pa[i] = static_cast<T>(force(std::get<0>(Rule::partials(r, av))));
  }
  const std::uint32_t first =
      record_operation(tape, name, where, {&a}, count, elementwise_op<T>{{pa, nullptr}, count});
  return std::tuple{out, first, &tape, a.rows, a.cols};
}

template <class Rule, class A, class B>
auto elementwise(const char* name, const A& a, const B& b, const std::source_location& where) {
  using T = matrix_scalar_t<A, B>;
  constexpr int cols = is_real_matrix_v<A> || eigen_numbers<A> ? cols_of_v<A> : cols_of_v<B>;
  return handle<T, cols>(record_elementwise<Rule>(name, matrix_access<T>::operand(a),
                                                  matrix_access<T>::operand(b), where));
}
template <class Rule, class T, int C>
basic_real_matrix<T, C> elementwise(const char* name, const basic_real_matrix<T, C>& a,
                                    const std::source_location& where) {
  return handle<T, C>(record_unary<Rule>(name, matrix_access<T>::operand(a), where));
}
}  // namespace detail

// clang-format off
// A + B, A - B, A .* B and A ./ B elementwise: matrices of one shape, or a matrix and a scalar (a
// number or a gg::real, broadcast).
template <class A, class B> requires detail::elementwise_operands<A, B>
auto add(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::add_rule>("add", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto subtract(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::sub_rule>("subtract", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto cwise_product(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::mul_rule>("cwise_product", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto cwise_quotient(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::div_rule>("cwise_quotient", a, b, where);
}
// clang-format on

// (Eigen has no matrix + scalar, so a constant matrix + gg::real is this too;
// a constant matrix * gg::real is Eigen's, coefficient by coefficient: use
// gg::cwise_product for one block.)
template <class A, class B>
requires detail::elementwise_operands<A, B>
auto operator+(const A& a, const B& b) { return add(a, b, std::source_location()); }
template <class A, class B>
requires detail::elementwise_operands<A, B>
auto operator-(const A& a, const B& b) { return subtract(a, b, std::source_location()); }
// A scalar times a matrix (a product of matrices is the matrix product).
template <class A, class B>
requires detail::real_matrix_operands<A, B> &&
    (arithmetic<A> || arithmetic<B> || detail::is_real_v<A> || detail::is_real_v<B>)auto
    operator*(const A& a, const B& b) {
  return cwise_product(a, b, std::source_location());
}
template <class A, class B>
requires detail::real_matrix_operands<A, B> &&(arithmetic<B> || detail::is_real_v<B>)auto operator/(
    const A& a, const B& b) {
  return cwise_quotient(a, b, std::source_location());
}
// -A.
template <class T, int C>
auto operator-(const basic_real_matrix<T, C>& a) {
  return subtract(T(0), a, std::source_location());
}

// The functions of rules/primitives.hpp, elementwise (see tools/gen_primitives.py):
// each records one block, with its value and partials from the rule table.
// clang-format off
// <generated: matrix unary from rules/primitives.hpp by tools/gen_primitives.py>
template <class T, int C>
basic_real_matrix<T, C> sin(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::sin_rule>("sin", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> cos(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::cos_rule>("cos", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> tan(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::tan_rule>("tan", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> asin(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::asin_rule>("asin", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> acos(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::acos_rule>("acos", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> atan(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::atan_rule>("atan", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> sinh(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::sinh_rule>("sinh", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> cosh(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::cosh_rule>("cosh", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> tanh(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::tanh_rule>("tanh", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> asinh(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::asinh_rule>("asinh", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> acosh(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::acosh_rule>("acosh", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> atanh(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::atanh_rule>("atanh", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> exp(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::exp_rule>("exp", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> exp2(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::exp2_rule>("exp2", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> expm1(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::expm1_rule>("expm1", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> log(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::log_rule>("log", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> log2(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::log2_rule>("log2", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> log10(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::log10_rule>("log10", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> log1p(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::log1p_rule>("log1p", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> sqrt(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::sqrt_rule>("sqrt", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> cbrt(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::cbrt_rule>("cbrt", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> square(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::square_rule>("square", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> abs(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::abs_rule>("abs", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> fabs(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::fabs_rule>("fabs", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> erf(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::erf_rule>("erf", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> erfc(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::erfc_rule>("erfc", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> tgamma(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::tgamma_rule>("tgamma", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> lgamma(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::lgamma_rule>("lgamma", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> digamma(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::polygamma_rule<0>>("digamma", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> sigmoid(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::sigmoid_rule>("sigmoid", a, where);
}
template <class T, int C>
basic_real_matrix<T, C> softplus(const basic_real_matrix<T, C>& a, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::softplus_rule>("softplus", a, where);
}
// </generated>
// The cuts (floor, stop_gradient, ...) are not matrix operations: a call is
// a compile error that says to read the value (gg::value(A)) instead.
// <generated: matrix cut from rules/primitives.hpp by tools/gen_primitives.py>
template <class T, int C>
basic_real_matrix<T, C> floor(const basic_real_matrix<T, C>& a, const std::source_location& = std::source_location::current()) {
  static_assert(detail::always_false<T>, "gradguard: gg::floor of a gg::real_matrix: a cut is not a matrix operation; read the value with gg::value(A) and use it as a constant matrix");
  return a;
}
template <class T, int C>
basic_real_matrix<T, C> ceil(const basic_real_matrix<T, C>& a, const std::source_location& = std::source_location::current()) {
  static_assert(detail::always_false<T>, "gradguard: gg::ceil of a gg::real_matrix: a cut is not a matrix operation; read the value with gg::value(A) and use it as a constant matrix");
  return a;
}
template <class T, int C>
basic_real_matrix<T, C> round(const basic_real_matrix<T, C>& a, const std::source_location& = std::source_location::current()) {
  static_assert(detail::always_false<T>, "gradguard: gg::round of a gg::real_matrix: a cut is not a matrix operation; read the value with gg::value(A) and use it as a constant matrix");
  return a;
}
template <class T, int C>
basic_real_matrix<T, C> trunc(const basic_real_matrix<T, C>& a, const std::source_location& = std::source_location::current()) {
  static_assert(detail::always_false<T>, "gradguard: gg::trunc of a gg::real_matrix: a cut is not a matrix operation; read the value with gg::value(A) and use it as a constant matrix");
  return a;
}
template <class T, int C>
basic_real_matrix<T, C> sign(const basic_real_matrix<T, C>& a, const std::source_location& = std::source_location::current()) {
  static_assert(detail::always_false<T>, "gradguard: gg::sign of a gg::real_matrix: a cut is not a matrix operation; read the value with gg::value(A) and use it as a constant matrix");
  return a;
}
template <class T, int C>
basic_real_matrix<T, C> stop_gradient(const basic_real_matrix<T, C>& a, const std::source_location& = std::source_location::current()) {
  static_assert(detail::always_false<T>, "gradguard: gg::stop_gradient of a gg::real_matrix: a cut is not a matrix operation; read the value with gg::value(A) and use it as a constant matrix");
  return a;
}
// </generated>
// The binary functions of rules/primitives.hpp, elementwise: matrices of one shape, or a matrix and
// a scalar (broadcast).
// <generated: matrix binary from rules/primitives.hpp by tools/gen_primitives.py>
template <class A, class B> requires detail::elementwise_operands<A, B>
auto pow(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::pow_rule>("pow", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto atan2(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::atan2_rule>("atan2", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto hypot(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::hypot_rule>("hypot", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto min(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::min_rule>("min", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto max(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::max_rule>("max", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto fmin(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::fmin_rule>("fmin", a, b, where);
}
template <class A, class B> requires detail::elementwise_operands<A, B>
auto fmax(const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  return detail::elementwise<rules::fmax_rule>("fmax", a, b, where);
}
// </generated>
// clang-format on

// max(A, 0) elementwise (the derivative at 0 is that of max: 1).
template <class T, int C>
basic_real_matrix<T, C> relu(const basic_real_matrix<T, C>& a,
                             const std::source_location& where = std::source_location::current()) {
  return max(a, T(0), where);
}

}  // namespace gradguard
