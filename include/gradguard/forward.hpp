// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Forward mode: gg::dual<T, N> (N tangents, or gg::dynamic), its operators
// and functions, each built on the rule table.
//
//   constexpr gg::dual<double, 2> x{2.0, {1.0, 0.0}};
//   static_assert(gg::tangent(x * x + 3.0 * x)[0] == 7.0);   // d/dx (x^2 + 3x) = 2x + 3
#pragma once

#include <gradguard/forward/apply.hpp>      // IWYU pragma: export
#include <gradguard/forward/dual.hpp>       // IWYU pragma: export
#include <gradguard/forward/operators.hpp>  // IWYU pragma: export
#include <gradguard/forward/tangent.hpp>    // IWYU pragma: export
