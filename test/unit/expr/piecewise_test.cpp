// Kinks and branches: select, min/max ties, abs at 0, integer powers at 0.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <type_traits>

namespace gg = gradguard;

namespace {

TEST(Select, GradientFlowsIntoTheChosenBranchOnly) {
  auto x = gg::var<"x">(2.0);
  auto y = gg::var<"y">(5.0);
  auto f = gg::select(x < y, x * x, y * y * y);
  EXPECT_DOUBLE_EQ(gg::value(f), 4.0);
  auto [dx, dy] = gg::gradient(f, x, y);
  EXPECT_DOUBLE_EQ(dx, 4.0);
  EXPECT_DOUBLE_EQ(dy, 0.0);  // y only steers the condition
  auto x2 = gg::var<"x">(7.0);
  auto f2 = gg::select(x2 < y, x2 * x2, y * y * y);
  EXPECT_DOUBLE_EQ(gg::value(f2), 125.0);
  EXPECT_DOUBLE_EQ(gg::derivative(f2, x2), 0.0);
  EXPECT_DOUBLE_EQ(gg::derivative(f2, y), 75.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(f2, y)), 75.0);
  // the condition alone is no path
  auto c = gg::var<"c">(1.0);
  static_assert(
      std::is_same_v<decltype(gg::derivative(gg::select(c > 0, x, y), c, gg::allow_unconnected)),
                     gg::zero>);
}

// The branch not taken may have an infinite derivative where it is not used;
// it must not turn the gradient into 0 * inf = NaN.
TEST(Select, BranchNotTakenCannotPoisonTheGradient) {
  auto x = gg::var<"x">(0.0);
  auto f = gg::select(x > 0, gg::sqrt(x), x);
  EXPECT_DOUBLE_EQ(gg::derivative(f, x), 1.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(f, x)), 1.0);
  auto g = gg::select(x > 0, gg::log(x), gg::constant(0.0));
  EXPECT_DOUBLE_EQ(gg::derivative(g, x), 0.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(g, x)), 0.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(gg::d(f, x), x)), 0.0);
}

TEST(MinMax, TiesGoToTheFirstOperand) {
  auto x = gg::var<"x">(1.0);
  auto y = gg::var<"y">(1.0);
  for (auto [dx, dy] : {gg::gradient(gg::min(x, y), x, y), gg::gradient(gg::max(x, y), x, y),
                        gg::gradient(gg::fmin(x, y), x, y), gg::gradient(gg::fmax(x, y), x, y)}) {
    EXPECT_DOUBLE_EQ(dx, 1.0);
    EXPECT_DOUBLE_EQ(dy, 0.0);
  }
  // the same variable twice: one path carries 1, the other 0
  EXPECT_DOUBLE_EQ(gg::derivative(gg::min(x, x), x), 1.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::max(x * 2.0, x + 1.0), x), 2.0);
}

TEST(MinMax, NanOperandsOfFminFmaxAreIgnored) {
  auto x = gg::var<"x">(std::numeric_limits<double>::quiet_NaN());
  auto y = gg::var<"y">(2.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::fmin(x, y)), 2.0);
  auto [dx, dy] = gg::gradient(gg::fmax(x, y), x, y);
  EXPECT_DOUBLE_EQ(dx, 0.0);
  EXPECT_DOUBLE_EQ(dy, 1.0);
  auto [ex, ey] = gg::gradient(gg::fmin(y, x), x, y);
  EXPECT_DOUBLE_EQ(ex, 0.0);
  EXPECT_DOUBLE_EQ(ey, 1.0);
}

TEST(Abs, DerivativeAtZeroIsZero) {
  auto z = gg::var<"x">(0.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::abs(z), z), 0.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::fabs(z), z), 0.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::abs(gg::var<"x">(-2.0)), gg::var<"x">(-2.0)), -1.0);
  EXPECT_EQ(gg::value(gg::sign(z)), 0.0);
  // d abs = sign(x): no second derivative path at all
  static_assert(
      std::is_same_v<decltype(gg::d(gg::d(gg::abs(z), z), z, gg::allow_unconnected)), gg::zero>);
}

TEST(Pow, IntegerPowersAtZero) {
  auto z = gg::var<"x">(0.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::pow(z, 0), z), 0.0);  // not 0 * inf
  EXPECT_DOUBLE_EQ(gg::value(gg::d(gg::pow(z, 0), z)), 0.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::pow(z, 1), z), 1.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(gg::d(gg::pow(z, 1), z), z)), 0.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(gg::d(gg::d(gg::pow(z, 3), z), z), z)), 6.0);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(gg::d(gg::d(gg::pow(z, 2), z), z), z)), 0.0);
  auto x = gg::var<"x">(-2.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::pow(x, 3), x), 12.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::pow(x, -1), x), -0.25);
}

}  // namespace
