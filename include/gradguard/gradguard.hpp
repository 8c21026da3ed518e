// gradguard: automatic differentiation in which a missing gradient cannot go
// unnoticed. Users write `namespace gg = gradguard;`.
#pragma once

// The static engine: what <gradguard/static.hpp> includes, listed here
// directly so that a diagnostic of the static engine shows one include level
// fewer (test/headers checks that the lists agree).
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
#include <gradguard/static.hpp>                // IWYU pragma: export
// The engines built on it.
#include <gradguard/forward.hpp>             // IWYU pragma: export
#include <gradguard/forward/functional.hpp>  // IWYU pragma: export
#include <gradguard/tape.hpp>                // IWYU pragma: export
// Jacobians and Hessians, built on both.
#include <gradguard/derivatives.hpp>  // IWYU pragma: export
// The checks last: they use every engine (and so a diagnostic of the static
// engine shows a short include chain).
#include <gradguard/check/finite_difference.hpp>  // IWYU pragma: export
#include <gradguard/check/gradient.hpp>           // IWYU pragma: export
#include <gradguard/check/report.hpp>             // IWYU pragma: export
