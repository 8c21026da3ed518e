// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The leaves of static expressions: variables (identity = name), frozen
// parameters and constants. Leaves hold their values by value, so that
// `auto f = x * y;` never dangles.
#pragma once

#include <concepts>
#include <type_traits>

#include <gradguard/detail/fixed_string.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {

// Opt-in trait: a type is a static expression when this is true for it.
// Other parts (the tape's gg::real) specialise it from their own side.
template <class E>
struct is_expression : std::false_type {};

template <class E>
concept expression = is_expression<std::remove_cvref_t<E>>::value;

// Opt-in trait: a leaf whose value lives on a run-time tape (gg::real, from
// the tape/ side). The static engine treats it as a constant; the tape
// records the statements built on it.
template <class E>
struct is_runtime_leaf : std::false_type {};

template <class E>
using value_type_t = typename std::remove_cvref_t<E>::value_type;

// A differentiable variable when T is a floating type; an integer or bool
// variable is carried for its value but never has a gradient.
template <fixed_string Name, arithmetic T>
struct variable {
  using value_type = T;
  static constexpr auto name = Name;
  T value;
};

// A named parameter that is not trained (Keras' trainable=False).
template <fixed_string Name, arithmetic T>
struct frozen_variable {
  using value_type = T;
  static constexpr auto name = Name;
  T value;
};

// A constant: gg::constant(v), and every plain number in an expression.
template <arithmetic T>
struct literal {
  using value_type = T;
  T value;
};

template <fixed_string Name, arithmetic T>
struct is_expression<variable<Name, T>> : std::true_type {};
template <fixed_string Name, arithmetic T>
struct is_expression<frozen_variable<Name, T>> : std::true_type {};
template <arithmetic T>
struct is_expression<literal<T>> : std::true_type {};

template <class T>
inline constexpr bool is_variable_v = false;
template <fixed_string Name, arithmetic T>
inline constexpr bool is_variable_v<variable<Name, T>> = true;
template <fixed_string Name, arithmetic T>
inline constexpr bool is_variable_v<frozen_variable<Name, T>> = true;

// A leaf that receives a gradient: gg::var with a floating value.
template <class T>
inline constexpr bool is_trainable_variable_v = false;
template <fixed_string Name, std::floating_point T>
inline constexpr bool is_trainable_variable_v<variable<Name, T>> = true;

// Something that names a variable: gg::var and gg::frozen leaves.
template <class V>
concept named_variable = is_variable_v<std::remove_cvref_t<V>>;

// gg::var<"x">(1.5): a variable named x; gg::frozen<"w">(v): a named parameter that is not
// differentiated (reason::frozen); gg::constant(v): a literal.
template <fixed_string Name, arithmetic T>
constexpr variable<Name, T> var(T v) noexcept {
  return {v};
}
template <fixed_string Name, arithmetic T>
constexpr frozen_variable<Name, T> frozen(T v) noexcept {
  return {v};
}
template <arithmetic T>
constexpr literal<T> constant(T v) noexcept {
  return {v};
}

}  // namespace gradguard
