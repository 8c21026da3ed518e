// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Operators and functions of gg::dual: each one applies a rule of the rule
// table (rules/); none restates a derivative. Operands are duals,
// expressions of duals, and plain numbers (constants, with a structurally
// zero tangent). Comparisons compare values and give bool, as for Ceres' Jet.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include <gradguard/forward/apply.hpp>
#include <gradguard/forward/dual.hpp>
#include <gradguard/rules/primitives.hpp>

namespace gradguard {

namespace detail {
template <class L, class R>
inline constexpr bool are_dual_operands_v = (dual_like<L> || dual_like<R>)&&(
    dual_like<L> || arithmetic<L>)&&(dual_like<R> || arithmetic<R>);
}  // namespace detail

// Two operands of which at least one is a dual and the other a dual or a
// number. One atomic check, so that a failed match stays a one-line note.
template <class L, class R>
concept dual_operands = detail::are_dual_operands_v<std::remove_cvref_t<L>, std::remove_cvref_t<R>>;

namespace dual_operators {

// clang-format off
template <class L, class R> requires dual_operands<L, R>
constexpr auto operator+(L&& l, R&& r) { return detail::apply_rule<rules::add_rule>(std::forward<L>(l), std::forward<R>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto operator-(L&& l, R&& r) { return detail::apply_rule<rules::sub_rule>(std::forward<L>(l), std::forward<R>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto operator*(L&& l, R&& r) { return detail::apply_rule<rules::mul_rule>(std::forward<L>(l), std::forward<R>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto operator/(L&& l, R&& r) { return detail::apply_rule<rules::div_rule>(std::forward<L>(l), std::forward<R>(r)); }
template <dual_like X>
constexpr auto operator-(X&& x) { return detail::apply_rule<rules::neg_rule>(std::forward<X>(x)); }
template <dual_like X>
constexpr auto operator+(X&& x) { return std::remove_cvref_t<X>(std::forward<X>(x)); }

// Comparisons of values; == between duals compares values only (Ceres' Jet).
template <class L, class R> requires dual_operands<L, R>
constexpr bool operator<(const L& l, const R& r) { return rules::less_rule::value(detail::value_of<detail::top_level<L, R>>(l), detail::value_of<detail::top_level<L, R>>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr bool operator<=(const L& l, const R& r) { return rules::less_equal_rule::value(detail::value_of<detail::top_level<L, R>>(l), detail::value_of<detail::top_level<L, R>>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr bool operator>(const L& l, const R& r) { return rules::greater_rule::value(detail::value_of<detail::top_level<L, R>>(l), detail::value_of<detail::top_level<L, R>>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr bool operator>=(const L& l, const R& r) { return rules::greater_equal_rule::value(detail::value_of<detail::top_level<L, R>>(l), detail::value_of<detail::top_level<L, R>>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr bool operator==(const L& l, const R& r) { return rules::equal_to_rule::value(detail::value_of<detail::top_level<L, R>>(l), detail::value_of<detail::top_level<L, R>>(r)); }
template <class L, class R> requires dual_operands<L, R>
constexpr bool operator!=(const L& l, const R& r) { return rules::not_equal_to_rule::value(detail::value_of<detail::top_level<L, R>>(l), detail::value_of<detail::top_level<L, R>>(r)); }
// clang-format on

}  // namespace dual_operators

// clang-format off
// The functions of rules/primitives.hpp (see tools/gen_primitives.py).
// <generated: dual unary from rules/primitives.hpp by tools/gen_primitives.py>
template <dual_like X> constexpr auto sin(X&& x) { return detail::apply_rule<rules::sin_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto cos(X&& x) { return detail::apply_rule<rules::cos_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto tan(X&& x) { return detail::apply_rule<rules::tan_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto asin(X&& x) { return detail::apply_rule<rules::asin_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto acos(X&& x) { return detail::apply_rule<rules::acos_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto atan(X&& x) { return detail::apply_rule<rules::atan_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto sinh(X&& x) { return detail::apply_rule<rules::sinh_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto cosh(X&& x) { return detail::apply_rule<rules::cosh_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto tanh(X&& x) { return detail::apply_rule<rules::tanh_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto asinh(X&& x) { return detail::apply_rule<rules::asinh_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto acosh(X&& x) { return detail::apply_rule<rules::acosh_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto atanh(X&& x) { return detail::apply_rule<rules::atanh_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto exp(X&& x) { return detail::apply_rule<rules::exp_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto exp2(X&& x) { return detail::apply_rule<rules::exp2_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto expm1(X&& x) { return detail::apply_rule<rules::expm1_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto log(X&& x) { return detail::apply_rule<rules::log_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto log2(X&& x) { return detail::apply_rule<rules::log2_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto log10(X&& x) { return detail::apply_rule<rules::log10_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto log1p(X&& x) { return detail::apply_rule<rules::log1p_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto sqrt(X&& x) { return detail::apply_rule<rules::sqrt_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto cbrt(X&& x) { return detail::apply_rule<rules::cbrt_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto square(X&& x) { return detail::apply_rule<rules::square_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto abs(X&& x) { return detail::apply_rule<rules::abs_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto fabs(X&& x) { return detail::apply_rule<rules::fabs_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto erf(X&& x) { return detail::apply_rule<rules::erf_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto erfc(X&& x) { return detail::apply_rule<rules::erfc_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto tgamma(X&& x) { return detail::apply_rule<rules::tgamma_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto lgamma(X&& x) { return detail::apply_rule<rules::lgamma_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto digamma(X&& x) { return detail::apply_rule<rules::polygamma_rule<0>>(std::forward<X>(x)); }
template <dual_like X> constexpr auto sigmoid(X&& x) { return detail::apply_rule<rules::sigmoid_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto softplus(X&& x) { return detail::apply_rule<rules::softplus_rule>(std::forward<X>(x)); }
// </generated>
template <int K, dual_like X>
constexpr auto polygamma(std::integral_constant<int, K>, X&& x) { return detail::apply_rule<rules::polygamma_rule<K>>(std::forward<X>(x)); }
// Structurally zero tangents: gg::tangent(gg::floor(x)) is a gg::zero.
// <generated: dual cut from rules/primitives.hpp by tools/gen_primitives.py>
template <dual_like X> constexpr auto floor(X&& x) { return detail::apply_rule<rules::floor_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto ceil(X&& x) { return detail::apply_rule<rules::ceil_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto round(X&& x) { return detail::apply_rule<rules::round_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto trunc(X&& x) { return detail::apply_rule<rules::trunc_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto sign(X&& x) { return detail::apply_rule<rules::sign_rule>(std::forward<X>(x)); }
template <dual_like X> constexpr auto stop_gradient(X&& x) { return detail::apply_rule<rules::stop_gradient_rule>(std::forward<X>(x)); }
// </generated>
// The binary functions of rules/primitives.hpp on duals and numbers.
// <generated: dual binary from rules/primitives.hpp by tools/gen_primitives.py>
template <class L, class R> requires dual_operands<L, R>
constexpr auto pow(L&& a, R&& b) { return detail::apply_rule<rules::pow_rule>(std::forward<L>(a), std::forward<R>(b)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto atan2(L&& a, R&& b) { return detail::apply_rule<rules::atan2_rule>(std::forward<L>(a), std::forward<R>(b)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto hypot(L&& a, R&& b) { return detail::apply_rule<rules::hypot_rule>(std::forward<L>(a), std::forward<R>(b)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto min(L&& a, R&& b) { return detail::apply_rule<rules::min_rule>(std::forward<L>(a), std::forward<R>(b)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto max(L&& a, R&& b) { return detail::apply_rule<rules::max_rule>(std::forward<L>(a), std::forward<R>(b)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto fmin(L&& a, R&& b) { return detail::apply_rule<rules::fmin_rule>(std::forward<L>(a), std::forward<R>(b)); }
template <class L, class R> requires dual_operands<L, R>
constexpr auto fmax(L&& a, R&& b) { return detail::apply_rule<rules::fmax_rule>(std::forward<L>(a), std::forward<R>(b)); }
// </generated>
// select(cond, a, b) = cond ? a : b; the tangent of the branch not taken is
// not read (the rule's flows_into).
template <arithmetic C, class A, class B> requires dual_operands<A, B>
constexpr auto select(C cond, A&& a, B&& b) {
  return detail::apply_rule<rules::select_rule>(static_cast<bool>(cond), std::forward<A>(a), std::forward<B>(b));
}
// clang-format on

template <arithmetic T, dual_like X>
constexpr auto cast(X&& x);

namespace detail {
// cast<T> on a nested dual casts its value, itself a dual, by the same rule.
template <class T>
struct nested_cast_rule : rules::cast_rule<T> {
  static constexpr auto value(const auto& x) { return gradguard::cast<T>(x); }
};
}  // namespace detail

// cast<T>(d): to a floating type the tangent follows; to an integer or bool
// it is structurally zero.
template <arithmetic T, dual_like X>
constexpr auto cast(X&& x) {  // declared above
  if constexpr (detail::nesting_level<X>() == 1)
    return detail::apply_rule<rules::cast_rule<T>>(std::forward<X>(x));
  else return detail::apply_rule<detail::nested_cast_rule<T>>(std::forward<X>(x));
}

namespace detail {
// Constexpr tests of a number (std::isfinite is not constexpr before C++23).
template <class X>
constexpr bool is_finite_number(const X& x) {
  if constexpr (std::is_integral_v<X>) return true;
  else return x - x == x - x;  // inf - inf and NaN - NaN are NaN
}
template <class X>
constexpr bool is_nan_number(const X& x) {
  return x != x;  // NOLINT(misc-redundant-expression)
}
}  // namespace detail

// Finite: the value and every tangent component (as Ceres' Jet). Found by
// Eigen's numext::isfinite (allFinite()) and usable by the tape's finite checks.
template <dual_like D>
constexpr bool isfinite(const D& d) {
  const auto m = detail::materialize(d);
  auto finite = [](const auto& x) {
    if constexpr (arithmetic<decltype(x)>) return detail::is_finite_number(x);
    else return gradguard::isfinite(x);
  };
  if (!finite(m.value)) return false;
  for (const auto& t : m.tangent)
    if (!finite(t)) return false;
  return true;
}
// NaN in the value or in a tangent component.
template <dual_like D>
constexpr bool isnan(const D& d) {
  const auto m = detail::materialize(d);
  auto nan = [](const auto& x) {
    if constexpr (arithmetic<decltype(x)>) return detail::is_nan_number(x);
    else return gradguard::isnan(x);
  };
  if (nan(m.value)) return true;
  for (const auto& t : m.tangent)
    if (nan(t)) return true;
  return false;
}
// Infinite somewhere, NaN nowhere.
template <dual_like D>
constexpr bool isinf(const D& d) {
  return !gradguard::isfinite(d) && !gradguard::isnan(d);
}

}  // namespace gradguard
