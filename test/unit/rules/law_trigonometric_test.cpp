// The law for the circular functions and their inverses (the hyperbolic ones
// are in law_hyperbolic_test.cpp: one translation unit each builds in half the
// memory, and in parallel).
#include "law.hpp"

namespace {

template <class T>
class TrigonometricLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(TrigonometricLaw, scalar_types);

using law::differentiable;
using law::relative_step;

TYPED_TEST(TrigonometricLaw, Sin) {
  differentiable<TypeParam, 1>(
      [](auto x) { return gg::sin(x); },
      {{-1e3}, {-2.5}, {-1e-8}, {0}, {0.5}, {1.5707963}, {3.14159265}, {1e4}},
      [](auto a) { return std::sin(a); });
}

TYPED_TEST(TrigonometricLaw, Cos) {
  differentiable<TypeParam, 1>(
      [](auto x) { return gg::cos(x); },
      {{-1e3}, {-2.5}, {-1e-8}, {0}, {0.5}, {1.5707963}, {3.14159265}, {1e4}},
      [](auto a) { return std::cos(a); });
}

TYPED_TEST(TrigonometricLaw, Tan) {
  differentiable<TypeParam, 1>([](auto x) { return gg::tan(x); },
                               {{-1.5}, {-0.5}, {0}, {1e-8}, {1}, {1.55}, {100}},
                               [](auto a) { return std::tan(a); });
}

TYPED_TEST(TrigonometricLaw, Asin) {
  differentiable<TypeParam, 1>([](auto x) { return gg::asin(x); },
                               {{-0.999}, {-0.5}, {0}, {1e-8}, {0.3}, {0.999}},
                               [](auto a) { return std::asin(a); });
}

TYPED_TEST(TrigonometricLaw, Acos) {
  differentiable<TypeParam, 1>([](auto x) { return gg::acos(x); },
                               {{-0.999}, {-0.5}, {0}, {1e-8}, {0.3}, {0.999}},
                               [](auto a) { return std::acos(a); });
}

TYPED_TEST(TrigonometricLaw, Atan) {
  differentiable<TypeParam, 1>([](auto x) { return gg::atan(x); },
                               {{-1e4}, {-3}, {0}, {1e-8}, {0.5}, {1e4}},
                               [](auto a) { return std::atan(a); });
}

TYPED_TEST(TrigonometricLaw, Atan2) {
  differentiable<TypeParam, 2>(
      [](auto y, auto x) { return gg::atan2(y, x); },
      {{1, 1}, {-2, 0.5}, {0.5, -2}, {1e-3, -1}, {0, 3}, {1e6, 1}, {-1e-8, -1e-8}},
      [](auto a, auto b) { return std::atan2(a, b); }, relative_step);
}

}  // namespace
