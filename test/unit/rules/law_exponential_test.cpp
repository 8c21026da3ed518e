// The law for exponentials, logarithms and roots.
#include "law.hpp"

namespace {

template <class T>
class ExponentialLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ExponentialLaw, scalar_types);

using law::differentiable;
using law::relative_step;

TYPED_TEST(ExponentialLaw, Exp) {
  differentiable<TypeParam, 1>([](auto x) { return gg::exp(x); },
                               {{-30}, {-1}, {-1e-8}, {0}, {0.5}, {20}, {80}},
                               [](auto a) { return std::exp(a); });
}

TYPED_TEST(ExponentialLaw, Exp2) {
  differentiable<TypeParam, 1>([](auto x) { return gg::exp2(x); },
                               {{-100}, {-1}, {0}, {1e-8}, {0.5}, {10}, {100}},
                               [](auto a) { return std::exp2(a); });
}

TYPED_TEST(ExponentialLaw, Expm1) {
  differentiable<TypeParam, 1>([](auto x) { return gg::expm1(x); },
                               {{-30}, {-1}, {-1e-8}, {0}, {1e-8}, {0.5}, {20}, {80}},
                               [](auto a) { return std::expm1(a); });
}

TYPED_TEST(ExponentialLaw, Log) {
  differentiable<TypeParam, 1>([](auto x) { return gg::log(x); },
                               {{1e-15}, {1e-8}, {0.5}, {1}, {2.5}, {1e10}, {1e30}},
                               [](auto a) { return std::log(a); }, relative_step);
}

TYPED_TEST(ExponentialLaw, Log2) {
  differentiable<TypeParam, 1>([](auto x) { return gg::log2(x); },
                               {{1e-15}, {1e-8}, {0.5}, {1}, {2.5}, {1e10}, {1e30}},
                               [](auto a) { return std::log2(a); }, relative_step);
}

TYPED_TEST(ExponentialLaw, Log10) {
  differentiable<TypeParam, 1>([](auto x) { return gg::log10(x); },
                               {{1e-15}, {1e-8}, {0.5}, {1}, {2.5}, {1e10}, {1e30}},
                               [](auto a) { return std::log10(a); }, relative_step);
}

TYPED_TEST(ExponentialLaw, Log1p) {
  differentiable<TypeParam, 1>([](auto x) { return gg::log1p(x); },
                               {{-0.999}, {-0.5}, {-1e-8}, {0}, {1e-8}, {1}, {1e10}},
                               [](auto a) { return std::log1p(a); });
}

TYPED_TEST(ExponentialLaw, Sqrt) {
  differentiable<TypeParam, 1>([](auto x) { return gg::sqrt(x); },
                               {{1e-15}, {1e-8}, {0.25}, {1}, {2}, {1e10}, {1e30}},
                               [](auto a) { return std::sqrt(a); }, relative_step);
}

TYPED_TEST(ExponentialLaw, Cbrt) {
  differentiable<TypeParam, 1>([](auto x) { return gg::cbrt(x); },
                               {{-1e30}, {-8}, {-1e-8}, {1e-8}, {0.5}, {27}, {1e30}},
                               [](auto a) { return std::cbrt(a); }, relative_step);
}

}  // namespace
