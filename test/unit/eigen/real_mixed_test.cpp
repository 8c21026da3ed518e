// Matrices of double and of gg::real mixed without casts, in products,
// sums and with scalars: values and the tape's Jacobian against central
// finite differences of the same function with every matrix of double.
#include "finite_difference.hpp"

#include <gtest/gtest.h>

#include <type_traits>
#include <vector>

namespace {

using namespace gradguard_test;  // NOLINT(google-build-using-namespace): test helpers

// ---- mixed double and gg::real, no casts --------------------------------

TEST(EigenRealMixed, DoubleMatrixTimesRealMatrixAndTheReverse) {
  const Eigen::MatrixXd small = Eigen::Map<const Eigen::MatrixXd>(numbers(12, 12).data(), 4, 3);
  const Eigen::MatrixXd big = Eigen::Map<const Eigen::MatrixXd>(numbers(80, 13).data(), 10, 8);
  // Small: coefficient by coefficient. Big: where Eigen would use its GEMM
  // kernel for one scalar type.
  expect_derivatives(
      [&](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 3, 2);
        const mat<S> p = small * a;  // MatrixXd * Matrix<real>
        return p;
      },
      numbers(6, 14));
  expect_derivatives(
      [&](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 6, 4);
        mat<S> p(6, 3);
        p.noalias() = a * small;  // Matrix<real> * MatrixXd
        return p;
      },
      numbers(24, 15));
  expect_derivatives(
      [&](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 8, 9);
        mat<S> out(19, 9);
        out.topRows(10) = big * a;
        out.bottomRows(9) = a.transpose() * big.transpose().leftCols(9);
        return out;
      },
      numbers(72, 16));
}

TEST(EigenRealMixed, MatrixVectorProductsAcrossScalarTypes) {
  const Eigen::MatrixXd a0 = Eigen::Map<const Eigen::MatrixXd>(numbers(120, 17).data(), 12, 10);
  const Eigen::VectorXd v0 = Eigen::Map<const Eigen::VectorXd>(numbers(10, 18).data(), 10);
  expect_derivatives(
      [&](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 12, 10);
        const vec<S> v = column(x, 10, 120);
        const S s = x[130];
        vec<S> out(12 + 12 + 10 + 12);
        out.segment(0, 12) = a * v0;                      // Matrix<real> * VectorXd
        out.segment(12, 12) = a0 * v;                     // MatrixXd * Vector<real>
        out.segment(24, 10) = a.transpose() * a0.col(0);  // transposed, row-major
        out.segment(34, 12) = (s * a) * v0;               // a scale factor that is a real
        return out;
      },
      numbers(131, 19));
}

TEST(EigenRealMixed, FixedSizeMixedProducts) {
  const Eigen::Matrix3d b0 = Eigen::Map<const Eigen::Matrix3d>(numbers(9, 20).data());
  expect_derivatives(
      [&](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const auto a = fixed<3, 3>(x);
        Eigen::Matrix<S, 3, 9> out;
        out.template leftCols<3>() = b0 * a;
        out.template middleCols<3>(3) = a * b0;
        out.template rightCols<3>() = a.transpose() * b0 * a;
        return out;
      },
      numbers(9, 21));
}

TEST(EigenRealMixed, ScalarsSumsAndDifferences) {
  const Eigen::MatrixXd b0 = Eigen::Map<const Eigen::MatrixXd>(numbers(6, 22).data(), 2, 3);
  expect_derivatives(
      [&](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 2, 3);
        const S s = x[6];
        mat<S> out(2, 21);
        out.leftCols(3) = 2.0 * a;       // double * Matrix<real>
        out.middleCols(3, 3) = a * 3.0;  // Matrix<real> * double
        out.middleCols(6, 3) = a / 4.0;
        out.middleCols(9, 3) = a + b0;   // Matrix<real> + MatrixXd
        out.middleCols(12, 3) = b0 - a;  // MatrixXd - Matrix<real>
        out.middleCols(15, 3) = s * b0;  // real * MatrixXd
        out.rightCols(3) = b0.cwiseProduct(a) + a.cwiseQuotient(b0.array().abs().matrix());
        return out;
      },
      numbers(7, 23, 0.5, 1.5));
}

TEST(EigenRealMixed, AnExpressionOfRealsScalesAMatrix) {
  // s * t is an expression node, not a gg::real: Eigen promotes it to the
  // matrix's scalar (as in its Householder code, -tau * v).
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 2, 2);
        const S s = x[4], t = x[5];
        mat<S> out(2, 6);
        out.leftCols(2) = (s * t) * a;
        out.middleCols(2, 2) = a * (s - t);
        out.rightCols(2) = a / (s + t);
        return out;
      },
      numbers(6, 25, 0.5, 1.5));
}

TEST(EigenRealMixed, ProductTypesAreMatricesOfReal) {
  using M = Eigen::Matrix<gg::real, Eigen::Dynamic, Eigen::Dynamic>;
  static_assert(std::is_same_v<decltype(Eigen::MatrixXd() * M())::Scalar, gg::real>);
  static_assert(std::is_same_v<decltype(M() * Eigen::MatrixXd())::Scalar, gg::real>);
  static_assert(std::is_same_v<decltype(M() + Eigen::MatrixXd())::Scalar, gg::real>);
  static_assert(std::is_same_v<decltype(2.0 * M())::Scalar, gg::real>);
  static_assert(std::is_same_v<decltype(gg::real() * Eigen::MatrixXd())::Scalar, gg::real>);
}

}  // namespace
