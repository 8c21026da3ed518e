// Reductions and coefficient-wise functions of Eigen::Matrix<gg::real>:
// values and the tape's Jacobian against central finite differences of the
// same function on double (see real_linear_algebra_test.cpp).
#include "finite_difference.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>
#include <vector>

namespace {

using namespace gradguard_test;  // NOLINT(google-build-using-namespace): test helpers

// ---- reductions --------------------------------------------------------

TEST(EigenRealReductions, SumProdMeanTrace) {
  expect_derivatives(
      [](const auto& x) {
        using S = scalar_of<decltype(x)>;
        const mat<S> a = dynamic(x, 3, 3);
        return S(a.sum() + a.prod() + 2.0 * a.mean() + 3.0 * a.trace());
      },
      numbers(9, 5, 0.5, 1.5));
}

TEST(EigenRealReductions, EachReductionOnItsOwn) {
  const std::vector<double> x0 = numbers(9, 6, 0.5, 1.5);
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 3).sum(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 3).prod(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 3).mean(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 3).trace(); }, x0);
  expect_derivatives([](const auto& x) { return fixed<3, 3>(x).prod(); }, x0);
}

TEST(EigenRealReductions, NormsAndDot) {
  const std::vector<double> x0 = numbers(10, 7);
  expect_derivatives([](const auto& x) { return dynamic(x, 5, 2).squaredNorm(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 5, 2).norm(); }, x0);
  expect_derivatives([](const auto& x) { return fixed<10, 1>(x).norm(); }, x0);
  expect_derivatives([](const auto& x) { return column(x, 5).dot(column(x, 5, 5)); }, x0);
  expect_derivatives([](const auto& x) { return fixed<5, 1>(x).dot(fixed<5, 1>(x, 5)); }, x0);
}

TEST(EigenRealReductions, ColwiseAndRowwiseSums) {
  const std::vector<double> x0 = numbers(12, 8);
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 4).colwise().sum().eval(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 4).rowwise().sum().eval(); }, x0);
  expect_derivatives([](const auto& x) { return fixed<3, 4>(x).colwise().squaredNorm().eval(); },
                     x0);
}

TEST(EigenRealReductions, MaxCoeffSendsTheGradientIntoTheMaximum) {
  std::vector<double> x0 = numbers(12, 9);
  x0[7] = 3.0;  // a clear maximum
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 4).maxCoeff(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 3, 4).minCoeff(); }, x0);

  gg::tape tape;
  const std::vector<gg::real> x = tape.variables("x", x0);
  const mat<gg::real> a = dynamic(x, 3, 4);
  Eigen::Index row = -1, col = -1;
  const gg::real m = a.maxCoeff(&row, &col);
  EXPECT_EQ(gg::value(m), 3.0);
  EXPECT_EQ(row, 1);
  EXPECT_EQ(col, 2);
  std::vector<double> expected(x.size(), 0.0);
  expected[7] = 1.0;
  EXPECT_THAT(tape.gradient(m, x, gg::allow_unconnected).values(),
              ::testing::ElementsAreArray(expected));
}

// ---- coefficient-wise --------------------------------------------------

TEST(EigenRealCoefficientwise, ExpLogSqrtSquareFindTheGradguardFunctions) {
  const std::vector<double> x0 = numbers(6, 10, 0.5, 2.0);
  expect_derivatives([](const auto& x) { return dynamic(x, 2, 3).array().exp().matrix().eval(); },
                     x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 2, 3).array().log().matrix().eval(); },
                     x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 2, 3).array().sqrt().matrix().eval(); },
                     x0);
  expect_derivatives(
      [](const auto& x) { return dynamic(x, 2, 3).array().square().matrix().eval(); }, x0);
  expect_derivatives(
      [](const auto& x) {
        const auto m = fixed<2, 3>(x);
        const auto a = m.array();
        return ((a.exp() + a.log()) * a.sqrt() - a.square() / a.abs()).matrix().eval();
      },
      x0);
  expect_derivatives(
      [](const auto& x) { return dynamic(x, 2, 3).array().pow(3.0).matrix().eval(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 2, 3).cwiseAbs2().eval(); }, x0);
  expect_derivatives([](const auto& x) { return dynamic(x, 2, 3).cwiseInverse().eval(); }, x0);
}

TEST(EigenRealCoefficientwise, NumextCallsRecordOnTheTape) {
  gg::tape tape;
  const gg::real x = tape.variable("x", 0.7);
  static_assert(std::is_same_v<decltype(Eigen::numext::exp(x)), gg::real>);
  static_assert(std::is_same_v<decltype(Eigen::numext::sqrt(x)), gg::real>);
  const gg::real e = Eigen::numext::exp(x);
  const gg::real s = Eigen::numext::sqrt(x);
  const gg::real l = Eigen::numext::log(x);
  const gg::real a = Eigen::numext::abs(x);
  const gg::real a2 = Eigen::numext::abs2(x);
  const gg::real m = Eigen::numext::maxi(x, gg::real(0.5));
  const gg::real y = e + s + l + a + a2 + m;
  const double dy = std::exp(0.7) + 0.5 / std::sqrt(0.7) + 1 / 0.7 + 1 + 2 * 0.7 + 1;
  EXPECT_NEAR(tape.gradient(y, {x})[x], dy, 1e-12);
  EXPECT_TRUE(Eigen::numext::isfinite(x));
  EXPECT_FALSE(Eigen::numext::isnan(x));
  EXPECT_FALSE(Eigen::numext::isinf(x));
}

TEST(EigenRealCoefficientwise, CwiseProductAndQuotient) {
  const std::vector<double> x0 = numbers(12, 11, 0.5, 2.0);
  expect_derivatives(
      [](const auto& x) { return dynamic(x, 2, 3).cwiseProduct(dynamic(x, 2, 3, 6)).eval(); }, x0);
  expect_derivatives(
      [](const auto& x) { return dynamic(x, 2, 3).cwiseQuotient(dynamic(x, 2, 3, 6)).eval(); }, x0);
  expect_derivatives(
      [](const auto& x) { return fixed<2, 3>(x).cwiseQuotient(fixed<2, 3>(x, 6)).eval(); }, x0);
}

}  // namespace
