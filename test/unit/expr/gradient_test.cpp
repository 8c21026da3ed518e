// gg::gradient, gg::value_and_gradient and gg::derivative: bindings, lookup,
// structural zeros, and each kind of leaf.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

namespace gg = gradguard;

namespace {

template <class G, class V>
constexpr bool is_structural_zero =
    std::is_same_v<std::remove_cvref_t<decltype(std::declval<G>()[std::declval<V>()])>, gg::zero>;

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
  // the order asked is the order of the bindings; lookup does not care
  auto [ey, ex] = gg::gradient(f, y, x);
  EXPECT_DOUBLE_EQ(ey, 2.0);
  EXPECT_DOUBLE_EQ(ex, 3.0);
  EXPECT_DOUBLE_EQ(gg::gradient(f, y, x)[x], 3.0);
  auto [fx, gx, gy] = gg::value_and_gradient(f, x, y);
  EXPECT_DOUBLE_EQ(fx, 13.0);
  EXPECT_DOUBLE_EQ(gx, 3.0);
  EXPECT_DOUBLE_EQ(gy, 2.0);
  static_assert(std::tuple_size_v<decltype(g)> == 2);
  static_assert(std::tuple_size_v<decltype(gg::value_and_gradient(f, x, y))> == 3);
}

TEST(Gradient, AllowUnconnectedGivesStructuralZero) {
  auto x = gg::var<"x">(2.0);
  auto y = gg::var<"y">(3.0);
  auto z = gg::var<"z">(4.0);
  auto w = gg::frozen<"w">(0.5);
  auto n = gg::var<"n">(3);
  auto f = x * w + gg::stop_gradient(y) + gg::floor(z) * n;
  auto g = gg::gradient(f, x, y, z, w, n, gg::allow_unconnected);
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(g[x])>, double>);
  static_assert(is_structural_zero<decltype(g), decltype(y)>);
  static_assert(is_structural_zero<decltype(g), decltype(z)>);
  static_assert(is_structural_zero<decltype(g), decltype(w)>);
  static_assert(is_structural_zero<decltype(g), decltype(n)>);
  EXPECT_DOUBLE_EQ(g[x], 0.5);
  EXPECT_EQ(static_cast<double>(g[y]), 0.0);
  EXPECT_EQ(static_cast<float>(g[w]), 0.0f);
  auto [dx, dy, dz, dw, dn] = g;
  EXPECT_DOUBLE_EQ(dx, 0.5);
  static_assert(std::is_same_v<decltype(dy), gg::zero>);
  static_assert(std::is_same_v<decltype(dn), gg::zero>);
  EXPECT_EQ(static_cast<double>(dz) + static_cast<double>(dw), 0.0);
  // derivative and d ask the same way
  static_assert(std::is_same_v<decltype(gg::derivative(f, y, gg::allow_unconnected)), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::d(f, w, gg::allow_unconnected)), gg::zero>);
  EXPECT_DOUBLE_EQ(gg::derivative(f, x, gg::allow_unconnected), 0.5);
  // a variable absent from the expression
  auto a = gg::var<"a">(1.0);
  static_assert(
      is_structural_zero<decltype(gg::gradient(f, x, a, gg::allow_unconnected)), decltype(a)>);
  auto [fx, gx, ga] = gg::value_and_gradient(f, x, a, gg::allow_unconnected);
  EXPECT_DOUBLE_EQ(fx, 2.0 * 0.5 + 3.0 + 4.0 * 3);
  EXPECT_DOUBLE_EQ(gx, 0.5);
  static_assert(std::is_same_v<decltype(ga), gg::zero>);
}

TEST(Gradient, DuplicateUseOfAVariableAddsUp) {
  auto x = gg::var<"x">(0.7);
  EXPECT_DOUBLE_EQ(gg::derivative(x * x, x), 1.4);
  EXPECT_DOUBLE_EQ(gg::derivative(x + x + x, x), 3.0);
  EXPECT_DOUBLE_EQ(gg::derivative(x - x, x), 0.0);
  EXPECT_DOUBLE_EQ(gg::derivative(x / x, x), 0.0);
  EXPECT_NEAR(gg::derivative(gg::sin(x) * gg::sin(x), x), std::sin(2 * 0.7), 1e-15);
  EXPECT_NEAR(gg::derivative(x * gg::exp(x) * x, x), (2 * 0.7 + 0.7 * 0.7) * std::exp(0.7), 1e-14);
  // a variable passed twice gets its derivative twice
  auto [d1, d2] = gg::gradient(x * x, x, x);
  EXPECT_DOUBLE_EQ(d1, 1.4);
  EXPECT_DOUBLE_EQ(d2, 1.4);
}

TEST(Gradient, FloatVariablesGiveFloatDerivatives) {
  auto x = gg::var<"x">(2.0f);
  auto y = gg::var<"y">(0.5f);
  auto f = x * x * y + gg::sin(x);
  static_assert(std::is_same_v<decltype(gg::value(f)), float>);
  static_assert(std::is_same_v<decltype(gg::derivative(f, x)), float>);
  auto [dx, dy] = gg::gradient(f, x, y);
  static_assert(std::is_same_v<decltype(dx), float>);
  EXPECT_FLOAT_EQ(dx, 2.0f * 2.0f * 0.5f + std::cos(2.0f));
  EXPECT_FLOAT_EQ(dy, 4.0f);
  EXPECT_FLOAT_EQ(gg::value(gg::d(f, x)), dx);
  // mixing with double promotes, as in C++
  static_assert(std::is_same_v<decltype(gg::derivative(x * 2.0, x)), double>);
  static_assert(std::is_same_v<decltype(gg::derivative(x * 2.0f, x)), float>);
}

TEST(Gradient, IntegerVariablesContributeValuesButNoGradient) {
  auto x = gg::var<"x">(1.5);
  auto n = gg::var<"n">(3);
  auto b = gg::var<"b">(true);
  auto f = x * n + n * n + gg::cast<double>(b) * x;
  EXPECT_DOUBLE_EQ(gg::value(f), 1.5 * 3 + 9 + 1.5);
  EXPECT_DOUBLE_EQ(gg::derivative(f, x), 4.0);
  EXPECT_FALSE(gg::depends_on(f, n));
  EXPECT_FALSE(gg::depends_on(f, b));
  EXPECT_TRUE(gg::depends_on(f, x));
  auto g = gg::gradient(f, x, n, b, gg::allow_unconnected);
  static_assert(is_structural_zero<decltype(g), decltype(n)>);
  static_assert(is_structural_zero<decltype(g), decltype(b)>);
  // an expression of integers only has a floating derivative type
  auto m = gg::var<"m">(2);
  EXPECT_EQ(gg::value(n * m), 6);
  static_assert(std::is_same_v<decltype(gg::value(n * m)), int>);
}

TEST(Gradient, FrozenAndConstantLeavesCarryValuesOnly) {
  auto x = gg::var<"x">(2.0);
  auto w = gg::frozen<"w">(0.5);
  auto c = gg::constant(1.5);
  auto f = w * x * x + c * x + c;
  EXPECT_DOUBLE_EQ(gg::value(f), 0.5 * 4 + 3.0 + 1.5);
  EXPECT_DOUBLE_EQ(gg::derivative(f, x), 2 * 0.5 * 2 + 1.5);
  EXPECT_FALSE(gg::depends_on(f, w));
  EXPECT_TRUE(gg::active_variables(f) == gg::variable_set{"x"});
  EXPECT_TRUE(gg::active_variables(c * w + 2.0).empty());
  static_assert(std::is_same_v<decltype(gg::derivative(f, w, gg::allow_unconnected)), gg::zero>);
  // plain numbers are constants too
  EXPECT_DOUBLE_EQ(gg::derivative(3.0 * x + 1.0, x), 3.0);
  EXPECT_DOUBLE_EQ(gg::derivative(1.0 / x, x), -0.25);
  EXPECT_DOUBLE_EQ(gg::derivative(2 - x, x), -1.0);
}

TEST(Gradient, StopGradientCutsOnlyItsOwnPath) {
  auto x = gg::var<"x">(3.0);
  auto f = x * gg::stop_gradient(x);  // d/dx = stop_gradient(x) = 3, not 2x = 6
  EXPECT_DOUBLE_EQ(gg::value(f), 9.0);
  EXPECT_DOUBLE_EQ(gg::derivative(f, x), 3.0);
  EXPECT_DOUBLE_EQ(gg::derivative(gg::stop_gradient(x * x) + x, x), 1.0);
}

}  // namespace
