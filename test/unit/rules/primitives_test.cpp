// The one list of primitives (rules/primitives.hpp) against the scalar front
// ends: every primitive is offered for static expressions, gg::dual and
// gg::real (a missing one fails to compile here, naming it), and the three
// engines agree with each other and with central differences of the plain
// double function. gg::real_matrix: eigen/elementwise_test.cpp.
#include <gradguard/gradguard.hpp>
#include <gradguard/rules/primitives.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string_view>

namespace gg = gradguard;

namespace {

// Every primitive is a function of every scalar front end.
#define GG_TEST_OFFERS_UNARY(name, rule)                                 \
  static_assert(                                                         \
      requires { gg::name(gg::var<"x">(0.5)); }, "static: " #name);      \
  static_assert(                                                         \
      requires { gg::name(gg::dual<double, 1>(0.5)); }, "dual: " #name); \
  static_assert(                                                         \
      requires(gg::real r) { gg::name(r); }, "real: " #name);
#define GG_TEST_OFFERS_BINARY(name, rule)                                              \
  static_assert(                                                                       \
      requires { gg::name(gg::var<"x">(0.5), gg::var<"y">(0.5)); }, "static: " #name); \
  static_assert(                                                                       \
      requires { gg::name(gg::dual<double, 1>(0.5), 2.0); }, "dual: " #name);          \
  static_assert(                                                                       \
      requires(gg::real r) { gg::name(r, r); }, "real: " #name);
GRADGUARD_UNARY_PRIMITIVES(GG_TEST_OFFERS_UNARY)
GRADGUARD_CUT_PRIMITIVES(GG_TEST_OFFERS_UNARY)
GRADGUARD_BINARY_PRIMITIVES(GG_TEST_OFFERS_BINARY)
#undef GG_TEST_OFFERS_UNARY
#undef GG_TEST_OFFERS_BINARY

// A point inside every primitive's domain (acosh needs x > 1).
constexpr double point(std::string_view name) { return name == "acosh" ? 1.6 : 0.6; }

// Central difference of a plain double function, with its noise bound.
template <class F>
double slope(const F& f, double x) {
  return gg::central_difference(f, x, 1e-4).derivative;
}

// Value and derivative of f at x from each engine.
template <class F>
void expect_unary_agrees(const F& f, double x, std::string_view name) {
  SCOPED_TRACE(std::string(name));
  const double fd = slope([&](double t) { return f(t); }, x);
  // static: the leaf's derivative
  const auto sx = gg::var<"x">(x);
  const auto se = f(sx);
  EXPECT_DOUBLE_EQ(gg::value(se), f(x));
  EXPECT_NEAR(gg::derivative(se, sx), fd, 1e-7 * (1 + std::abs(fd)));
  // forward
  // (a dual, not auto: the lazy dual_expression of f would refer to f's
  // argument, a temporary)
  const gg::dual<double, 1> d = f(gg::dual<double, 1>::variable(x, 0));
  EXPECT_DOUBLE_EQ(gg::value(d), f(x));
  EXPECT_NEAR(gg::tangent(d)[0], fd, 1e-7 * (1 + std::abs(fd)));
  // tape
  gg::tape t;
  const gg::real r = t.variable("x", x);
  const gg::real y = f(r);
  EXPECT_DOUBLE_EQ(gg::value(y), f(x));
  EXPECT_NEAR(t.gradient(y, {r})[r], fd, 1e-7 * (1 + std::abs(fd)));
}

template <class F>
void expect_binary_agrees(const F& f, double a, double b, std::string_view name) {
  SCOPED_TRACE(std::string(name));
  const double fa = slope([&](double t) { return f(t, b); }, a);
  const double fb = slope([&](double t) { return f(a, t); }, b);
  const auto sa = gg::var<"a">(a);
  const auto sb = gg::var<"b">(b);
  const auto se = f(sa, sb);
  EXPECT_DOUBLE_EQ(gg::value(se), f(a, b));
  EXPECT_NEAR(gg::derivative(se, sa), fa, 1e-7 * (1 + std::abs(fa)));
  EXPECT_NEAR(gg::derivative(se, sb), fb, 1e-7 * (1 + std::abs(fb)));
  const gg::dual<double, 2> d =
      f(gg::dual<double, 2>::variable(a, 0), gg::dual<double, 2>::variable(b, 1));
  EXPECT_DOUBLE_EQ(gg::value(d), f(a, b));
  EXPECT_NEAR(gg::tangent(d)[0], fa, 1e-7 * (1 + std::abs(fa)));
  EXPECT_NEAR(gg::tangent(d)[1], fb, 1e-7 * (1 + std::abs(fb)));
  gg::tape t;
  const gg::real ra = t.variable("a", a);
  const gg::real rb = t.variable("b", b);
  const gg::real y = f(ra, rb);
  EXPECT_DOUBLE_EQ(gg::value(y), f(a, b));
  const auto g = t.gradient(y, {ra, rb});
  EXPECT_NEAR(g[ra], fa, 1e-7 * (1 + std::abs(fa)));
  EXPECT_NEAR(g[rb], fb, 1e-7 * (1 + std::abs(fb)));
}

TEST(Primitives, EveryUnaryPrimitiveAgreesAcrossEngines) {
  int checked = 0;
#define GG_TEST_UNARY(name, rule)                                                      \
  expect_unary_agrees([](const auto& x) { return gg::name(x); }, point(#name), #name); \
  ++checked;
  GRADGUARD_UNARY_PRIMITIVES(GG_TEST_UNARY)
#undef GG_TEST_UNARY
  EXPECT_EQ(checked, 31);
}

TEST(Primitives, EveryBinaryPrimitiveAgreesAcrossEngines) {
  int checked = 0;
#define GG_TEST_BINARY(name, rule)                                                            \
  expect_binary_agrees([](const auto& a, const auto& b) { return gg::name(a, b); }, 0.7, 0.4, \
                       #name);                                                                \
  ++checked;
  GRADGUARD_BINARY_PRIMITIVES(GG_TEST_BINARY)
#undef GG_TEST_BINARY
  EXPECT_EQ(checked, 7);
}

// A cut has the plain function's value in every engine, and its path is cut:
// the tape names the primitive, forward mode has a structurally zero tangent.
TEST(Primitives, EveryCutKeepsTheValueAndCutsThePath) {
  int checked = 0;
#define GG_TEST_CUT(name, rule)                                                             \
  {                                                                                         \
    SCOPED_TRACE(#name);                                                                    \
    const double x = 2.6;                                                                   \
    EXPECT_EQ(gg::value(gg::name(gg::var<"x">(x))), gg::name(x));                           \
    const auto d = gg::name(gg::dual<double, 1>::variable(x, 0));                           \
    EXPECT_EQ(gg::value(d), gg::name(x));                                                   \
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(gg::tangent(d))>, gg::zero>); \
    gg::tape t;                                                                             \
    const gg::real r = t.variable("x", x);                                                  \
    const gg::real y = gg::name(r);                                                         \
    EXPECT_EQ(gg::value(y), gg::name(x));                                                   \
    EXPECT_EQ(t.gradient(y, {r}, gg::allow_unconnected)[r], 0.0);                           \
    ++checked;                                                                              \
  }
  GRADGUARD_CUT_PRIMITIVES(GG_TEST_CUT)
#undef GG_TEST_CUT
  EXPECT_EQ(checked, 6);
}

}  // namespace
