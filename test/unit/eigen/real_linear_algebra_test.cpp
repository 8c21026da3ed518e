// Eigen::Matrix<gg::real> as a first-class Eigen scalar: matrix products,
// gg::value of a matrix, NumTraits. Each case runs one generic function on
// double and on gg::real and compares the values, and the tape's Jacobian
// with central finite differences of the double version. The other cases are
// in real_reductions_test.cpp, real_mixed_test.cpp, real_cholesky_test.cpp
// and real_lu_test.cpp (split so that each file compiles in reasonable time).
#include "finite_difference.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

namespace {

using namespace gradguard_test;  // NOLINT(google-build-using-namespace): test helpers

// ---- products ----------------------------------------------------------

TEST(EigenRealProducts, SmallDynamicMatrixProductWithNoalias) {
  // 3 + 4 + 2 < 20: Eigen evaluates it coefficient by coefficient.
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 3, 4), b = dynamic(x, 4, 2, 12);
        mat<S> c(3, 2);
        c.noalias() = a * b;
        return c;
      },
      numbers(20, 1));
}

TEST(EigenRealProducts, LargeDynamicMatrixProductUsesTheBlockedKernel) {
  // 8 + 9 + 7 >= 20: Eigen's GEMM kernel, with packing and blocking.
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 8, 9), b = dynamic(x, 9, 7, 72);
        mat<S> c(8, 7);
        c.noalias() = a * b;
        return c;
      },
      numbers(72 + 63, 2));
}

TEST(EigenRealProducts, MatrixTimesVectorAndTransposedMatrixTimesVector) {
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 12, 10);
        const vec<S> v = column(x, 10, 120), w = column(x, 12, 130);
        vec<S> out(22);
        out.head(12).noalias() = a * v;              // column-major GEMV
        out.tail(10).noalias() = a.transpose() * w;  // row-major GEMV
        return out;
      },
      numbers(142, 3));
}

TEST(EigenRealProducts, FixedSizeProductsAndTranspose) {
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const auto a = fixed<3, 3>(x);
        const auto b = fixed<3, 2>(x, 9);
        const auto v = fixed<3, 1>(x, 15);
        Eigen::Matrix<S, 3, 4> out;
        out.template leftCols<2>().noalias() = a.transpose() * b;
        out.col(2) = a * v;
        out.col(3) = (a * a).transpose() * v;
        return out;
      },
      numbers(18, 4));
}

// ---- values -------------------------------------------------------------

TEST(EigenRealValue, ValueOfAMatrixIsAMatrixOfNumbersOfTheSameShape) {
  gg::tape tape;
  const std::vector<double> x0 = numbers(9, 24);
  const std::vector<gg::real> x = tape.variables("x", x0);
  const Eigen::Matrix<gg::real, 3, 3> a = fixed<3, 3>(x);
  const Eigen::Matrix3d a0 = fixed<3, 3>(x0);

  const auto v = gg::value(a);
  static_assert(std::is_same_v<decltype(v), const Eigen::Matrix3d>);
  EXPECT_EQ(v, a0);

  // An expression is evaluated first (and recorded).
  const Eigen::MatrixXd p = gg::value(mat<gg::real>(a) * a.transpose());
  EXPECT_TRUE(p.isApprox(a0 * a0.transpose(), 1e-14));
  const auto col = gg::value(a.col(1) * 2.0);
  static_assert(std::is_same_v<decltype(col), const Eigen::Vector3d>);
  EXPECT_EQ(col, 2.0 * a0.col(1));
  const auto arr = gg::value(a.array().exp());
  static_assert(std::is_same_v<decltype(arr), const Eigen::Array33d>);
  EXPECT_TRUE(arr.isApprox(a0.array().exp(), 1e-14));

  // One real is still one number.
  EXPECT_EQ(gg::value(a(2, 1)), a0(2, 1));
}

// ---- NumTraits ----------------------------------------------------------

TEST(EigenRealNumTraits, ConstantsAreRealsOnNoTape) {
  using traits = Eigen::NumTraits<gg::real>;
  static_assert(std::is_same_v<traits::Real, gg::real>);
  static_assert(std::is_same_v<traits::Literal, double>);
  static_assert(std::is_same_v<decltype(traits::infinity()), gg::real>);
  static_assert(std::is_same_v<decltype(traits::quiet_NaN()), gg::real>);
  EXPECT_EQ(gg::value(traits::epsilon()), std::numeric_limits<double>::epsilon());
  EXPECT_EQ(gg::value(traits::dummy_precision()), Eigen::NumTraits<double>::dummy_precision());
  EXPECT_EQ(gg::value(traits::highest()), std::numeric_limits<double>::max());
  EXPECT_EQ(gg::value(traits::lowest()), std::numeric_limits<double>::lowest());
  EXPECT_EQ(gg::value(traits::infinity()), std::numeric_limits<double>::infinity());
  EXPECT_TRUE(std::isnan(gg::value(traits::quiet_NaN())));
  EXPECT_FALSE(traits::epsilon().on_tape());
  EXPECT_EQ(traits::digits(), std::numeric_limits<double>::digits);
  EXPECT_EQ(traits::digits10(), std::numeric_limits<double>::digits10);
  EXPECT_EQ(traits::max_digits10(), std::numeric_limits<double>::max_digits10);
  EXPECT_FALSE(traits::IsComplex);
  EXPECT_FALSE(traits::IsInteger);
  EXPECT_TRUE(traits::RequireInitialization);
}

TEST(EigenRealNumTraits, AllFiniteAndHasNaNReadTheValues) {
  gg::tape tape;
  mat<gg::real> a(2, 2);
  a << tape.variable("a", 1.0), 2.0, 3.0, 4.0;
  EXPECT_TRUE(a.allFinite());
  EXPECT_FALSE(a.hasNaN());
  a(1, 0) = std::numeric_limits<double>::infinity();
  EXPECT_FALSE(a.allFinite());
  EXPECT_FALSE(a.hasNaN());
  a(0, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(a.hasNaN());
}

}  // namespace
