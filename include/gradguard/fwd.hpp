// Forward declarations of gradguard's public types.
#pragma once

#include <cstddef>

#include <gradguard/detail/fixed_string.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {
template <class E>
struct is_expression;
template <fixed_string Name, arithmetic T>
struct variable;
template <fixed_string Name, arithmetic T>
struct frozen_variable;
template <arithmetic T>
struct literal;
template <class Rule, class... Args>
struct node;
template <class E>
struct activity;
template <std::size_t N>
struct variable_set;
template <fixed_string... Names>
struct name_list;
template <class NameList, class... Ts>
struct gradient_result;
template <class Value, class Gradient>
struct value_and_gradient_result;
template <class Value, class Gradient>
struct value_and_grad_result;
template <class T>
struct nondiff_arg;
struct allow_unconnected_t;
// The tangent width of a gg::dual sized at run time.
inline constexpr std::size_t dynamic = static_cast<std::size_t>(-1);
template <class T, std::size_t N>
struct dual;
template <class T, std::size_t N>
struct dual_view;
template <class V, std::size_t N, class Tangent>
struct dual_expression;
struct forward;
template <class Value>
struct jvp_result;
}  // namespace gradguard
