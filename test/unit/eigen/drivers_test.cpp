// gg::jacobian (forward or reverse, chosen by shape) and gg::hessian (forward
// over reverse) for Eigen vectors: against central finite differences,
// against the static engine's symbolic second derivatives, and against the
// same drivers for std::vector (test/unit/derivatives_test.cpp checks those
// against nested tapes).
#include <gradguard/eigen.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace gg = gradguard;

namespace {

using vector = Eigen::VectorXd;
using matrix = Eigen::MatrixXd;

// Central differences of a vector-valued f (given as doubles).
template <class F>
matrix finite_jacobian(const F& f, const vector& x, double h = 1e-6) {
  const vector y = f(x);
  matrix J(y.size(), x.size());
  for (Eigen::Index j = 0; j < x.size(); ++j) {
    const auto d = gg::central_difference(
        [&](double t) {
          vector q = x;
          q[j] = t;
          const vector fq = f(q);
          return std::vector<double>(fq.data(), fq.data() + fq.size());
        },
        x[j], h, false);
    J.col(j) = Eigen::Map<const vector>(d.derivative.data(), y.size());
  }
  return J;
}

// Four outputs of three inputs (forward mode), and their transposed shape.
auto tall = [](const auto& v) {
  using std::exp;
  using std::sin;
  using S = typename std::decay_t<decltype(v)>::Scalar;
  Eigen::Matrix<S, Eigen::Dynamic, 1> r(4);
  r[0] = v[0] * v[1];
  r[1] = exp(v[2]) * v[0];
  r[2] = sin(v[1]) + v[2] * v[2];
  r[3] = v[0] / (1.0 + v[1] * v[1]);
  return r;
};
auto wide = [](const auto& v) {
  using std::cos;
  using std::log;
  using S = typename std::decay_t<decltype(v)>::Scalar;
  Eigen::Matrix<S, Eigen::Dynamic, 1> r(2);
  r[0] = v[0] * v[1] * v[2] + log(v[3] * v[3] + 1.0) + v[4];
  r[1] = cos(v[0] + v[4]) * v[2];
  return r;
};

TEST(Jacobian, ForwardModeForTallFunctionsMatchesFiniteDifferences) {
  vector x(3);
  x << 0.5, -1.0, 2.0;
  const matrix J = gg::jacobian(tall, x);
  const matrix fd = finite_jacobian([](const vector& v) { return vector(tall(v)); }, x);
  ASSERT_EQ(J.rows(), 4);
  ASSERT_EQ(J.cols(), 3);
  EXPECT_TRUE(J.isApprox(fd, 1e-7)) << J << "\n\n" << fd;
  EXPECT_DOUBLE_EQ(J(0, 0), x[1]);  // exact, not approximate
}

// gg::jacobian calls fn with doubles first (to learn the number of outputs):
// a function written with gg::sin, gg::exp, gg::pow works (gg:: functions
// take plain numbers), in forward and in reverse mode.
TEST(Jacobian, OfAFunctionWrittenWithGradguardFunctions) {
  auto g = [](const auto& v) {
    using S = typename std::decay_t<decltype(v)>::Scalar;
    Eigen::Matrix<S, Eigen::Dynamic, 1> r(3);
    r[0] = gg::sin(v[0]) * gg::exp(v[1]);
    r[1] = gg::pow(v[0], 2.5) + gg::square(v[1]);
    r[2] = gg::max(v[0], v[1]) * gg::log1p(v[1]);
    return r;
  };
  vector x(2);
  x << 0.7, 0.4;
  const matrix fd = finite_jacobian([&](const vector& v) { return vector(g(v)); }, x);
  const matrix J = gg::jacobian(g, x);  // forward: 3 outputs of 2 inputs
  EXPECT_TRUE(J.isApprox(fd, 1e-7)) << J << "\n\n" << fd;
  auto sum = [&](const auto& v) { return gg::sin(v[0]) * gg::exp(v[1]) + gg::pow(v[0], 2.5); };
  const matrix Jr = gg::jacobian(sum, x);  // reverse: 1 output
  EXPECT_TRUE(Jr.row(0).isApprox(
      fd.row(0) + (vector(2) << 2.5 * std::pow(0.7, 1.5), 0).finished().transpose(), 1e-7))
      << Jr;
}

TEST(Jacobian, ReverseModeForWideFunctionsMatchesFiniteDifferences) {
  vector x(5);
  x << 0.3, -0.7, 1.1, 2.0, -0.4;
  const matrix J = gg::jacobian(wide, x);
  const matrix fd = finite_jacobian([](const vector& v) { return vector(wide(v)); }, x);
  ASSERT_EQ(J.rows(), 2);
  ASSERT_EQ(J.cols(), 5);
  EXPECT_TRUE(J.isApprox(fd, 1e-7)) << J << "\n\n" << fd;
  EXPECT_DOUBLE_EQ(J(0, 4), 1.0);
  EXPECT_DOUBLE_EQ(J(1, 1), 0.0);  // r1 does not depend on v1: a true zero
}

TEST(Jacobian, ManyInputsTakeSeveralForwardPasses) {
  // 20 inputs, 20 outputs: three passes of eight tangents.
  const int n = 20;
  vector x = vector::LinSpaced(n, -1.0, 1.0);
  auto f = [](const auto& v) {
    using std::tanh;
    using S = typename std::decay_t<decltype(v)>::Scalar;
    Eigen::Matrix<S, Eigen::Dynamic, 1> r(v.size());
    for (Eigen::Index i = 0; i < v.size(); ++i)
      r[i] = tanh(v[i] * v[(i + 1) % v.size()]) + v[(i + 7) % v.size()];
    return r;
  };
  const matrix J = gg::jacobian(f, x);
  const matrix fd = finite_jacobian([&](const vector& v) { return vector(f(v)); }, x);
  EXPECT_TRUE(J.isApprox(fd, 1e-7));
}

TEST(Jacobian, ScalarFunctionsGiveOneRow) {
  vector x(3);
  x << 1.0, 2.0, 3.0;
  const matrix J = gg::jacobian([](const auto& v) { return v.squaredNorm(); }, x);
  ASSERT_EQ(J.rows(), 1);
  EXPECT_TRUE(J.transpose().isApprox(2 * x));
}

// x0^3 + 1 as an expression that refers to a const local, dead on return.
// Not inlined: g++ would warn (-Wmaybe-uninitialized) that the test reads it.
template <class V>
[[gnu::noinline]] auto cube_from_local(const V& v) {
  using S = typename V::Scalar;
  const S s = v[0] * v[0];
  return s * v[0] + 1.0;
}

// A forward-mode result that refers to a const local of fn (dead once fn
// returns) is refused before it is read; made a dual, it is right.
TEST(Jacobian, RefusesAResultThatRefersToALocalOfFn) {
  vector x(1);
  x << 3.0;
  auto local = [](const auto& v) { return cube_from_local(v); };
  EXPECT_THAT([&] { gg::jacobian(local, x); },
              testing::ThrowsMessage<std::logic_error>(testing::HasSubstr(
                  "gradguard::jacobian(fn, x): fn returned an expression of duals that refers "
                  "to a gg::dual that is not one of its arguments")));
  auto as_dual = [](const auto& v) {
    using S = typename std::decay_t<decltype(v)>::Scalar;
    const S s = v[0] * v[0];
    return S(s * v[0] + 1.0);
  };
  const matrix J = gg::jacobian(as_dual, x);
  const auto fd = gg::central_difference(
      [&](double t) {
        vector q(1);
        q << t;
        return as_dual(q);
      },
      3.0, 1e-4);
  ASSERT_EQ(J.rows(), 1);
  EXPECT_NEAR(J(0, 0), fd.derivative, 1e-7);
}

// f(x, y, z) = x^2 y + exp(y z) + log(z) x
auto scalar_f = [](const auto& v) {
  using std::exp;
  using std::log;
  return v[0] * v[0] * v[1] + exp(v[1] * v[2]) + log(v[2]) * v[0];
};

TEST(Hessian, EqualsTheSymbolicSecondDerivativesOfTheStaticEngine) {
  vector p(3);
  p << 0.5, -1.0, 2.0;
  const matrix H = gg::hessian(scalar_f, p);
  const auto x = gg::var<"x">(0.5);
  const auto y = gg::var<"y">(-1.0);
  const auto z = gg::var<"z">(2.0);
  const auto f = x * x * y + gg::exp(y * z) + gg::log(z) * x;
  const double symbolic[3][3] = {
      {gg::value(gg::d(gg::d(f, x), x)), gg::value(gg::d(gg::d(f, x), y)),
       gg::value(gg::d(gg::d(f, x), z))},
      {gg::value(gg::d(gg::d(f, y), x)), gg::value(gg::d(gg::d(f, y), y)),
       gg::value(gg::d(gg::d(f, y), z))},
      {gg::value(gg::d(gg::d(f, z), x)), gg::value(gg::d(gg::d(f, z), y)),
       gg::value(gg::d(gg::d(f, z), z))}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      EXPECT_NEAR(H(i, j), symbolic[i][j], 1e-12 * (1 + std::abs(symbolic[i][j])))
          << i << ", " << j;
}

TEST(Hessian, MatchesFiniteDifferencesOfTheGradientAndTheVectorDriver) {
  // 11 inputs: two forward-over-reverse passes of eight directions.
  const int n = 11;
  const vector x = vector::LinSpaced(n, 0.2, 1.4);
  auto f = [](const auto& v) {
    using std::exp;
    using std::sin;
    using S = std::decay_t<decltype(v[0])>;
    S s = 0.0;
    for (std::size_t i = 0; i + 1 < std::size(v); ++i) s += sin(v[i] * v[i + 1]) + exp(v[i] / 4.0);
    return s * v[0];
  };
  auto eigen_f = [&](const auto& v) {
    using R = typename std::decay_t<decltype(v)>::Scalar;
    std::vector<R> w(v.data(), v.data() + v.size());
    return R(f(w));
  };
  const matrix H = gg::hessian(eigen_f, x);
  // Finite differences of the gradient (the gradient from the tape).
  auto gradient = [&](const vector& at) {
    auto r = gg::value_and_grad<gg::taped>([&](const auto& v) { return gg::real(f(v)); },
                                           std::vector<double>(at.data(), at.data() + at.size()));
    const auto& g = std::get<0>(r.gradient);
    return vector(Eigen::Map<const vector>(g.data(), n));
  };
  const matrix fd = finite_jacobian(gradient, x);
  EXPECT_TRUE(H.isApprox(fd, 1e-6)) << H << "\n\n" << fd;
  // The driver for a std::vector<double> gives the same matrix.
  const auto same = gg::hessian(f, std::vector<double>(x.data(), x.data() + n));
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) EXPECT_EQ(H(i, j), same(i, j)) << i << "," << j;
  EXPECT_TRUE(H.isApprox(H.transpose(), 1e-14));
}

TEST(Hessian, AnInputTheFunctionIgnoresIsAMissingGradient) {
  vector x(2);
  x << 1.0, 2.0;
  try {
    (void)gg::hessian([](const auto& v) { return v[0] * v[0]; }, x);
    FAIL() << "no gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'x[1]'"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("never used"));
    // where the caller asked, not a line of the library
    EXPECT_THAT(e.what(), ::testing::HasSubstr("drivers_test.cpp:"));
    EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr(".hpp:")));
  }
  try {  // the driver for a std::vector<double>
    (void)gg::hessian([](const auto& v) { return v[0] * v[0]; }, std::vector<double>{1.0, 2.0});
    FAIL() << "no gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("drivers_test.cpp:"));
    EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr(".hpp:")));
  }
}

}  // namespace
