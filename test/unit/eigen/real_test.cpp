// gg::real as an Eigen scalar; Eigen vectors in value_and_grad<gg::taped>.
#include <gradguard/eigen.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace gg = gradguard;

namespace {

TEST(EigenReal, VectorArgumentsGiveAVectorGradient) {
  Eigen::VectorXd x(3);
  x << 1, 2, 3;
  auto r = gg::value_and_grad<gg::taped>(
      [](const auto& v) {
        gg::real s = v.dot(v) + v.sum() * 2.0;
        return s;
      },
      x);
  EXPECT_DOUBLE_EQ(r.value, 26.0);
  const Eigen::VectorXd& g = std::get<0>(r.gradient);
  ASSERT_EQ(g.size(), 3);
  for (int i = 0; i < 3; ++i) EXPECT_DOUBLE_EQ(g[i], 2 * x[i] + 2);
}

TEST(EigenReal, MixedDoubleProductsAndNorms) {
  gg::tape t;
  Eigen::Matrix<gg::real, 2, 2> A;
  A << t.variable("a", 1.0), 2.0, 3.0, t.variable("d", 4.0);
  const Eigen::Vector2d b(1, 1);
  const Eigen::Matrix<gg::real, 2, 1> y = A * b;  // real x double, no cast
  const gg::real n = y.squaredNorm();
  auto g = t.gradient(n, {A(0, 0), A(1, 1)});
  EXPECT_DOUBLE_EQ(gg::value(n), 58.0);
  EXPECT_DOUBLE_EQ(g[0], 6.0);   // 2 y0 b0
  EXPECT_DOUBLE_EQ(g[1], 14.0);  // 2 y1 b1
}

}  // namespace
