// gg::custom_gradient: one user-written derivative for the static engine,
// the symbolic derivative and the tape, checked against finite differences.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <tuple>

namespace gg = gradguard;

namespace {

// x / (1 + |x|), d = 1 / (1 + |x|)^2
constexpr auto softclip = gg::custom_gradient(
    [](auto x) {
      using std::abs;  // numbers; gg::abs for expressions is found by ADL
      return x / (1 + abs(x));
    },
    [](auto g, auto x) {
      using std::abs;
      return g / ((1 + abs(x)) * (1 + abs(x)));
    });

// A primal on plain numbers only; its derivative is written by hand.
struct hypot3_primal {
  double operator()(double x, double y, double z) const { return std::sqrt(x * x + y * y + z * z); }
};
struct hypot3_vjp {
  auto operator()(auto g, double x, double y, double z) const {
    const double r = std::sqrt(x * x + y * y + z * z);
    return std::tuple{g * (x / r), g * (y / r), g * (z / r)};
  }
};
constexpr auto hypot3 = gg::custom_gradient(hypot3_primal{}, hypot3_vjp{});

double central(auto f, double x) {
  return gg::central_difference(f, x, 1e-6 * std::max(1.0, std::abs(x)), false).derivative;
}

TEST(CustomGradient, StaticReverseAndSymbolicAgreeWithFiniteDifferences) {
  for (double x0 : {-2.0, -0.3, 0.4, 3.0}) {
    auto x = gg::var<"x">(x0);
    auto f = softclip(x) * x;
    const double fd = central([](double v) { return v / (1 + std::abs(v)) * v; }, x0);
    EXPECT_NEAR(gg::derivative(f, x), fd, 1e-7) << x0;
    EXPECT_NEAR(gg::value(gg::d(f, x)), fd, 1e-7) << x0;
  }
}

TEST(CustomGradient, OnTheTape) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.7);
  gg::real y = softclip(w * 2.0) + 1.0;
  const double fd = central([](double v) { return 2 * v / (1 + std::abs(2 * v)); }, 0.7);
  EXPECT_NEAR(tape.gradient(y, {w})[w], fd, 1e-7);
}

TEST(CustomGradient, SeveralInputsOnTheTapeAndStatic) {
  gg::tape tape;
  gg::real a = tape.variable("a", 1.0);
  gg::real b = tape.variable("b", 2.0);
  gg::real c = tape.variable("c", -2.0);
  gg::real r = hypot3(a, b, c);
  EXPECT_DOUBLE_EQ(gg::value(r), 3.0);
  auto g = tape.gradient(r, {a, b, c});
  EXPECT_NEAR(g[a], 1.0 / 3, 1e-15);
  EXPECT_NEAR(g[b], 2.0 / 3, 1e-15);
  EXPECT_NEAR(g[c], -2.0 / 3, 1e-15);

  auto x = gg::var<"x">(1.0);
  auto y = gg::var<"y">(2.0);
  auto [gx, gy] = gg::gradient(hypot3(x, y, 2.0), x, y);
  EXPECT_NEAR(gx, 1.0 / 3, 1e-15);
  EXPECT_NEAR(gy, 2.0 / 3, 1e-15);
}

TEST(CustomGradient, PlainNumbersCallThePrimal) {
  EXPECT_DOUBLE_EQ(softclip(1.0), 0.5);
  static_assert(softclip(1.0) == 0.5);
}

TEST(CustomGradient, ConstexprDerivative) {
  constexpr auto x = gg::var<"x">(1.0);
  static_assert(gg::derivative(softclip(x), x) == 0.25);
}

}  // namespace
