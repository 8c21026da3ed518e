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

}  // namespace
