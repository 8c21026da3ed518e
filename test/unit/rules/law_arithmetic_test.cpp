// The law for + - * / unary -, square, hypot and cast<float>.
#include "law.hpp"

namespace {

template <class T>
class ArithmeticLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(ArithmeticLaw, scalar_types);

using law::differentiable;
using law::relative_step;

TYPED_TEST(ArithmeticLaw, Add) {
  differentiable<TypeParam, 2>([](auto x, auto y) { return x + y; },
                               {{-3, 2}, {0, 0}, {1e-8, -1e8}, {1e30, 1}},
                               [](auto a, auto b) { return a + b; });
}

TYPED_TEST(ArithmeticLaw, Subtract) {
  differentiable<TypeParam, 2>([](auto x, auto y) { return x - y; },
                               {{-3, 2}, {0, 0}, {1e-8, -1e8}, {1e30, 1}},
                               [](auto a, auto b) { return a - b; });
}

TYPED_TEST(ArithmeticLaw, Multiply) {
  differentiable<TypeParam, 2>([](auto x, auto y) { return x * y; },
                               {{-3, 2}, {0, 0}, {1e-8, 1e8}, {1e15, -3}, {-0.5, -0.25}},
                               [](auto a, auto b) { return a * b; });
}

TYPED_TEST(ArithmeticLaw, Divide) {
  differentiable<TypeParam, 2>([](auto x, auto y) { return x / y; },
                               {{1, 3}, {-2, 0.5}, {0, 7}, {1e10, -1e-5}, {3, 1e-8}, {-1e-8, -1e8}},
                               [](auto a, auto b) { return a / b; }, relative_step);
}

TYPED_TEST(ArithmeticLaw, Negate) {
  differentiable<TypeParam, 1>([](auto x) { return -x; }, {{-3}, {0}, {1e-8}, {1e30}},
                               [](auto a) { return -a; });
}

TYPED_TEST(ArithmeticLaw, Square) {
  differentiable<TypeParam, 1>([](auto x) { return gg::square(x); },
                               {{-1e10}, {-2.5}, {0}, {1e-8}, {3}}, [](auto a) { return a * a; });
}

TYPED_TEST(ArithmeticLaw, Hypot) {
  differentiable<TypeParam, 2>([](auto x, auto y) { return gg::hypot(x, y); },
                               {{3, 4}, {-1e-3, 2}, {1e10, -1e10}, {-0.5, -1e-8}},
                               [](auto a, auto b) { return std::hypot(a, b); });
}

// Identity for derivatives; the step is a power of two so that x +- 2h stays
// exact in float and the stencil sees no rounding of the cast.
TYPED_TEST(ArithmeticLaw, CastToFloat) {
  differentiable<TypeParam, 1>([](auto x) { return gg::cast<float>(x); },
                               {{-0.25}, {0}, {0.75}, {1024}},
                               [](auto a) { return static_cast<float>(a); }, {0x1p-10L, 1});
}

}  // namespace
