// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Operations on a gg::real that cut its gradient: stop_gradient, the
// rounding functions, sign and casts to integer or bool. Applied to a real
// directly they record where they were called, so a missing gradient points
// at that line. (Inside a larger expression they are ordinary nodes, and
// the statement's line is used.)
#pragma once

#include <source_location>

#include <gradguard/rules/primitives.hpp>
#include <gradguard/tape/tape.hpp>

namespace gradguard {

namespace detail {
template <class Rule, class T>
basic_real<T> record_cut_rule(const basic_real<T>& x, const std::source_location& where) {
  const T value = T(to_tape_value<T>(Rule::value(x.value)));
  if (!x.on_tape()) return basic_real<T>(value);
  return tape_of<T>(x)->record_cut(value, x, rules::cut_code_v<Rule>, Rule::name, where);
}
}  // namespace detail

// clang-format off
// The cuts of rules/primitives.hpp (see tools/gen_primitives.py).
// <generated: real cut from rules/primitives.hpp by tools/gen_primitives.py>
template <class T>
basic_real<T> floor(const basic_real<T>& x, const std::source_location& where = std::source_location::current()) {
  return detail::record_cut_rule<rules::floor_rule>(x, where);
}
template <class T>
basic_real<T> ceil(const basic_real<T>& x, const std::source_location& where = std::source_location::current()) {
  return detail::record_cut_rule<rules::ceil_rule>(x, where);
}
template <class T>
basic_real<T> round(const basic_real<T>& x, const std::source_location& where = std::source_location::current()) {
  return detail::record_cut_rule<rules::round_rule>(x, where);
}
template <class T>
basic_real<T> trunc(const basic_real<T>& x, const std::source_location& where = std::source_location::current()) {
  return detail::record_cut_rule<rules::trunc_rule>(x, where);
}
template <class T>
basic_real<T> sign(const basic_real<T>& x, const std::source_location& where = std::source_location::current()) {
  return detail::record_cut_rule<rules::sign_rule>(x, where);
}
template <class T>
basic_real<T> stop_gradient(const basic_real<T>& x, const std::source_location& where = std::source_location::current()) {
  return detail::record_cut_rule<rules::stop_gradient_rule>(x, where);
}
// </generated>
// gg::cast<int>(r): the value converted to A and back, with its path cut.
// gg::cast<float>(r) rounds the value and keeps the gradient (a floating
// cast is differentiable, with partial 1).
template <arithmetic A, class T>
basic_real<T> cast(const basic_real<T>& x, const std::source_location& where = std::source_location::current()) {
  if constexpr (std::floating_point<A>) return basic_real<T>(make_node<rules::cast_rule<A>>(x), where);
  else return detail::record_cut_rule<rules::cast_rule<A>>(x, where);
}
// clang-format on

}  // namespace gradguard
