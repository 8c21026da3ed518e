// gg::real_matrix's elementwise functions, expanded from the one list of
// primitives (rules/primitives.hpp): each one is offered, its value is the
// scalar function's element by element, and its gradient agrees with central
// differences. The cuts are compile errors for matrices (docs/eigen.md's
// compile-fail block checks the message).
#include <gradguard/eigen.hpp>
#include <gradguard/rules/primitives.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <string_view>

namespace gg = gradguard;

namespace {

using matrix = Eigen::MatrixXd;

#define GG_TEST_OFFERS_UNARY(name, rule) \
  static_assert(                         \
      requires(gg::real_matrix a) { gg::name(a); }, "real_matrix: " #name);
#define GG_TEST_OFFERS_BINARY(name, rule)                                                  \
  static_assert(                                                                           \
      requires(gg::real_matrix a) { gg::name(a, a); }, "real_matrix: " #name);             \
  static_assert(                                                                           \
      requires(gg::real_matrix a, gg::real s) { gg::name(a, s); }, "with a real: " #name); \
  static_assert(                                                                           \
      requires(gg::real_matrix a) { gg::name(a, 2.0); }, "with a number: " #name);
GRADGUARD_UNARY_PRIMITIVES(GG_TEST_OFFERS_UNARY)
GRADGUARD_BINARY_PRIMITIVES(GG_TEST_OFFERS_BINARY)
#undef GG_TEST_OFFERS_UNARY
#undef GG_TEST_OFFERS_BINARY

// 3 x 2 inputs inside every primitive's domain (acosh: > 1), no two alike.
matrix inputs(std::string_view name, double shift = 0) {
  matrix m(3, 2);
  m << 0.15, 0.45, 0.3, 0.6, 0.75, 0.85;
  return m.array() + shift + (name == "acosh" ? 1.0 : 0.0);
}
// Weights, so that each element's partial shows in the gradient of the sum.
matrix weights() {
  matrix w(3, 2);
  w << 1.0, -2.0, 0.5, 3.0, -1.5, 2.5;
  return w;
}

// sum(W .* f(A, B)) recorded on a tape: its value and gradient against the
// scalar function's, element by element and by central differences.
template <class F>
void expect_elementwise(const F& f, const matrix& a, const matrix& b, std::string_view name) {
  SCOPED_TRACE(std::string(name));
  const matrix w = weights();
  auto plain = [&](const matrix& x, const matrix& y) {
    double s = 0;
    for (Eigen::Index k = 0; k < x.size(); ++k) s += w(k) * f(x(k), y(k));
    return s;
  };
  gg::tape t;
  gg::real_matrix A = t.variable("A", a);
  gg::real_matrix B = t.variable("B", b);
  const gg::real_matrix C = f(A, B);
  ASSERT_EQ(C.rows(), a.rows());
  ASSERT_EQ(C.cols(), a.cols());
  for (Eigen::Index k = 0; k < a.size(); ++k) {
    const double v = f(a(k), b(k));
    EXPECT_NEAR(C.value()(k), v, 1e-15 * (1 + std::abs(v))) << k;
  }
  const gg::real y = gg::sum(gg::cwise_product(C, w));
  EXPECT_NEAR(gg::value(y), plain(a, b), 1e-12);
  auto g = t.gradient(y, {A, B}, gg::allow_unconnected);
  const matrix dA = g[A], dB = g[B];
  for (Eigen::Index k = 0; k < a.size(); ++k) {
    auto along = [&](const matrix& x, bool first) {
      return [&, first](double v) {
        matrix q = x;
        q(k) = v;
        return first ? plain(q, b) : plain(a, q);
      };
    };
    const double fa = gg::central_difference(along(a, true), a(k), 1e-4).derivative;
    const double fb = gg::central_difference(along(b, false), b(k), 1e-4).derivative;
    EXPECT_NEAR(dA(k), fa, 1e-7 * (1 + std::abs(fa))) << "A(" << k << ")";
    EXPECT_NEAR(dB(k), fb, 1e-7 * (1 + std::abs(fb))) << "B(" << k << ")";
  }
}

TEST(RealMatrixElementwise, EveryUnaryPrimitiveAgreesWithFiniteDifferences) {
  int checked = 0;
#define GG_TEST_UNARY(name, rule)                                                           \
  expect_elementwise([](const auto& x, const auto&) { return gg::name(x); }, inputs(#name), \
                     inputs(#name), #name);                                                 \
  ++checked;
  GRADGUARD_UNARY_PRIMITIVES(GG_TEST_UNARY)
#undef GG_TEST_UNARY
  EXPECT_EQ(checked, 31);
}

TEST(RealMatrixElementwise, EveryBinaryPrimitiveAgreesWithFiniteDifferences) {
  int checked = 0;
  // b - 0.1 against a: no element of A equals B's (min, max and their kinks)
#define GG_TEST_BINARY(name, rule)                                                               \
  expect_elementwise([](const auto& x, const auto& y) { return gg::name(x, y); }, inputs(#name), \
                     inputs(#name, -0.1).reverse(), #name);                                      \
  ++checked;
  GRADGUARD_BINARY_PRIMITIVES(GG_TEST_BINARY)
#undef GG_TEST_BINARY
  EXPECT_EQ(checked, 7);
}

// A matrix and a gg::real: the real's adjoint is the sum over the elements.
TEST(RealMatrixElementwise, AMatrixAndARealAgreeWithFiniteDifferences) {
  const matrix a = inputs("pow");
  const matrix w = weights();
  auto plain = [&](double s) {
    double r = 0;
    for (Eigen::Index k = 0; k < a.size(); ++k) r += w(k) * std::pow(a(k), s);
    return r;
  };
  gg::tape t;
  gg::real_matrix A = t.variable("A", a);
  gg::real s = t.variable("s", 1.7);
  const gg::real y = gg::sum(gg::cwise_product(gg::pow(A, s), w));
  EXPECT_NEAR(gg::value(y), plain(1.7), 1e-12);
  const double fd = gg::central_difference(plain, 1.7, 1e-4).derivative;
  EXPECT_NEAR(t.gradient(y, {s})[s], fd, 1e-7 * (1 + std::abs(fd)));
}

}  // namespace
