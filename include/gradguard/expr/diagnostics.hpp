// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Compile-time diagnoses of missing gradients. The first error line is the
// use of an incomplete type whose name is the sentence, with the variable
// (or argument position) and the reason in it:
//   cannot_differentiate_with_respect_to<"w", gradguard::reason::frozen>
// followed by a static_assert that explains the reason and gives the fix.
#pragma once

#include <cstddef>
#include <type_traits>

#include <gradguard/detail/fixed_string.hpp>
#include <gradguard/rules/rule.hpp>

namespace gradguard {

// Never defined: naming them is the error.
template <fixed_string Variable, class Reason>
struct cannot_differentiate_with_respect_to;
template <std::size_t Position, class Reason>
struct cannot_differentiate_with_respect_to_argument;
template <std::size_t Position, class Passed>
struct gradient_argument_is_not_a_variable;

// Asks for structural zeros instead of a compile error.
struct allow_unconnected_t {
  explicit allow_unconnected_t() = default;
};
inline constexpr allow_unconnected_t allow_unconnected{};

namespace detail {

// The incomplete type names the variable and the reason; then one
// static_assert per reason says why and how to fix it.
template <fixed_string Variable, class Reason>
constexpr void missing_gradient() {
  [[maybe_unused]] cannot_differentiate_with_respect_to<Variable, Reason> error;
  if constexpr (std::is_same_v<Reason, reason::absent>) {
    static_assert(always_false<Reason>,
                  "gradguard: the variable does not appear in the expression, so no derivative "
                  "exists; fix: differentiate an expression that uses it, or pass "
                  "gg::allow_unconnected to get gg::zero");
  } else if constexpr (std::is_same_v<Reason, reason::stop_gradient>) {
    static_assert(always_false<Reason>,
                  "gradguard: every path from the variable to the result goes through "
                  "gg::stop_gradient; fix: remove the stop_gradient on the path, or pass "
                  "gg::allow_unconnected to get gg::zero");
  } else if constexpr (std::is_same_v<Reason, reason::integer_or_boolean>) {
    static_assert(always_false<Reason>,
                  "gradguard: the variable holds an integer or bool, which has no derivative; "
                  "fix: declare it with a floating value, gg::var<\"n\">(3.0), or do not "
                  "differentiate with respect to it");
  } else if constexpr (std::is_same_v<Reason, reason::frozen>) {
    static_assert(always_false<Reason>,
                  "gradguard: the variable is frozen (declared with gg::frozen), so it is not "
                  "trained; fix: declare it with gg::var, or pass gg::allow_unconnected to get "
                  "gg::zero");
  } else {
    static_assert(always_false<Reason>,
                  "gradguard: every path from the variable to the result goes through the "
                  "non-differentiable operation named in reason::non_differentiable<...> "
                  "(rounding, sign, a comparison or a cast to an integer); fix: use a smooth "
                  "operation or gg::select on the path, or pass gg::allow_unconnected to get "
                  "gg::zero");
  }
}

template <std::size_t Position, class Reason>
constexpr void missing_argument_gradient() {
  [[maybe_unused]] cannot_differentiate_with_respect_to_argument<Position, Reason> error;
  if constexpr (std::is_same_v<Reason, reason::integer_or_boolean>) {
    static_assert(always_false<Reason>,
                  "gradguard::value_and_grad(fn, args...): the argument at this position (counted "
                  "from 1) is an integer or bool, which has no derivative; fix: pass a floating "
                  "value (3.0 instead of 3), or pass it as gg::nondiff(arg)");
  } else {
    static_assert(always_false<Reason>,
                  "gradguard::value_and_grad(fn, args...): the argument at this position (counted "
                  "from 1) does not reach the result of fn through a differentiable path, for "
                  "the reason named above; fix: use it in fn, or pass it as gg::nondiff(arg)");
  }
}

template <std::size_t Position, class Passed>
constexpr void not_a_variable() {
  [[maybe_unused]] gradient_argument_is_not_a_variable<Position, Passed> error;
  static_assert(always_false<Passed>,
                "gradguard: derivatives are taken with respect to variables made by "
                "gg::var<\"name\">(value), but the argument at this position (counted from 1 "
                "after the expression) is a constant, a plain number or an expression; fix: "
                "pass the variable itself");
}

}  // namespace detail

}  // namespace gradguard
