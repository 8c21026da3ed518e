// gg::jacobian and gg::hessian of a function of a std::vector<double>
// (<gradguard/derivatives.hpp>): each algorithm (reverse and forward
// Jacobian, forward-over-reverse Hessian, at both tangent widths) against
// finite differences, the static engine's symbolic derivatives and nested
// tapes; and what they refuse.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <gradguard/gradguard.hpp>

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace gg = gradguard;

namespace {

// f(x, y) = x^2 y + e^y x + sin(x y), written once, run statically and
// through the driver.
auto f2 = [](const auto& x, const auto& y) { return x * x * y + gg::exp(y) * x + gg::sin(x * y); };

TEST(Hessian, EqualsSymbolicSecondDerivatives) {
  for (auto [x0, y0] : {std::pair{1.5, 0.5}, std::pair{-0.7, 2.0}, std::pair{0.1, -1.3}}) {
    auto x = gg::var<"x">(x0);
    auto y = gg::var<"y">(y0);
    auto f = f2(x, y);
    const double hxx = gg::value(gg::d(gg::d(f, x), x));
    const double hxy = gg::value(gg::d(gg::d(f, x), y));
    const double hyy = gg::value(gg::d(gg::d(f, y), y));
    auto H = gg::hessian([](const auto& v) { return f2(v[0], v[1]); }, {x0, y0});
    ASSERT_EQ(H.rows, 2u);
    ASSERT_EQ(H.cols, 2u);
    EXPECT_NEAR(H(0, 0), hxx, 1e-12 * (1 + std::abs(hxx)));
    EXPECT_NEAR(H(0, 1), hxy, 1e-12 * (1 + std::abs(hxy)));
    EXPECT_NEAR(H(1, 0), hxy, 1e-12 * (1 + std::abs(hxy)));
    EXPECT_NEAR(H(1, 1), hyy, 1e-12 * (1 + std::abs(hyy)));
  }
}

// f(x) = sum_i log(1 + x_i^2) x_{i+1}, a loop the static engine cannot write
auto chain = [](const auto& v) {
  using R = std::remove_cvref_t<decltype(v[0])>;
  R s = 0.0;
  for (std::size_t i = 0; i + 1 < v.size(); ++i) s += gg::log(1.0 + v[i] * v[i]) * v[i + 1];
  return s;
};

// Each column of H against central differences of the taped gradient: 4
// inputs (one pass of width 4) and 11 (passes of width 8, the last partial).
TEST(Hessian, EqualsFiniteDifferencesOfTheGradientAtBothWidths) {
  for (const std::vector<double>& x :
       {std::vector<double>{0.3, -1.2, 0.8, 2.0},
        std::vector<double>{0.3, -1.2, 0.8, 2.0, -0.4, 1.1, 0.05, -2.2, 0.9, 1.7, -0.6}}) {
    const auto H = gg::hessian(chain, x);
    ASSERT_EQ(H.rows, x.size());
    ASSERT_EQ(H.cols, x.size());
    auto grad = [&](const std::vector<double>& p) {
      return std::get<0>(gg::value_and_grad<gg::taped>(chain, p).gradient);
    };
    for (std::size_t j = 0; j < x.size(); ++j) {
      const std::vector<double> column = gg::central_partial(grad, x, j).derivative;
      for (std::size_t i = 0; i < x.size(); ++i) {
        EXPECT_NEAR(H(i, j), column[i], 1e-8) << i << "," << j;
        EXPECT_NEAR(H(i, j), H(j, i), 1e-13);
      }
    }
  }
}

// Reverse over reverse by hand: an inner tape of gg::reals of an outer tape
// (docs/tape.md, "Nested tapes"), its gradient differentiated by the outer
// tape. The driver's forward-over-reverse Hessian must give the same.
TEST(Hessian, EqualsNestedTapes) {
  const std::vector<double> x{0.7, -0.3, 1.4, 0.2, -1.1};
  gg::tape outer(gg::check_finite, false);
  const std::vector<gg::real> xo = outer.variables("x", x);
  gg::basic_tape<gg::real> inner(gg::check_finite, false);
  std::vector<gg::basic_real<gg::real>> xi;
  for (std::size_t i = 0; i < x.size(); ++i)
    xi.push_back(inner.variable("x" + std::to_string(i), xo[i]));
  const gg::basic_real<gg::real> y = chain(xi);
  const auto g = inner.gradient(y, xi);
  const gg::dense_matrix<double> nested = outer.jacobian(g.values(), xo, gg::allow_unconnected);
  const auto H = gg::hessian(chain, x);
  for (std::size_t i = 0; i < x.size(); ++i)
    for (std::size_t j = 0; j < x.size(); ++j)
      EXPECT_NEAR(H(i, j), nested(i, j), 1e-14 * (1 + std::abs(nested(i, j)))) << i << "," << j;
}

TEST(Hessian, AVariableTheFunctionIgnoresIsAMissingGradientAtTheCallersLine) {
  const int line = __LINE__ + 2;
  try {
    (void)gg::hessian([](const auto& v) { return v[0] * v[0]; }, {1.0, 2.0});
    FAIL() << "no exception";
  } catch (const gg::missing_gradient& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("derivatives_test.cpp:" + std::to_string(line)));
  }
}

// NaN in, NaN out (as with doubles), never a number computed without it.
TEST(Hessian, ANaNInputGivesNaNWhereItReaches) {
  // f = log(1 + x0^2) x1 + log(1 + x1^2) x2 at x1 = NaN
  const auto H = gg::hessian(chain, {1.0, std::nan(""), 2.0});
  EXPECT_TRUE(std::isnan(H(0, 0)));  // 2 (1 - x0^2) / (1 + x0^2)^2 x1
  EXPECT_TRUE(std::isnan(H(1, 1)));
  EXPECT_TRUE(std::isnan(H(1, 2)));  // 2 x1 / (1 + x1^2)
  EXPECT_DOUBLE_EQ(H(0, 1), 1.0);    // 2 x0 / (1 + x0^2): no x1 in it
  EXPECT_EQ(H(0, 2), 0.0);
}

TEST(Hessian, OfNoInputsIsEmpty) {
  const auto H = gg::hessian([](const auto&) { return 1.0; }, std::vector<double>{});
  EXPECT_EQ(H.rows, 0u);
  EXPECT_EQ(H.cols, 0u);
}

// g: R^n -> R^m, m outputs of n inputs, the last input unused.
template <std::size_t M>
auto outputs = [](const auto& v) {
  using S = std::remove_cvref_t<decltype(v[0])>;
  std::vector<S> y;
  for (std::size_t k = 0; k < M; ++k) {
    S s = std::sin(double(k));
    for (std::size_t i = 0; i + 1 < v.size(); ++i) s = s * gg::cos(v[i] + double(k)) + v[i] * v[i];
    y.push_back(s);
  }
  return y;
};

template <std::size_t M>
void expect_finite_difference_jacobian(const std::vector<double>& x) {
  const auto J = gg::jacobian(outputs<M>, x);
  ASSERT_EQ(J.rows, M);
  ASSERT_EQ(J.cols, x.size());
  for (std::size_t j = 0; j < x.size(); ++j) {
    const std::vector<double> column = gg::central_partial(outputs<M>, x, j).derivative;
    for (std::size_t i = 0; i < M; ++i)
      EXPECT_NEAR(J(i, j), column[i], 1e-9 * (1 + std::abs(column[i]))) << i << "," << j;
  }
  for (std::size_t i = 0; i < M; ++i) EXPECT_EQ(J(i, x.size() - 1), 0.0);  // unused: a true 0
}

// Reverse mode (m < n), forward mode at width 4 (n <= 4) and at width 8
// over two passes (n = 10).
TEST(Jacobian, EqualsFiniteDifferencesInEveryMode) {
  expect_finite_difference_jacobian<2>({0.4, -0.9, 1.3, 0.6, 0.1});
  expect_finite_difference_jacobian<4>({0.4, -0.9, 1.3});
  expect_finite_difference_jacobian<12>({0.4, -0.9, 1.3, 0.6, 0.1, -0.2, 0.8, 1.9, -1.4, 0.3});
}

TEST(Jacobian, OfAScalarFunctionIsOneRow) {
  const auto J = gg::jacobian(chain, {0.3, -1.2, 0.8});
  ASSERT_EQ(J.rows, 1u);
  ASSERT_EQ(J.cols, 3u);
  const auto g =
      std::get<0>(gg::value_and_grad<gg::taped>(chain, std::vector{0.3, -1.2, 0.8}).gradient);
  for (std::size_t j = 0; j < 3; ++j) EXPECT_DOUBLE_EQ(J(0, j), g[j]);
}

// A function of none of its inputs: a matrix of true zeros in both modes
// (the Hessian would say gg::missing_gradient).
TEST(Jacobian, OfAConstantFunctionIsZero) {
  const auto wide = gg::jacobian([](const auto&) { return 2.0; }, {1.0, 2.0});  // reverse
  ASSERT_EQ(wide.rows, 1u);
  ASSERT_EQ(wide.cols, 2u);
  EXPECT_EQ(wide(0, 0), 0.0);
  EXPECT_EQ(wide(0, 1), 0.0);
  const auto tall = gg::jacobian(
      [](const auto&) {
        return std::vector<double>{1.0, 2.0};
      },
      {1.0});  // forward
  ASSERT_EQ(tall.rows, 2u);
  ASSERT_EQ(tall.cols, 1u);
  EXPECT_EQ(tall(0, 0), 0.0);
  EXPECT_EQ(tall(1, 0), 0.0);
}

// x0^3 + 1 as an expression that refers to a const local, dead on return.
// Not inlined: g++ would warn (-Wmaybe-uninitialized) that the test reads it.
template <class V>
[[gnu::noinline]] auto cube_from_local(const V& v) {
  using S = std::remove_cvref_t<decltype(v[0])>;
  const S s = v[0] * v[0];
  return s * v[0] + 1.0;
}

// A forward-mode result that refers to a const local of fn (dead once fn
// returns) is refused before it is read (as for Eigen vectors).
TEST(Jacobian, RefusesAResultThatRefersToALocalOfFn) {
  auto local = [](const auto& v) { return cube_from_local(v); };
  EXPECT_THAT([&] { (void)gg::jacobian(local, {3.0}); },
              testing::ThrowsMessage<std::logic_error>(testing::HasSubstr(
                  "gradguard::jacobian(fn, x): fn returned an expression of duals that refers "
                  "to a gg::dual that is not one of its arguments")));
}

TEST(Jacobian, AFunctionWhoseOutputCountDependsOnTheScalarIsAnError) {
  auto odd = [](const auto& v) {
    using S = std::remove_cvref_t<decltype(v[0])>;
    return std::vector<S>(std::is_same_v<S, double> ? 3 : 4, v[0]);
  };
  try {
    (void)gg::jacobian(odd, {1.0, 2.0});
    FAIL() << "no exception";
  } catch (const std::logic_error& e) {
    EXPECT_THAT(e.what(), testing::HasSubstr("returned 4 values with duals and 3 with doubles"));
  }
}

}  // namespace
