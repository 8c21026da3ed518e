// gg::custom_gradient: one user-written derivative for the static engine,
// the symbolic derivative and the tape, checked against finite differences.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
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

// The same, declared linear in g: gg::d and forward mode accept it, and the
// tape records it inside its statement.
constexpr auto softclip_linear = gg::custom_gradient(
    [](auto x) {
      using std::abs;
      return x / (1 + abs(x));
    },
    [](auto g, auto x) {
      using std::abs;
      return g / ((1 + abs(x)) * (1 + abs(x)));
    },
    gg::linear_vjp);

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
    EXPECT_NEAR(gg::value(gg::d(softclip_linear(x) * x, x)), fd, 1e-7) << x0;
  }
}

TEST(CustomGradient, OnTheTape) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.7);
  gg::real y = softclip(w * 2.0) + 1.0;         // a callback statement
  gg::real z = softclip_linear(w * 2.0) + 1.0;  // inside its statement
  const double fd = central([](double v) { return 2 * v / (1 + std::abs(2 * v)); }, 0.7);
  EXPECT_NEAR(tape.gradient(y, {w})[w], fd, 1e-7);
  EXPECT_NEAR(tape.gradient(z, {w})[w], fd, 1e-7);
  EXPECT_EQ(gg::value(y), gg::value(z));
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

// The vjp gets the cotangent itself, not 1: g*g through 100 * f(c) is
// 100^2 (TensorFlow's and JAX's answer), in every reverse engine.
constexpr auto square_cotangent =
    gg::custom_gradient([](auto x) { return x; }, [](auto g, auto) { return g * g; });

TEST(CustomGradient, TheVjpGetsTheCotangentNotOne) {
  constexpr auto c = gg::var<"c">(3.0);
  static_assert(gg::derivative(100 * square_cotangent(c), c) == 10000);
  EXPECT_EQ(gg::gradient(100 * square_cotangent(c), c)[c], 10000);
  EXPECT_EQ(gg::value_and_grad([](auto x) { return 100 * square_cotangent(x); }, 3.0).gradient[0],
            10000);

  gg::tape tape;
  gg::real w = tape.variable("w", 3.0);
  gg::real y = 100 * square_cotangent(w) + 1.0;
  EXPECT_EQ(tape.gradient(y, {w})[w], 10000);
  gg::real z = 2.0 * y;  // the cotangent of the custom operation is now 200
  EXPECT_EQ(tape.gradient(z, {w})[w], 40000);
  EXPECT_EQ(gg::value_and_grad<gg::taped>([](auto x) { return 100 * square_cotangent(x); }, 3.0)
                .gradient[0],
            10000);
}

// Gradient clipping, the usual reason for a custom gradient: the cotangent is
// clipped to [-t, t] (t captured), so the gradient differs from the true one.
auto clip_gradient(const double& t) {
  return gg::custom_gradient([](auto x) { return x; },
                             [&t](auto g, auto) { return g < -t ? -t : (g > t ? t : g); });
}

TEST(CustomGradient, GradientClippingWithACapturedThreshold) {
  double t = 1.0;
  const auto clip = clip_gradient(t);
  // loss = 3 x^2 through clip: true gradient 6 x = 12 at x = 2, clipped 1.
  auto loss = [&](const auto& x) { return 3.0 * clip(x * x); };
  auto x = gg::var<"x">(2.0);
  EXPECT_EQ(gg::derivative(loss(x), x), 1.0 * 2 * 2.0);  // d(x^2)/dx * clip(3)
  EXPECT_EQ(gg::value_and_grad(loss, 2.0).gradient[0], 4.0);
  EXPECT_EQ(gg::value_and_grad<gg::taped>(loss, 2.0).gradient[0], 4.0);

  gg::tape tape;
  gg::real w = tape.variable("w", 2.0);
  gg::real l = loss(w);
  EXPECT_EQ(gg::value(l), 12.0);
  EXPECT_EQ(tape.gradient(l, {w})[w], 4.0);  // unclipped: 12
  gg::real small = 0.1 * clip(w);            // a cotangent inside the range is kept
  EXPECT_DOUBLE_EQ(tape.gradient(small, {w})[w], 0.1);
  t = 0.5;  // captured by reference: the next sweep uses it
  EXPECT_EQ(tape.gradient(l, {w})[w], 2.0);
  // Negative cotangents are clipped from below.
  gg::real neg = -3.0 * clip(w);
  EXPECT_EQ(tape.gradient(neg, {w})[w], -0.5);
}

// The vjp of a custom operation is called exactly once per sweep that
// reaches it, with the summed cotangent of all its uses.
TEST(CustomGradient, ACapturingVjpIsCalledOncePerSweep) {
  int calls = 0;
  const auto counted = gg::custom_gradient([](auto x) { return 2 * x; },
                                           [&calls](auto g, auto) {
                                             ++calls;
                                             return 2 * g;
                                           });
  gg::tape tape;
  gg::real w = tape.variable("w", 1.5);
  gg::real u = counted(w);
  gg::real y = u * u + u;  // u used twice: one call with g = 2u + 1
  EXPECT_EQ(calls, 0);     // nothing is called while recording
  EXPECT_EQ(tape.gradient(y, {w})[w], 2 * (2 * 3.0 + 1));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(tape.gradient(y, {w})[w], 2 * (2 * 3.0 + 1));
  EXPECT_EQ(calls, 2);
  gg::real o = tape.variable("o", 1.0);
  gg::real other = o * 2.0;
  EXPECT_EQ(tape.gradient(other, {o})[o], 2.0);  // a sweep that does not reach it
  EXPECT_EQ(calls, 2);

  // The static engine: once per gradient as well, however often it occurs.
  calls = 0;
  auto x = gg::var<"x">(1.5);
  EXPECT_EQ(gg::derivative(counted(x) * 3.0, x), 6.0);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(gg::gradient(counted(x) + counted(x), x)[x], 4.0);
  EXPECT_EQ(calls, 3);  // two uses, two operations (as in JAX): not merged

  // The callables live as long as the recording: the tape keeps a copy.
  calls = 0;
  gg::real v;
  {
    const auto scoped = gg::custom_gradient([](auto x) { return x; },
                                            [&calls](auto g, auto) {
                                              ++calls;
                                              return g;
                                            });
    v = scoped(w) * 3.0;
  }
  EXPECT_EQ(tape.gradient(v, {w})[w], 3.0);
  EXPECT_EQ(calls, 1);
}

// Captureless callables stay usable in constant expressions.
TEST(CustomGradient, CapturelessIsConstexpr) {
  constexpr auto x = gg::var<"x">(2.0);
  static_assert(gg::derivative(3.0 * square_cotangent(x * x), x) == 9.0 * 2 * 2.0);
  static_assert(gg::value_and_grad([](auto v) { return softclip(v); }, 1.0).gradient[0] == 0.25);
  static_assert(sizeof(softclip) == 1);
}

// Several occurrences of one captureless linear operation are merged by the
// static sweep; non-linear ones are not (vjp(g1 + g2) != vjp(g1) + vjp(g2)).
TEST(CustomGradient, NonLinearOccurrencesAreNotMerged) {
  constexpr auto x = gg::var<"x">(2.0);
  // Each occurrence gets cotangent 1: 1 + 1, not (1 + 1)^2.
  static_assert(gg::derivative(square_cotangent(x) + square_cotangent(x), x) == 2.0);
  gg::tape tape;
  gg::real w = tape.variable("w", 2.0);
  gg::real y = square_cotangent(w) + square_cotangent(w);
  EXPECT_EQ(tape.gradient(y, {w})[w], 2.0);
}

// Operands of two tapes, or of a cleared recording, are clear errors.
TEST(CustomGradient, OperandsOfAnotherRecordingAreErrors) {
  gg::tape a, b;
  gg::real x = a.variable("x", 1.0);
  gg::real y = b.variable("y", 2.0);
  EXPECT_THROW(hypot3(x, y, 1.0), gg::tape_mismatch);
  a.clear();
  EXPECT_THROW(softclip(x), gg::tape_mismatch);
  // Constants only: the primal, on no tape.
  gg::real c = softclip(gg::real(1.0));
  EXPECT_FALSE(c.on_tape());
  EXPECT_EQ(gg::value(c), 0.5);
}

// A vjp that returns NaN is reported by gg::check_finite, naming the operation.
TEST(CustomGradient, CheckFiniteNamesTheCustomOperation) {
  gg::tape tape(gg::check_finite);
  gg::real w = tape.variable("w", 1.0);
  const auto bad =
      gg::custom_gradient([](auto x) { return x; }, [](auto g, auto) { return g * std::nan(""); });
  gg::real y = bad(w) * 2.0;
  try {
    tape.gradient(y, {w});
    FAIL() << "no gg::non_finite_adjoint";
  } catch (const gg::non_finite_adjoint& e) {
    EXPECT_NE(std::string(e.what()).find("custom_gradient"), std::string::npos) << e.what();
  }
}

// Forward mode takes a vjp declared linear (its partials are vjp(1)); the
// tangents agree with the reverse engines.
TEST(CustomGradient, ForwardModeWithALinearVjp) {
  auto f = [](auto x, auto y) { return softclip_linear(x * y) * y; };
  auto fwd = gg::value_and_grad<gg::forward>(f, 0.7, -1.3);
  auto rev = gg::value_and_grad(f, 0.7, -1.3);
  EXPECT_DOUBLE_EQ(fwd.value, rev.value);
  EXPECT_NEAR(fwd.gradient[0], rev.gradient[0], 1e-15);
  EXPECT_NEAR(fwd.gradient[1], rev.gradient[1], 1e-15);
  EXPECT_NEAR(fwd.gradient[0],
              central([](double v) { return v * -1.3 / (1 + std::abs(v * -1.3)) * -1.3; }, 0.7),
              1e-7);
  static_assert(
      gg::value_and_grad<gg::forward>([](auto x) { return softclip_linear(x); }, 1.0).gradient[0] ==
      0.25);
}

}  // namespace
