// Eigen's Cholesky decompositions of a dynamic Eigen::Matrix<gg::real>. Each
// case runs one generic function on double and on gg::real and compares the
// values, and the tape's Jacobian with central finite differences of the
// double version. (The decompositions are split over
// real_decompositions_test.cpp, real_fixed_decompositions_test.cpp,
// real_lu_test.cpp and real_full_piv_lu_test.cpp: each instantiates Eigen's
// kernels for double and for gg::real, and one file for all took 55 s and 2.6
// GB to compile.)
#include "finite_difference.hpp"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>

#include <vector>

namespace {

using namespace gradguard_test;  // NOLINT(google-build-using-namespace): test helpers

TEST(EigenRealDecompositions, LltSolveAndFactor) {
  // Only the lower triangle is read: the derivative with respect to an
  // entry above the diagonal is zero, for the tape and for the differences.
  const std::vector<double> x0 = join(spd(4, 1), numbers(4, 2));
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const Eigen::LLT<mat<S>> llt(dynamic(x, 4, 4));
        EXPECT_EQ(llt.info(), Eigen::Success);
        return vec<S>(llt.solve(column(x, 4, 16)));
      },
      x0);
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const Eigen::LLT<mat<S>> llt(dynamic(x, 4, 4));
        return mat<S>(llt.matrixL());
      },
      x0);
}

TEST(EigenRealDecompositions, LdltSolve) {
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const Eigen::LDLT<mat<S>> ldlt(dynamic(x, 4, 4));
        EXPECT_EQ(ldlt.info(), Eigen::Success);
        return vec<S>(ldlt.solve(column(x, 4, 16)));
      },
      join(spd(4, 5), numbers(4, 6)));
}

}  // namespace
