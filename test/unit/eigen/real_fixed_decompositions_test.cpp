// Fixed-size Eigen::Matrix<gg::real>: LLT, inverse() and determinant()
// (Eigen's closed forms for 2x2 to 4x4), and the Householder reflector of
// HouseholderQR. HouseholderQR itself works too, but its test alone took 24 s
// and 1.5 GB to compile. Each case runs one generic function on double and on
// gg::real and compares the values, and the tape's Jacobian with central
// finite differences of the double version. (The decompositions are split
// over real_decompositions_test.cpp, real_fixed_decompositions_test.cpp,
// real_lu_test.cpp and real_full_piv_lu_test.cpp: each instantiates Eigen's
// kernels for double and for gg::real, and one file for all took 55 s and 2.6
// GB to compile.)
#include "finite_difference.hpp"

#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <Eigen/Householder>
#include <Eigen/LU>

#include <vector>

namespace {

using namespace gradguard_test;  // NOLINT(google-build-using-namespace): test helpers

TEST(EigenRealDecompositions, FixedSizeLlt) {
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const Eigen::LLT<Eigen::Matrix<S, 3, 3>> llt(fixed<3, 3>(x));
        Eigen::Matrix<S, 3, 4> out;
        out.template leftCols<3>() = llt.matrixL();
        out.col(3) = llt.solve(fixed<3, 1>(x, 9));
        return out;
      },
      join(spd(3, 3), numbers(3, 4)));
}

TEST(EigenRealDecompositions, HouseholderReflector) {
  // The reflector of HouseholderQR: (essential part, tau, beta) of v.
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const vec<S> v = column(x, 5);
        vec<S> essential(4);
        S tau, beta;
        v.makeHouseholder(essential, tau, beta);
        vec<S> out(6);
        out << essential, tau, beta;
        return out;
      },
      numbers(5, 22));
}

TEST(EigenRealInverse, FixedSizes) {
  expect_derivatives([](const auto& x) { return fixed<2, 2>(x).inverse().eval(); },
                     join(needs_pivoting(2, 13)));
  expect_derivatives([](const auto& x) { return fixed<3, 3>(x).inverse().eval(); },
                     join(needs_pivoting(3, 14)));
  expect_derivatives([](const auto& x) { return fixed<4, 4>(x).inverse().eval(); },
                     join(needs_pivoting(4, 15)));
}

TEST(EigenRealDeterminant, FixedSizes) {
  expect_derivatives([](const auto& x) { return fixed<2, 2>(x).determinant(); },
                     join(needs_pivoting(2, 17)));
  expect_derivatives([](const auto& x) { return fixed<3, 3>(x).determinant(); },
                     join(needs_pivoting(3, 18)));
  expect_derivatives([](const auto& x) { return fixed<4, 4>(x).determinant(); },
                     join(needs_pivoting(4, 19)));
}

}  // namespace
