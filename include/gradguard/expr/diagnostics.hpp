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
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {

// Never defined: naming them is the error. One diagnosis names every
// variable without a derivative: the first two arguments name the first,
// and_to<"z", reason> each further one.
template <fixed_string Variable, class Reason, class... AndTo>
struct cannot_differentiate_with_respect_to;
template <fixed_string Variable, class Reason>
struct and_to;
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

template <class R>
inline constexpr bool is_non_differentiable_v = false;
template <class Rule>
inline constexpr bool is_non_differentiable_v<reason::non_differentiable<Rule>> = true;

template <class... AndTo>
struct missing_list {};

template <class Reason, class AndTo>
inline constexpr bool is_reason_of_v = false;
template <class Reason, fixed_string Variable, class R>
inline constexpr bool is_reason_of_v<Reason, and_to<Variable, R>> =
    std::is_same_v<Reason, R> ||
    (std::is_same_v<Reason, reason::non_differentiable<void>> && is_non_differentiable_v<R>);
template <class Reason, class... AndTo>
inline constexpr bool has_reason_v = (is_reason_of_v<Reason, AndTo> || ...);

// The incomplete type names every variable and its reason (the operation
// that cut the path is in the reason: reason::non_differentiable<floor_rule>);
// then one static_assert per reason that occurs says why and how to fix it.
template <fixed_string Variable, class Reason, class... AndTo>
constexpr void missing_gradient(missing_list<and_to<Variable, Reason>, AndTo...>) {
  [[maybe_unused]] cannot_differentiate_with_respect_to<Variable, Reason, AndTo...> error;
  using first = and_to<Variable, Reason>;
  constexpr bool absent = has_reason_v<reason::absent, first, AndTo...>;
  constexpr bool stopped = has_reason_v<reason::stop_gradient, first, AndTo...>;
  constexpr bool integer = has_reason_v<reason::integer_or_boolean, first, AndTo...>;
  constexpr bool frozen = has_reason_v<reason::frozen, first, AndTo...>;
  constexpr bool cut_by_operation = has_reason_v<reason::non_differentiable<void>, first, AndTo...>;
  static_assert(!absent,
                "gradguard: the variable does not appear in the expression, so no derivative "
                "exists; fix: differentiate an expression that uses it, or pass "
                "gg::allow_unconnected to get gg::zero");
  static_assert(!stopped,
                "gradguard: every path from the variable to the result goes through "
                "gg::stop_gradient; fix: remove the stop_gradient on the path, or pass "
                "gg::allow_unconnected to get gg::zero");
  static_assert(!integer,
                "gradguard: the variable holds an integer or bool, which has no derivative; "
                "fix: declare it with a floating value, gg::var<\"n\">(3.0), or do not "
                "differentiate with respect to it");
  static_assert(!frozen,
                "gradguard: the variable is frozen (declared with gg::frozen), so it is not "
                "trained; fix: declare it with gg::var, or pass gg::allow_unconnected to get "
                "gg::zero");
  static_assert(!cut_by_operation,
                "gradguard: every path from the variable to the result goes through the "
                "non-differentiable operation named in reason::non_differentiable<...> "
                "(rounding, sign, a comparison or a cast to an integer); fix: use a smooth "
                "operation or gg::select on the path, or pass gg::allow_unconnected to get "
                "gg::zero");
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
