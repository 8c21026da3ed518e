// The law for rounding, sign, comparisons, casts to integer or bool and
// stop_gradient: a structural zero, confirmed by finite differences.
#include "law.hpp"

namespace {

template <class T>
class NonDifferentiableLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(NonDifferentiableLaw, scalar_types);

using law::non_differentiable;

// Away from integers and half-integers, in float as well.
constexpr std::initializer_list<law::point<1>> off_the_jumps = {
    {-12345.75}, {-2.25}, {-0.75}, {-1e-8}, {1e-8}, {0.25}, {2.75}, {12345.25}};

TYPED_TEST(NonDifferentiableLaw, Rounding) {
  non_differentiable<TypeParam, 1>([](auto x) { return gg::floor(x); }, off_the_jumps,
                                   [](auto a) { return std::floor(a); });
  non_differentiable<TypeParam, 1>([](auto x) { return gg::ceil(x); }, off_the_jumps,
                                   [](auto a) { return std::ceil(a); });
  non_differentiable<TypeParam, 1>([](auto x) { return gg::round(x); }, off_the_jumps,
                                   [](auto a) { return std::round(a); });
  non_differentiable<TypeParam, 1>([](auto x) { return gg::trunc(x); }, off_the_jumps,
                                   [](auto a) { return std::trunc(a); });
}

TYPED_TEST(NonDifferentiableLaw, Sign) {
  non_differentiable<TypeParam, 1>([](auto x) { return gg::sign(x); },
                                   {{-1e10}, {-2.5}, {-1e-8}, {1e-8}, {3}},
                                   [](auto a) { return a > 0 ? 1 : -1; });
}

TYPED_TEST(NonDifferentiableLaw, Comparisons) {
  auto points = {law::point<2>{1, 2}, {2, 1}, {-1e-8, 1e-8}, {-3, 1e10}};
  non_differentiable<TypeParam, 2>([](auto x, auto y) { return x < y; }, points,
                                   [](auto a, auto b) { return a < b; });
  non_differentiable<TypeParam, 2>([](auto x, auto y) { return x <= y; }, points,
                                   [](auto a, auto b) { return a <= b; });
  non_differentiable<TypeParam, 2>([](auto x, auto y) { return x > y; }, points,
                                   [](auto a, auto b) { return a > b; });
  non_differentiable<TypeParam, 2>([](auto x, auto y) { return x >= y; }, points,
                                   [](auto a, auto b) { return a >= b; });
  non_differentiable<TypeParam, 2>([](auto x, auto y) { return x == y; }, points,
                                   [](auto a, auto b) { return a == b; });
  non_differentiable<TypeParam, 2>([](auto x, auto y) { return x != y; }, points,
                                   [](auto a, auto b) { return a != b; });
}

TYPED_TEST(NonDifferentiableLaw, CastsToIntegerOrBool) {
  non_differentiable<TypeParam, 1>([](auto x) { return gg::cast<int>(x); }, off_the_jumps,
                                   [](auto a) { return static_cast<int>(a); });
  non_differentiable<TypeParam, 1>([](auto x) { return gg::cast<long long>(x); }, off_the_jumps,
                                   [](auto a) { return static_cast<long long>(a); });
  non_differentiable<TypeParam, 1>([](auto x) { return gg::cast<bool>(x); },
                                   {{-2.5}, {-1e-8}, {1e-8}, {3}}, [](auto a) { return a != 0; });
}

// Its value is x: finite differences see slope 1, the types see no path.
TYPED_TEST(NonDifferentiableLaw, StopGradient) {
  non_differentiable<TypeParam, 1>([](auto x) { return gg::stop_gradient(x); },
                                   {{-1e10}, {-2.5}, {0}, {1e-8}, {3}}, [](auto a) { return a; },
                                   law::relative_step, 1);
}

}  // namespace
