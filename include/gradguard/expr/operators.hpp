// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Operators and functions that build static expressions. Every one is
// constrained: a bad operand never becomes a node, and the error points at
// the user's line.
#pragma once

#include <type_traits>

#include <gradguard/expr/node.hpp>
#include <gradguard/rules/all.hpp>

namespace gradguard {

namespace detail {
template <class L, class R>
inline constexpr bool are_expression_operands_v = operand<L>&& operand<R> &&
                                                  (expression<L> || expression<R>);
}  // namespace detail

// Two operands of which at least one is an expression. One atomic check: a
// compiler explains a failed conjunction of concepts level by level, and
// `x * std::string()` would print ten lines of it.
template <class L, class R>
concept expression_operands = detail::are_expression_operands_v<L, R>;

// clang-format off
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator+(const L& l, const R& r) { return make_node<rules::add_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator-(const L& l, const R& r) { return make_node<rules::sub_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator*(const L& l, const R& r) { return make_node<rules::mul_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator/(const L& l, const R& r) { return make_node<rules::div_rule>(l, r); }
template <expression X>
constexpr auto operator-(const X& x) { return make_node<rules::neg_rule>(x); }
template <expression X>
constexpr auto operator+(const X& x) { return x; }

template <class L, class R> requires expression_operands<L, R>
constexpr auto operator<(const L& l, const R& r) { return make_node<rules::less_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator<=(const L& l, const R& r) { return make_node<rules::less_equal_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator>(const L& l, const R& r) { return make_node<rules::greater_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator>=(const L& l, const R& r) { return make_node<rules::greater_equal_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator==(const L& l, const R& r) { return make_node<rules::equal_to_rule>(l, r); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto operator!=(const L& l, const R& r) { return make_node<rules::not_equal_to_rule>(l, r); }

template <expression X> constexpr auto sin(const X& x) { return make_node<rules::sin_rule>(x); }
template <expression X> constexpr auto cos(const X& x) { return make_node<rules::cos_rule>(x); }
template <expression X> constexpr auto tan(const X& x) { return make_node<rules::tan_rule>(x); }
template <expression X> constexpr auto asin(const X& x) { return make_node<rules::asin_rule>(x); }
template <expression X> constexpr auto acos(const X& x) { return make_node<rules::acos_rule>(x); }
template <expression X> constexpr auto atan(const X& x) { return make_node<rules::atan_rule>(x); }
template <expression X> constexpr auto sinh(const X& x) { return make_node<rules::sinh_rule>(x); }
template <expression X> constexpr auto cosh(const X& x) { return make_node<rules::cosh_rule>(x); }
template <expression X> constexpr auto tanh(const X& x) { return make_node<rules::tanh_rule>(x); }
template <expression X> constexpr auto asinh(const X& x) { return make_node<rules::asinh_rule>(x); }
template <expression X> constexpr auto acosh(const X& x) { return make_node<rules::acosh_rule>(x); }
template <expression X> constexpr auto atanh(const X& x) { return make_node<rules::atanh_rule>(x); }
template <expression X> constexpr auto exp(const X& x) { return make_node<rules::exp_rule>(x); }
template <expression X> constexpr auto exp2(const X& x) { return make_node<rules::exp2_rule>(x); }
template <expression X> constexpr auto expm1(const X& x) { return make_node<rules::expm1_rule>(x); }
template <expression X> constexpr auto log(const X& x) { return make_node<rules::log_rule>(x); }
template <expression X> constexpr auto log2(const X& x) { return make_node<rules::log2_rule>(x); }
template <expression X> constexpr auto log10(const X& x) { return make_node<rules::log10_rule>(x); }
template <expression X> constexpr auto log1p(const X& x) { return make_node<rules::log1p_rule>(x); }
template <expression X> constexpr auto sqrt(const X& x) { return make_node<rules::sqrt_rule>(x); }
template <expression X> constexpr auto cbrt(const X& x) { return make_node<rules::cbrt_rule>(x); }
template <expression X> constexpr auto square(const X& x) { return make_node<rules::square_rule>(x); }
template <expression X> constexpr auto abs(const X& x) { return make_node<rules::abs_rule>(x); }
template <expression X> constexpr auto fabs(const X& x) { return make_node<rules::fabs_rule>(x); }
template <expression X> constexpr auto erf(const X& x) { return make_node<rules::erf_rule>(x); }
template <expression X> constexpr auto erfc(const X& x) { return make_node<rules::erfc_rule>(x); }
template <expression X> constexpr auto tgamma(const X& x) { return make_node<rules::tgamma_rule>(x); }
template <expression X> constexpr auto lgamma(const X& x) { return make_node<rules::lgamma_rule>(x); }
template <expression X> constexpr auto digamma(const X& x) { return make_node<rules::polygamma_rule<0>>(x); }
template <int N, expression X>
constexpr auto polygamma(std::integral_constant<int, N>, const X& x) { return make_node<rules::polygamma_rule<N>>(x); }
template <expression X> constexpr auto sigmoid(const X& x) { return make_node<rules::sigmoid_rule>(x); }
template <expression X> constexpr auto softplus(const X& x) { return make_node<rules::softplus_rule>(x); }

template <expression X> constexpr auto floor(const X& x) { return make_node<rules::floor_rule>(x); }
template <expression X> constexpr auto ceil(const X& x) { return make_node<rules::ceil_rule>(x); }
template <expression X> constexpr auto round(const X& x) { return make_node<rules::round_rule>(x); }
template <expression X> constexpr auto trunc(const X& x) { return make_node<rules::trunc_rule>(x); }
template <expression X> constexpr auto sign(const X& x) { return make_node<rules::sign_rule>(x); }
template <expression X> constexpr auto stop_gradient(const X& x) { return make_node<rules::stop_gradient_rule>(x); }
// A number has no derivative to stop: its value (so that generic code runs with doubles).
template <arithmetic X> constexpr X stop_gradient(X x) { return x; }
template <arithmetic T, expression X> constexpr auto cast(const X& x) { return make_node<rules::cast_rule<T>>(x); }

template <class L, class R> requires expression_operands<L, R>
constexpr auto pow(const L& x, const R& y) { return make_node<rules::pow_rule>(x, y); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto atan2(const L& y, const R& x) { return make_node<rules::atan2_rule>(y, x); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto hypot(const L& x, const R& y) { return make_node<rules::hypot_rule>(x, y); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto min(const L& a, const R& b) { return make_node<rules::min_rule>(a, b); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto max(const L& a, const R& b) { return make_node<rules::max_rule>(a, b); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto fmin(const L& a, const R& b) { return make_node<rules::fmin_rule>(a, b); }
template <class L, class R> requires expression_operands<L, R>
constexpr auto fmax(const L& a, const R& b) { return make_node<rules::fmax_rule>(a, b); }

// select(cond, a, b) = cond ? a : b, with the gradient flowing into the
// chosen branch only.
template <class C, class A, class B>
  requires operand<C> && operand<A> && operand<B> && (expression<C> || expression<A> || expression<B>)
constexpr auto select(const C& cond, const A& a, const B& b) { return make_node<rules::select_rule>(cond, a, b); }
// clang-format on

}  // namespace gradguard
