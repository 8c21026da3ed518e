#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

namespace gg = gradguard;

TEST(Gradient, StructuredBindingsAndLookup) {
  auto x = gg::var<"x">(2.0);
  auto y = gg::var<"y">(3.0);
  auto f = x * y + gg::stop_gradient(x * x) + gg::floor(y);
  auto [dx, dy] = gg::gradient(f, x, y);
  EXPECT_DOUBLE_EQ(dx, 3.0);
  EXPECT_DOUBLE_EQ(dy, 2.0);
  auto g = gg::gradient(f, x, y);
  EXPECT_DOUBLE_EQ(g[x], 3.0);
  EXPECT_DOUBLE_EQ(g[y], 2.0);
  auto [fx, gx, gy] = gg::value_and_gradient(f, x, y);
  EXPECT_DOUBLE_EQ(fx, 13.0);
  EXPECT_DOUBLE_EQ(gx, 3.0);
  EXPECT_DOUBLE_EQ(gy, 2.0);
}
