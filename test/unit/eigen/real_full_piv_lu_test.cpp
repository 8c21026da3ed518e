// FullPivLU on Eigen::Matrix<gg::real>, with complete pivoting. Each case
// runs one generic function on double and on gg::real and compares the
// values, and the tape's Jacobian with central finite differences of the
// double version. (The decompositions are split over
// real_decompositions_test.cpp, real_fixed_decompositions_test.cpp,
// real_lu_test.cpp and real_full_piv_lu_test.cpp: each instantiates Eigen's
// kernels for double and for gg::real, and one file for all took 55 s and 2.6
// GB to compile.)
#include "finite_difference.hpp"

#include <gtest/gtest.h>

#include <Eigen/LU>

#include <vector>

namespace {

using namespace gradguard_test;  // NOLINT(google-build-using-namespace): test helpers

TEST(EigenRealDecompositions, FullPivLuSolve) {
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const Eigen::FullPivLU<mat<S>> lu(dynamic(x, 4, 4));
        EXPECT_EQ(lu.rank(), 4);
        return vec<S>(lu.solve(column(x, 4, 16)));
      },
      join(needs_pivoting(4, 9), numbers(4, 10)));
}

}  // namespace
