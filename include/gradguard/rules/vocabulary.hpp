// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The vocabulary every rule and every engine shares: structural zero and one,
// lazily computed partials, the reasons a path can be cut, and the rule traits.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace gradguard {

namespace detail {
// A false that depends on T, for static_asserts in templates.
template <class T>
inline constexpr bool always_false = false;

// An integer or bool, or a vector or matrix of them: a value that has no
// derivative (reason::integer_or_boolean): the drivers' arguments and
// tape.variable's value are refused at compile time.
template <class A>
inline constexpr bool is_integer_valued_v = std::is_integral_v<A> || requires {
  typename A::value_type;
  requires std::is_integral_v<typename A::value_type>;
};
}  // namespace detail

// A number type (int, double, bool, ...): a constant, never differentiated.
template <class T>
concept arithmetic = std::is_arithmetic_v<std::remove_cvref_t<T>>;

// A derivative that is zero because no path exists: an empty type, so the
// engines drop it at compile time. Converts to 0 of any arithmetic type.
struct zero;
struct one;
// Whether T is the structural zero (is_zero_v) or one (is_one_v); structural: either.
template <class T>
inline constexpr bool is_zero_v = std::is_same_v<std::remove_cvref_t<T>, zero>;
template <class T>
inline constexpr bool is_one_v = std::is_same_v<std::remove_cvref_t<T>, one>;
template <class T>
concept structural = is_zero_v<T> || is_one_v<T>;

// zero and one absorb or vanish in products and sums, for every other operand
// type (numbers, expressions, duals): this is what keeps symbolic derivatives
// and sweeps free of work on paths that do not exist. The operators are hidden
// friends, found only when a zero or one is an operand, so they never show up
// as candidates in the error for an unrelated operator.
template <class T>
concept not_structural = !structural<T>;

// gg::zero and gg::one: derivatives known at compile time to be 0 or 1. Arithmetic with them is
// resolved by the types (0 * x is zero, 1 * x is x), and they convert to any number.
struct zero {
  template <arithmetic T>
  constexpr operator T() const noexcept {  // NOLINT(google-explicit-constructor)
    return T(0);
  }
  template <not_structural T>
  friend constexpr zero operator*(zero, const T&) noexcept {
    return {};
  }
  template <not_structural T>
  friend constexpr zero operator*(const T&, zero) noexcept {
    return {};
  }
  template <not_structural T>
  friend constexpr zero operator/(zero, const T&) noexcept {
    return {};
  }
  template <not_structural T>
  friend constexpr T operator+(zero, const T& v) {
    return v;
  }
  template <not_structural T>
  friend constexpr T operator+(const T& v, zero) {
    return v;
  }
  template <not_structural T>
  friend constexpr T operator-(const T& v, zero) {
    return v;
  }
  template <not_structural T>
  friend constexpr auto operator-(zero, const T& v) {
    return -v;
  }
  friend constexpr zero operator*(zero, zero) noexcept { return {}; }
  friend constexpr zero operator+(zero, zero) noexcept { return {}; }
  friend constexpr zero operator-(zero, zero) noexcept { return {}; }
  friend constexpr zero operator-(zero) noexcept { return {}; }
  friend constexpr bool operator==(zero, zero) noexcept { return true; }
  template <arithmetic T>
  friend constexpr bool operator==(zero, T v) noexcept {
    return v == T(0);
  }
};

// The partial of an identity path (d x/d x, the partials of + and -).
struct one {
  template <arithmetic T>
  constexpr operator T() const noexcept {  // NOLINT(google-explicit-constructor)
    return T(1);
  }
  template <not_structural T>
  friend constexpr T operator*(one, const T& v) {
    return v;
  }
  template <not_structural T>
  friend constexpr T operator*(const T& v, one) {
    return v;
  }
  // 1 / b in the floating type of b (never integer division).
  template <not_structural T>
  friend constexpr auto operator/(one, const T& b) {
    if constexpr (std::is_integral_v<T>) return 1.0 / b;
    else if constexpr (std::is_floating_point_v<T>) return T(1) / b;
    else return 1 / b;
  }
  template <not_structural T>
  friend constexpr auto operator+(one, const T& v) {
    return 1 + v;
  }
  template <not_structural T>
  friend constexpr auto operator+(const T& v, one) {
    return v + 1;
  }
  friend constexpr zero operator*(zero, one) noexcept { return {}; }
  friend constexpr zero operator*(one, zero) noexcept { return {}; }
  friend constexpr one operator*(one, one) noexcept { return {}; }
  friend constexpr one operator+(zero, one) noexcept { return {}; }
  friend constexpr one operator+(one, zero) noexcept { return {}; }
  friend constexpr int operator+(one, one) noexcept { return 2; }
  friend constexpr int operator-(one) noexcept { return -1; }
  friend constexpr bool operator==(one, one) noexcept { return true; }
  template <arithmetic T>
  friend constexpr bool operator==(one, T v) noexcept {
    return v == T(1);
  }
};

// A partial that costs something and is often not needed (d pow(x, y)/dy
// needs log(x)); engines call it only for operands that carry a derivative.
template <class F>
struct lazy {
  F compute;
  constexpr auto operator()() const { return compute(); }
};
template <class F>
lazy(F) -> lazy<F>;

// A partial computed only when used (lazy), and force(p), its value.
template <class T>
inline constexpr bool is_lazy_v = false;
template <class F>
inline constexpr bool is_lazy_v<lazy<F>> = true;

template <class T>
constexpr auto force(const T& partial) {
  if constexpr (is_lazy_v<T>) return partial();
  else return partial;
}

// Why a variable has no derivative: one list for every engine. The static
// engine names the reason in a type, which compile errors show
// (`cannot_differentiate_with_respect_to<"w", reason::frozen>`); the tape and
// the drivers in a value of the same name (gg::missing_gradient's
// `variables()[i].reason == gg::missing_reason::frozen`). reason_code_v maps
// the one to the other.
namespace reason {
struct absent;         // not on any path to the result
struct stop_gradient;  // every path is cut by stop_gradient
template <class Rule>
struct non_differentiable;  // every path goes through Rule
struct integer_or_boolean;  // the variable holds an int or bool
struct frozen;              // declared with gg::frozen (gg::trainable::no on the tape)
struct not_a_variable;      // a constant or a number was passed
}  // namespace reason

// The reason of a missing gradient as a value, named as the gg::reason:: types (see above).
enum class missing_reason {
  absent,              // not on any path to the result
  stop_gradient,       // every path is cut by stop_gradient
  non_differentiable,  // every path goes through floor, round, a cast, a comparison, ...
  integer_or_boolean,  // holds an int or bool (known from types: a compile error)
  frozen,              // declared with gg::frozen, or created with gg::trainable::no
  not_a_variable,      // a constant: a number, or a gg::real made from one (on no tape)
  untaken_branch,      // run time only: in the branch of a select that was not taken
  other_tape,          // run time only: recorded on another tape
  // The names of gradguard 0.x.
  unused [[deprecated("use gg::missing_reason::absent")]] = absent,
  not_trainable [[deprecated("use gg::missing_reason::frozen")]] = frozen,
  constant [[deprecated("use gg::missing_reason::not_a_variable")]] = not_a_variable,
};

// The value of the reason type Reason: reason_code_v<reason::frozen> == missing_reason::frozen.
template <class Reason>
inline constexpr missing_reason reason_code_v = missing_reason::non_differentiable;
template <>
inline constexpr missing_reason reason_code_v<reason::absent> = missing_reason::absent;
template <>
inline constexpr missing_reason reason_code_v<reason::stop_gradient> =
    missing_reason::stop_gradient;
template <>
inline constexpr missing_reason reason_code_v<reason::integer_or_boolean> =
    missing_reason::integer_or_boolean;
template <>
inline constexpr missing_reason reason_code_v<reason::frozen> = missing_reason::frozen;
template <>
inline constexpr missing_reason reason_code_v<reason::not_a_variable> =
    missing_reason::not_a_variable;

namespace rules {

// Whether a rule carries a derivative into its I-th operand. A rule says so by
// `static constexpr bool differentiable = false;` (all operands) or by a
// `differentiable_arg(i)` function; by default every operand is differentiable.
template <class Rule>
constexpr bool differentiable_arg(std::size_t i) {
  if constexpr (requires { Rule::differentiable_arg(i); }) return Rule::differentiable_arg(i);
  else if constexpr (requires { Rule::differentiable; }) return Rule::differentiable;
  else return true;
}

// Whether Rule decides at run time which of its operands (of these types) a
// derivative flows into: it has a flows_into(i, operands...), as select.
template <class Rule, class... Operands>
concept conditional_flow = requires(std::size_t i, const Operands&... operands) {
  Rule::flows_into(i, operands...);
};

// Whether the derivative flows into operand I at these operand values (run
// time): false only where a rule says so, as select for the branch not taken.
template <class Rule, class... Operands>
constexpr bool flows_into(std::size_t i, const Operands&... operands) {
  if constexpr (conditional_flow<Rule, Operands...>) return Rule::flows_into(i, operands...);
  else return true;
}

// Whether a rule's reverse step is a vjp(state, g, result, operands...) that
// takes the cotangent g itself (gg::custom_gradient), not partials.
template <class Rule>
inline constexpr bool takes_cotangent = requires {
  Rule::takes_cotangent;
};

// Whether two nodes of Rule with the same operands are the same value, so a
// sweep may evaluate them once and send their summed adjoint through once:
// not for a custom vjp that may be non-linear in g, or whose callables capture.
template <class Rule>
constexpr bool shareable() {
  if constexpr (requires { Rule::shareable; }) return Rule::shareable;
  else return true;
}

// The reason reported for variables whose every path is cut by Rule.
template <class Rule>
struct cut_reason {
  using type = reason::non_differentiable<Rule>;
};
template <class Rule>
requires requires { typename Rule::cut_reason; }
struct cut_reason<Rule> {
  using type = typename Rule::cut_reason;
};
template <class Rule>
using cut_reason_t = typename cut_reason<Rule>::type;
// The same, as the value the tape reports.
template <class Rule>
inline constexpr missing_reason cut_code_v = reason_code_v<cut_reason_t<Rule>>;

}  // namespace rules
}  // namespace gradguard
