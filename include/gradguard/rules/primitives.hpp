// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The list of primitive functions: each front end expands it, so a function
// of the rule table is a function of every engine, under one name.
//
//   X(name, rule)   gg::name applies rules::rule
//
// Expanded by expr/operators.hpp (static expressions, and gg::real through
// them), forward/operators.hpp (gg::dual), tape/cuts.hpp (the cuts of a
// gg::real, which record where they were called) and eigen/elementwise.hpp
// (gg::real_matrix, elementwise). test/unit/rules/primitives_test.cpp checks
// that each front end offers each one. Adding a primitive: CONTRIBUTING.md.
//
// Not in the lists, because their signatures differ: the operators and
// comparisons, polygamma (its order is a template argument), cast<T> (a type
// argument) and select (a condition).
#pragma once

#include <gradguard/rules.hpp>

// Differentiable functions of one argument.
#define GRADGUARD_UNARY_PRIMITIVES(X) \
  X(sin, sin_rule)                    \
  X(cos, cos_rule)                    \
  X(tan, tan_rule)                    \
  X(asin, asin_rule)                  \
  X(acos, acos_rule)                  \
  X(atan, atan_rule)                  \
  X(sinh, sinh_rule)                  \
  X(cosh, cosh_rule)                  \
  X(tanh, tanh_rule)                  \
  X(asinh, asinh_rule)                \
  X(acosh, acosh_rule)                \
  X(atanh, atanh_rule)                \
  X(exp, exp_rule)                    \
  X(exp2, exp2_rule)                  \
  X(expm1, expm1_rule)                \
  X(log, log_rule)                    \
  X(log2, log2_rule)                  \
  X(log10, log10_rule)                \
  X(log1p, log1p_rule)                \
  X(sqrt, sqrt_rule)                  \
  X(cbrt, cbrt_rule)                  \
  X(square, square_rule)              \
  X(abs, abs_rule)                    \
  X(fabs, fabs_rule)                  \
  X(erf, erf_rule)                    \
  X(erfc, erfc_rule)                  \
  X(tgamma, tgamma_rule)              \
  X(lgamma, lgamma_rule)              \
  X(digamma, polygamma_rule<0>)       \
  X(sigmoid, sigmoid_rule)            \
  X(softplus, softplus_rule)

// Functions of one argument that cut the gradient (a structural zero).
#define GRADGUARD_CUT_PRIMITIVES(X) \
  X(floor, floor_rule)              \
  X(ceil, ceil_rule)                \
  X(round, round_rule)              \
  X(trunc, trunc_rule)              \
  X(sign, sign_rule)                \
  X(stop_gradient, stop_gradient_rule)

// Differentiable functions of two arguments.
#define GRADGUARD_BINARY_PRIMITIVES(X) \
  X(pow, pow_rule)                     \
  X(atan2, atan2_rule)                 \
  X(hypot, hypot_rule)                 \
  X(min, min_rule)                     \
  X(max, max_rule)                     \
  X(fmin, fmin_rule)                   \
  X(fmax, fmax_rule)
