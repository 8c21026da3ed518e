// The functions of gradguard take plain numbers too: one templated function
// runs with double, a static expression, gg::real on a tape and gg::dual,
// with equal values and gradients (against finite differences).
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <type_traits>

namespace gg = gradguard;

namespace {

// Every kind of gg:: function: unary, binary, select, non-differentiable, cast.
template <class X, class Y>
auto f(const X& x, const Y& y) {
  auto a = gg::sin(x) * gg::exp(y) + gg::square(x) * gg::log1p(gg::abs(y));
  auto b = gg::pow(x, 2.5) + gg::atan2(y, x) + gg::max(x, y) + gg::hypot(x, y);
  auto c = gg::select(x < y, gg::sigmoid(y), gg::tanh(x)) + gg::floor(x) + gg::stop_gradient(y);
  return a + b + c + gg::cast<double>(x) * gg::erf(y) + gg::min(gg::sqrt(x), 2.0);
}

// f with every gg:: function replaced by <cmath>: the reference.
double reference(double x, double y) {
  const double a = std::sin(x) * std::exp(y) + x * x * std::log1p(std::fabs(y));
  const double b = std::pow(x, 2.5) + std::atan2(y, x) + std::max(x, y) + std::hypot(x, y);
  const double c = (x < y ? 1 / (1 + std::exp(-y)) : std::tanh(x)) + std::floor(x) + y;
  return a + b + c + x * std::erf(y) + std::min(std::sqrt(x), 2.0);
}

TEST(Functions, TakePlainNumbers) {
  static_assert(std::is_same_v<decltype(gg::sin(0.5)), double>);
  static_assert(std::is_same_v<decltype(gg::exp(1.0f)), float>);
  static_assert(std::is_same_v<decltype(gg::sqrt(4)), double>);  // as the rule: floating
  static_assert(gg::square(3.0) == 9.0 && gg::abs(-2) == 2 && gg::max(1.0, 2.0) == 2.0);
  static_assert(gg::pow(2.0, 10) == 1024.0 && gg::select(true, 1.0, 2.0) == 1.0);
  static_assert(gg::floor(2.5) == 2.0 && gg::cast<int>(2.7) == 2);
  EXPECT_EQ(gg::sin(0.5), std::sin(0.5));
  EXPECT_EQ(gg::atan2(1.0, -2.0), std::atan2(1.0, -2.0));
}

TEST(Functions, OneTemplatedFunctionInEveryEngine) {
  const double x0 = 1.3, y0 = 0.4;
  const double v = f(x0, y0);
  EXPECT_NEAR(v, reference(x0, y0), 1e-14);

  const auto s = gg::value_and_grad([](auto x, auto y) { return f(x, y); }, x0, y0);
  const auto t = gg::value_and_grad<gg::taped>([](auto x, auto y) { return f(x, y); }, x0, y0);
  // f takes const references: in forward mode its result refers to its
  // arguments, so fn takes the driver's duals by reference too (by value, the
  // driver refuses the result: forward/functional_test.cpp).
  const auto d =
      gg::value_and_grad<gg::forward>([](const auto& x, const auto& y) { return f(x, y); }, x0, y0);
  gg::tape tape;
  const gg::real xr = tape.variable("x", x0), yr = tape.variable("y", y0);
  const gg::real r = f(xr, yr);
  const auto g = tape.gradient(r, {xr, yr});

  const double h = 1e-4;
  // (the 5-point stencil; y's stop_gradient term is held fixed)
  const double dx =
      gg::central_difference([&](double q) { return reference(q, y0); }, x0, h).derivative;
  // stop_gradient(y) contributes no derivative: take it out of the reference
  const double dy =
      gg::central_difference([&](double q) { return reference(x0, q) - q; }, y0, h).derivative;
  for (const double value : {s.value, t.value, d.value, gg::value(r)}) EXPECT_NEAR(value, v, 1e-14);
  for (const double gx : {s.gradient[0], t.gradient[0], d.gradient[0], g[xr]})
    EXPECT_NEAR(gx, dx, 1e-8);
  for (const double gy : {s.gradient[1], t.gradient[1], d.gradient[1], g[yr]})
    EXPECT_NEAR(gy, dy, 1e-8);
}

}  // namespace
