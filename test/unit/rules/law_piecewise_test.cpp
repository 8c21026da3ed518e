// The law for abs, fabs, min, max, fmin, fmax and select, away from their kinks
// (the kinks themselves are pinned in test/unit/expr/piecewise_test.cpp).
#include "law.hpp"

namespace {

template <class T>
class PiecewiseLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(PiecewiseLaw, scalar_types);

using law::differentiable;
using law::relative_step;

TYPED_TEST(PiecewiseLaw, Abs) {
  differentiable<TypeParam, 1>([](auto x) { return gg::abs(x); },
                               {{-1e10}, {-2.5}, {-1e-8}, {1e-8}, {3}},
                               [](auto a) { return std::fabs(a); }, relative_step);
  differentiable<TypeParam, 1>([](auto x) { return gg::fabs(x); },
                               {{-1e10}, {-2.5}, {-1e-8}, {1e-8}, {3}},
                               [](auto a) { return std::fabs(a); }, relative_step);
}

TYPED_TEST(PiecewiseLaw, MinMax) {
  auto points = {law::point<2>{1, 2}, {2, 1}, {-1e-8, 1e-8}, {1e10, -1e10}, {-3, -3.5}};
  differentiable<TypeParam, 2>([](auto x, auto y) { return gg::min(x, y); }, points,
                               [](auto a, auto b) { return std::fmin(a, b); }, relative_step);
  differentiable<TypeParam, 2>([](auto x, auto y) { return gg::max(x, y); }, points,
                               [](auto a, auto b) { return std::fmax(a, b); }, relative_step);
  differentiable<TypeParam, 2>([](auto x, auto y) { return gg::fmin(x, y); }, points,
                               [](auto a, auto b) { return std::fmin(a, b); }, relative_step);
  differentiable<TypeParam, 2>([](auto x, auto y) { return gg::fmax(x, y); }, points,
                               [](auto a, auto b) { return std::fmax(a, b); }, relative_step);
}

TYPED_TEST(PiecewiseLaw, Select) {
  differentiable<TypeParam, 2>(
      [](auto x, auto y) { return gg::select(x < y, gg::sin(x) * y, y * y); },
      {{1, 2}, {2, 1}, {-1e-8, 1e-8}, {1e10, -1e10}, {-3, -3.5}},
      [](auto a, auto b) { return a < b ? std::sin(a) * b : b * b; }, relative_step);
  // relu: a plain-number branch
  differentiable<TypeParam, 1>([](auto x) { return gg::select(x > 0, x, 0.0); },
                               {{-2.5}, {-1e-8}, {1e-8}, {3}, {1e10}},
                               [](auto a) { return a > 0 ? a : 0; }, relative_step);
}

}  // namespace
