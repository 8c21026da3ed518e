// gg::d: higher and mixed derivatives as expressions; gg::value_and_grad.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <type_traits>

namespace gg = gradguard;

namespace {

TEST(Symbolic, ThirdDerivatives) {
  auto x = gg::var<"x">(0.3);
  auto y = gg::var<"y">(2.0);
  auto d3 = [&](auto f) { return gg::value(gg::d(gg::d(gg::d(f, x), x), x)); };
  EXPECT_NEAR(d3(gg::sin(x) * y), -std::cos(0.3) * 2.0, 1e-15);
  EXPECT_NEAR(d3(x * x * x), 6.0, 1e-15);
  EXPECT_NEAR(d3(gg::exp(2.0 * x)), 8.0 * std::exp(0.6), 1e-13);
  EXPECT_NEAR(d3(gg::log(x)), 2.0 / (0.3 * 0.3 * 0.3), 1e-12);
  EXPECT_NEAR(
      d3(gg::tanh(x)),
      [] {
        double t = std::tanh(0.3);
        return -2 * (1 - t * t) * (1 - 3 * t * t);
      }(),
      1e-14);
  // mixed: d/dx d/dy d/dx (x^2 y^3) = 2 * 3 y^2
  EXPECT_NEAR(gg::value(gg::d(gg::d(gg::d(x * x * y * y * y, x), y), x)), 6.0 * 4.0, 1e-13);
  // the symbolic derivative is an expression of the same variables
  auto dd = gg::d(gg::d(gg::sin(x) * y, x), x);
  EXPECT_TRUE(gg::active_variables(dd) == (gg::variable_set{"x", "y"}));
  EXPECT_DOUBLE_EQ(gg::derivative(dd, y), -std::sin(0.3));
}

TEST(Symbolic, ReverseModeOfASymbolicDerivative) {
  auto x = gg::var<"x">(1.25);
  auto y = gg::var<"y">(-0.5);
  auto f = gg::atan2(y, x) + gg::hypot(x, y) * x;
  auto fx = gg::d(f, x);
  auto [hxx, hxy] = gg::gradient(fx, x, y);
  EXPECT_NEAR(hxx, gg::value(gg::d(fx, x)), 1e-14);
  EXPECT_NEAR(hxy, gg::value(gg::d(gg::d(f, y), x)), 1e-14);  // symmetric Hessian
}

TEST(ValueAndGrad, CallsTheFunctionWithFreshVariables) {
  auto r = gg::value_and_grad([](auto a, auto b) { return a * b + gg::sin(a); }, 1.0, 2.0);
  EXPECT_DOUBLE_EQ(r.value, 2.0 + std::sin(1.0));
  static_assert(std::is_same_v<decltype(r.gradient), std::array<double, 2>>);
  EXPECT_DOUBLE_EQ(r.gradient[0], 2.0 + std::cos(1.0));
  EXPECT_DOUBLE_EQ(r.gradient[1], 1.0);
}

TEST(ValueAndGrad, NondiffArgumentsArePassedThrough) {
  auto r = gg::value_and_grad([](auto a, auto k, auto b) { return a * k + b * b; }, 2.0,
                              gg::nondiff(3.0), 0.5);
  EXPECT_DOUBLE_EQ(r.value, 6.25);
  static_assert(std::is_same_v<decltype(r.gradient), std::array<double, 2>>);
  EXPECT_DOUBLE_EQ(r.gradient[0], 3.0);
  EXPECT_DOUBLE_EQ(r.gradient[1], 1.0);
  // a nondiff argument is the plain value: usable where a number is needed
  auto s = gg::value_and_grad([](auto n, auto a) { return gg::pow(a, n); }, gg::nondiff(3), 2.0);
  EXPECT_DOUBLE_EQ(s.value, 8.0);
  EXPECT_DOUBLE_EQ(s.gradient[0], 12.0);
  auto t = gg::value_and_grad([](auto a) { return a * a; }, 1.5f);
  static_assert(std::is_same_v<decltype(t.gradient), std::array<float, 1>>);
  EXPECT_FLOAT_EQ(t.gradient[0], 3.0f);
}

}  // namespace
