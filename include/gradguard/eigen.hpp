// gradguard with Eigen: gg::real as an Eigen scalar, Eigen vectors as
// arguments of gg::value_and_grad<gg::taped>, matrix-valued tape variables
// (gg::real_matrix, gg::real_vector). Only this header (and eigen/)
// includes Eigen; <gradguard/gradguard.hpp> compiles without it.
#pragma once

#include <gradguard/eigen/dual.hpp>     // IWYU pragma: export
#include <gradguard/eigen/matrix.hpp>   // IWYU pragma: export
#include <gradguard/eigen/real.hpp>     // IWYU pragma: export
#include <gradguard/gradguard.hpp>      // IWYU pragma: export
