// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Operators and functions that build static expressions. Every one is
// constrained: a bad operand never becomes a node, and the error points at
// the user's line.
#pragma once

#include <type_traits>

#include <gradguard/expr/node.hpp>
#include <gradguard/rules/primitives.hpp>

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

// The functions (not the operators) take plain numbers too, so that one
// templated function runs with double, static expressions, gg::real and
// gg::dual: gg::sin(0.5) is the rule's value, math::sin(0.5) = std::sin(0.5).
template <class L, class R>
concept function_operands = detail::are_expression_operands_v<L, R> ||
    (arithmetic<L>&& arithmetic<R>);

namespace detail {
// A node of Rule, or for plain numbers the rule's value.
template <class Rule, class... Args>
constexpr auto apply_function(const Args&... args) {
  if constexpr ((arithmetic<Args> && ...)) return Rule::value(args...);
  else return make_node<Rule>(args...);
}
}  // namespace detail

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

// The functions of rules/primitives.hpp (see tools/gen_primitives.py).
// <generated: static unary from rules/primitives.hpp by tools/gen_primitives.py>
template <operand X> constexpr auto sin(const X& x) { return detail::apply_function<rules::sin_rule>(x); }
template <operand X> constexpr auto cos(const X& x) { return detail::apply_function<rules::cos_rule>(x); }
template <operand X> constexpr auto tan(const X& x) { return detail::apply_function<rules::tan_rule>(x); }
template <operand X> constexpr auto asin(const X& x) { return detail::apply_function<rules::asin_rule>(x); }
template <operand X> constexpr auto acos(const X& x) { return detail::apply_function<rules::acos_rule>(x); }
template <operand X> constexpr auto atan(const X& x) { return detail::apply_function<rules::atan_rule>(x); }
template <operand X> constexpr auto sinh(const X& x) { return detail::apply_function<rules::sinh_rule>(x); }
template <operand X> constexpr auto cosh(const X& x) { return detail::apply_function<rules::cosh_rule>(x); }
template <operand X> constexpr auto tanh(const X& x) { return detail::apply_function<rules::tanh_rule>(x); }
template <operand X> constexpr auto asinh(const X& x) { return detail::apply_function<rules::asinh_rule>(x); }
template <operand X> constexpr auto acosh(const X& x) { return detail::apply_function<rules::acosh_rule>(x); }
template <operand X> constexpr auto atanh(const X& x) { return detail::apply_function<rules::atanh_rule>(x); }
template <operand X> constexpr auto exp(const X& x) { return detail::apply_function<rules::exp_rule>(x); }
template <operand X> constexpr auto exp2(const X& x) { return detail::apply_function<rules::exp2_rule>(x); }
template <operand X> constexpr auto expm1(const X& x) { return detail::apply_function<rules::expm1_rule>(x); }
template <operand X> constexpr auto log(const X& x) { return detail::apply_function<rules::log_rule>(x); }
template <operand X> constexpr auto log2(const X& x) { return detail::apply_function<rules::log2_rule>(x); }
template <operand X> constexpr auto log10(const X& x) { return detail::apply_function<rules::log10_rule>(x); }
template <operand X> constexpr auto log1p(const X& x) { return detail::apply_function<rules::log1p_rule>(x); }
template <operand X> constexpr auto sqrt(const X& x) { return detail::apply_function<rules::sqrt_rule>(x); }
template <operand X> constexpr auto cbrt(const X& x) { return detail::apply_function<rules::cbrt_rule>(x); }
template <operand X> constexpr auto square(const X& x) { return detail::apply_function<rules::square_rule>(x); }
template <operand X> constexpr auto abs(const X& x) { return detail::apply_function<rules::abs_rule>(x); }
template <operand X> constexpr auto fabs(const X& x) { return detail::apply_function<rules::fabs_rule>(x); }
template <operand X> constexpr auto erf(const X& x) { return detail::apply_function<rules::erf_rule>(x); }
template <operand X> constexpr auto erfc(const X& x) { return detail::apply_function<rules::erfc_rule>(x); }
template <operand X> constexpr auto tgamma(const X& x) { return detail::apply_function<rules::tgamma_rule>(x); }
template <operand X> constexpr auto lgamma(const X& x) { return detail::apply_function<rules::lgamma_rule>(x); }
template <operand X> constexpr auto digamma(const X& x) { return detail::apply_function<rules::polygamma_rule<0>>(x); }
template <operand X> constexpr auto sigmoid(const X& x) { return detail::apply_function<rules::sigmoid_rule>(x); }
template <operand X> constexpr auto softplus(const X& x) { return detail::apply_function<rules::softplus_rule>(x); }
// </generated>
template <int N, operand X>
constexpr auto polygamma(std::integral_constant<int, N>, const X& x) { return detail::apply_function<rules::polygamma_rule<N>>(x); }

// The cuts of rules/primitives.hpp: their value, and no derivative (reason::non_differentiable, or
// reason::stop_gradient).
// <generated: static cut from rules/primitives.hpp by tools/gen_primitives.py>
template <operand X> constexpr auto floor(const X& x) { return detail::apply_function<rules::floor_rule>(x); }
template <operand X> constexpr auto ceil(const X& x) { return detail::apply_function<rules::ceil_rule>(x); }
template <operand X> constexpr auto round(const X& x) { return detail::apply_function<rules::round_rule>(x); }
template <operand X> constexpr auto trunc(const X& x) { return detail::apply_function<rules::trunc_rule>(x); }
template <operand X> constexpr auto sign(const X& x) { return detail::apply_function<rules::sign_rule>(x); }
template <operand X> constexpr auto stop_gradient(const X& x) { return detail::apply_function<rules::stop_gradient_rule>(x); }
// </generated>
template <arithmetic T, operand X> constexpr auto cast(const X& x) { return detail::apply_function<rules::cast_rule<T>>(x); }

// The binary functions of rules/primitives.hpp on expressions and numbers.
// <generated: static binary from rules/primitives.hpp by tools/gen_primitives.py>
template <class L, class R> requires function_operands<L, R>
constexpr auto pow(const L& a, const R& b) { return detail::apply_function<rules::pow_rule>(a, b); }
template <class L, class R> requires function_operands<L, R>
constexpr auto atan2(const L& a, const R& b) { return detail::apply_function<rules::atan2_rule>(a, b); }
template <class L, class R> requires function_operands<L, R>
constexpr auto hypot(const L& a, const R& b) { return detail::apply_function<rules::hypot_rule>(a, b); }
template <class L, class R> requires function_operands<L, R>
constexpr auto min(const L& a, const R& b) { return detail::apply_function<rules::min_rule>(a, b); }
template <class L, class R> requires function_operands<L, R>
constexpr auto max(const L& a, const R& b) { return detail::apply_function<rules::max_rule>(a, b); }
template <class L, class R> requires function_operands<L, R>
constexpr auto fmin(const L& a, const R& b) { return detail::apply_function<rules::fmin_rule>(a, b); }
template <class L, class R> requires function_operands<L, R>
constexpr auto fmax(const L& a, const R& b) { return detail::apply_function<rules::fmax_rule>(a, b); }
// </generated>

// select(cond, a, b) = cond ? a : b, with the gradient flowing into the
// chosen branch only.
template <class C, class A, class B>
  requires operand<C> && operand<A> && operand<B>
constexpr auto select(const C& cond, const A& a, const B& b) { return detail::apply_function<rules::select_rule>(cond, a, b); }
// clang-format on

}  // namespace gradguard
