// gradguard with Eigen: gg::real and gg::dual as Eigen scalars, Eigen vectors
// as arguments of gg::value_and_grad<gg::taped> and <gg::forward>,
// matrix-valued tape variables (gg::real_matrix, gg::real_vector), and
// gg::jacobian / gg::hessian for Eigen vectors. Only this header (and eigen/)
// includes Eigen; <gradguard/gradguard.hpp> compiles without it.
#pragma once

#include <gradguard/eigen/custom.hpp>       // IWYU pragma: export
#include <gradguard/eigen/drivers.hpp>      // IWYU pragma: export
#include <gradguard/eigen/dual.hpp>         // IWYU pragma: export
#include <gradguard/eigen/elementwise.hpp>  // IWYU pragma: export
#include <gradguard/eigen/linear.hpp>       // IWYU pragma: export
#include <gradguard/eigen/matrix.hpp>       // IWYU pragma: export
#include <gradguard/eigen/operand.hpp>      // IWYU pragma: export
#include <gradguard/eigen/real.hpp>         // IWYU pragma: export
#include <gradguard/eigen/reductions.hpp>   // IWYU pragma: export
#include <gradguard/gradguard.hpp>          // IWYU pragma: export
