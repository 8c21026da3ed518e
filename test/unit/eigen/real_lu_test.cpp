// PartialPivLU, and inverse() and determinant() of dynamic matrices (which
// use it) on Eigen::Matrix<gg::real>. Pivoting compares gg::real values (a
// bool, recorded as the branch taken): the pivots must be those of double,
// and the result must still carry its gradient. Each case runs one generic
// function on double and on gg::real and compares the values, and the tape's
// Jacobian with central finite differences of the double version. (The
// decompositions are split over real_decompositions_test.cpp,
// real_fixed_decompositions_test.cpp, real_lu_test.cpp and
// real_full_piv_lu_test.cpp: each instantiates Eigen's kernels for double and
// for gg::real, and one file for all took 55 s and 2.6 GB to compile.)
#include "finite_difference.hpp"

#include <gtest/gtest.h>

#include <Eigen/LU>

#include <vector>

namespace {

using namespace gradguard_test;  // NOLINT(google-build-using-namespace): test helpers

TEST(EigenRealDecompositions, PartialPivLuPivotsAsDoubleAndSolves) {
  const Eigen::MatrixXd a0 = needs_pivoting(5, 7);
  const std::vector<double> x0 = join(a0, numbers(5, 8));
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const Eigen::PartialPivLU<mat<S>> lu(dynamic(x, 5, 5));
        return vec<S>(lu.solve(column(x, 5, 25)));
      },
      x0);

  gg::tape tape;
  const std::vector<gg::real> x = tape.variables("x", x0);
  const Eigen::PartialPivLU<mat<gg::real>> lu(dynamic(x, 5, 5));
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu0(a0);
  EXPECT_NE(lu0.permutationP().indices(), Eigen::VectorXi::LinSpaced(5, 0, 4));  // it pivots
  EXPECT_EQ(lu.permutationP().indices(), lu0.permutationP().indices());
  EXPECT_TRUE(gg::value(lu.matrixLU()).isApprox(lu0.matrixLU(), 1e-13));
}

TEST(EigenRealInverse, Dynamic5x5) {
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        return mat<S>(dynamic(x, 5, 5).inverse());
      },
      join(needs_pivoting(5, 16)));
}

TEST(EigenRealDeterminant, Dynamic) {
  // Dynamic sizes go through PartialPivLU, with its pivoting.
  expect_derivatives([](const auto& x) { return dynamic(x, 4, 4).determinant(); },
                     join(needs_pivoting(4, 20)));
  expect_derivatives([](const auto& x) { return dynamic(x, 5, 5).determinant(); },
                     join(needs_pivoting(5, 21)));
}

}  // namespace
