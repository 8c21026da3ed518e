// gradguard with Eigen: gg::real as an Eigen scalar, Eigen vectors as
// arguments of gg::value_and_grad<gg::taped>. Only this header (and eigen/)
// includes Eigen; <gradguard/gradguard.hpp> compiles without it.
#pragma once

#include <gradguard/eigen/real.hpp>  // IWYU pragma: export
#include <gradguard/gradguard.hpp>   // IWYU pragma: export
