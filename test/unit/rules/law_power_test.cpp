// The law for pow, with integer, floating and variable exponents.
#include "law.hpp"

namespace {

template <class T>
class PowerLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(PowerLaw, scalar_types);

using law::differentiable;
using law::relative_step;

TYPED_TEST(PowerLaw, PowIntegerExponent) {
  auto points = {law::point<1>{-2.5}, {-1e-3}, {0.5}, {1}, {7}, {1e3}};
  differentiable<TypeParam, 1>([](auto x) { return gg::pow(x, 3); }, points,
                               [](auto a) { return a * a * a; }, relative_step);
  differentiable<TypeParam, 1>([](auto x) { return gg::pow(x, 2); }, {{-2.5}, {0}, {1e-8}, {1e3}},
                               [](auto a) { return a * a; });
  differentiable<TypeParam, 1>([](auto x) { return gg::pow(x, 1); }, {{-2.5}, {0}, {1e3}},
                               [](auto a) { return a; });
  differentiable<TypeParam, 1>([](auto x) { return gg::pow(x, 0); }, {{-2.5}, {0}, {1e-3}, {1e3}},
                               [](auto) { return 1; });
  differentiable<TypeParam, 1>([](auto x) { return gg::pow(x, -2); }, points,
                               [](auto a) { return 1 / (a * a); }, relative_step);
}

TYPED_TEST(PowerLaw, PowFloatingExponent) {
  differentiable<TypeParam, 1>(
      [](auto x) { return gg::pow(x, gg::value_type_t<decltype(x)>(2.5)); },
      {{1e-8}, {0.5}, {1}, {7}, {1e10}}, [](auto a) { return std::pow(a, 2.5L); }, relative_step);
  differentiable<TypeParam, 2>([](auto x, auto y) { return gg::pow(x, y); },
                               {{2, 3}, {0.5, -1.5}, {1e-3, 2.5}, {10, 0.5}, {3, 0}, {1, 7}},
                               [](auto a, auto b) { return std::pow(a, b); }, relative_step);
}

// The edges, as PyTorch and JAX: d/dx x^0.0 = 0 at x = 0 (was 0 * inf = NaN),
// d/dy 0^y = 0 for y >= 0 (was log(0) * 0 = NaN): 0^y is constant for y > 0.
TYPED_TEST(PowerLaw, PowEdgesAtZero) {
  differentiable<TypeParam, 1>([](auto x) { return gg::pow(x, gg::value_type_t<decltype(x)>(0)); },
                               {{0}, {-2.5}, {1e3}}, [](auto) { return 1; });
  // (pow(x, y) at x = 0 with a variable y has no finite differences in x: log(-h))
  differentiable<TypeParam, 1>([](auto y) { return gg::pow(gg::value_type_t<decltype(y)>(0), y); },
                               {{2}, {3}, {0.5}}, [](auto b) { return std::pow(0.0L, b); },
                               relative_step);
}

// At (0, 0) finite differences in y meet 0^-h = inf; every engine gives
// 0^0 = 1 and the gradient (0, 0), PyTorch's and JAX's.
TEST(PowerEdges, ZeroToTheZeroHasAZeroGradientInEveryEngine) {
  auto f = [](auto x, auto y) { return gg::pow(x, y); };
  const auto s = gg::value_and_grad(f, 0.0, 0.0);
  const auto t = gg::value_and_grad<gg::taped>(f, 0.0, 0.0);
  const auto d = gg::value_and_grad<gg::forward>(f, 0.0, 0.0);
  for (const auto& r : {s, t, d}) {
    EXPECT_EQ(r.value, 1.0);
    EXPECT_EQ(r.gradient[0], 0.0);
    EXPECT_EQ(r.gradient[1], 0.0);
  }
  // symbolic: d(f, x) and d(f, y) evaluated at (0, 0)
  const auto x = gg::var<"x">(0.0);
  const auto y = gg::var<"y">(0.0);
  EXPECT_EQ(gg::value(gg::d(gg::pow(x, y), x)), 0.0);
  EXPECT_EQ(gg::value(gg::d(gg::pow(x, y), y)), 0.0);
  EXPECT_EQ(gg::value(gg::d(gg::pow(x, 0.0), x)), 0.0);
  // and where 0^y is infinite, the derivative is honestly not finite
  EXPECT_FALSE(std::isfinite(gg::value_and_grad(f, 0.0, -1.0).gradient[1]));
}

}  // namespace
