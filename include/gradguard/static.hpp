// The static engine alone: compile-time expression trees (gg::var, the
// operators and functions of the rule table), their derivatives, gradients
// and diagnostics, without the tape, forward mode or the checker. It parses
// in about half the time of <gradguard/gradguard.hpp> (docs/design.md,
// "Include cost"); the umbrella includes it.
//
//   #include <gradguard/static.hpp>
//   constexpr auto x = gg::var<"x">(3.0);
//   static_assert(gg::derivative(x * x, x) == 6.0);
#pragma once

#include <gradguard/detail/fixed_string.hpp>   // IWYU pragma: export
#include <gradguard/expr/activity.hpp>         // IWYU pragma: export
#include <gradguard/expr/custom_gradient.hpp>  // IWYU pragma: export
#include <gradguard/expr/diagnostics.hpp>      // IWYU pragma: export
#include <gradguard/expr/explain.hpp>          // IWYU pragma: export
#include <gradguard/expr/functional.hpp>       // IWYU pragma: export
#include <gradguard/expr/gradient.hpp>         // IWYU pragma: export
#include <gradguard/expr/leaf.hpp>             // IWYU pragma: export
#include <gradguard/expr/node.hpp>             // IWYU pragma: export
#include <gradguard/expr/operators.hpp>        // IWYU pragma: export
#include <gradguard/expr/symbolic.hpp>         // IWYU pragma: export
#include <gradguard/fwd.hpp>                   // IWYU pragma: export
#include <gradguard/rules.hpp>                 // IWYU pragma: export
