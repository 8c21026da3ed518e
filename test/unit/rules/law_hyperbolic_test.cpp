// The law for the hyperbolic functions and their inverses.
#include "law.hpp"

namespace {

template <class T>
class HyperbolicLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(HyperbolicLaw, scalar_types);

using law::differentiable;
using law::relative_step;

TYPED_TEST(HyperbolicLaw, Sinh) {
  differentiable<TypeParam, 1>([](auto x) { return gg::sinh(x); },
                               {{-20}, {-1}, {0}, {1e-8}, {0.5}, {20}, {80}},
                               [](auto a) { return std::sinh(a); });
}

TYPED_TEST(HyperbolicLaw, Cosh) {
  differentiable<TypeParam, 1>([](auto x) { return gg::cosh(x); },
                               {{-20}, {-1}, {0}, {1e-8}, {0.5}, {20}, {80}},
                               [](auto a) { return std::cosh(a); });
}

TYPED_TEST(HyperbolicLaw, Tanh) {
  differentiable<TypeParam, 1>([](auto x) { return gg::tanh(x); },
                               {{-20}, {-3}, {0}, {1e-8}, {0.5}, {3}, {10}},
                               [](auto a) { return std::tanh(a); });
}

TYPED_TEST(HyperbolicLaw, Asinh) {
  differentiable<TypeParam, 1>([](auto x) { return gg::asinh(x); },
                               {{-1e6}, {-2}, {0}, {1e-8}, {0.5}, {1e6}},
                               [](auto a) { return std::asinh(a); });
}

TYPED_TEST(HyperbolicLaw, Acosh) {
  differentiable<TypeParam, 1>([](auto x) { return gg::acosh(x); },
                               {{1.001}, {1.5}, {2}, {10}, {1e6}},
                               [](auto a) { return std::acosh(a); });
}

TYPED_TEST(HyperbolicLaw, Atanh) {
  differentiable<TypeParam, 1>([](auto x) { return gg::atanh(x); },
                               {{-0.999}, {-0.5}, {0}, {1e-8}, {0.3}, {0.999}},
                               [](auto a) { return std::atanh(a); });
}

}  // namespace
