// gg::value_and_grad<gg::taped>, against
// the static engine (reverse and symbolic) and finite differences.
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <vector>

namespace gg = gradguard;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

TEST(TapedValueAndGrad, SameCallableAsTheStaticEngine) {
  auto fn = [](auto a, auto b) { return a * gg::sin(b) + gg::exp(a * b); };
  auto s = gg::value_and_grad(fn, 0.5, 1.5);
  auto t = gg::value_and_grad<gg::taped>(fn, 0.5, 1.5);
  EXPECT_DOUBLE_EQ(t.value, s.value);
  EXPECT_NEAR(t.gradient[0], s.gradient[0], 1e-14);
  EXPECT_NEAR(t.gradient[1], s.gradient[1], 1e-14);
}

TEST(TapedValueAndGrad, LoopsAndBranches) {
  // sum of |x_i| * s, with the branch taken per element at run time
  auto fn = [](const auto& v, auto s) {
    gg::real t = 0.0;
    for (const auto& e : v) {
      if (e > 0) t += e * s;
      else t -= e * s;
    }
    return t;
  };
  auto r = gg::value_and_grad<gg::taped>(fn, std::vector<double>{1, -2, 3}, 2.0);
  EXPECT_DOUBLE_EQ(r.value, 12.0);
  EXPECT_EQ(std::get<0>(r.gradient), (std::vector<double>{2, -2, 2}));
  EXPECT_DOUBLE_EQ(std::get<1>(r.gradient), 6.0);
}

TEST(TapedValueAndGrad, StructuredBindingsAsWithTheStaticForm) {
  auto [v, g] = gg::value_and_grad<gg::taped>([](auto a, auto b) { return a * b; }, 2.0, 3.0);
  EXPECT_EQ(v, 6.0);
  EXPECT_EQ(g, (std::array<double, 2>{3.0, 2.0}));
  auto [v2, g2] = gg::value_and_grad<gg::taped>(
      [](const auto& x, auto b) {
        gg::real s = 0.0;
        for (const auto& e : x) s += e * b;
        return s;
      },
      std::vector<double>{1, 2}, 3.0);
  EXPECT_EQ(v2, 9.0);
  EXPECT_EQ(std::get<0>(g2), (std::vector<double>{3.0, 3.0}));
  EXPECT_EQ(std::get<1>(g2), 3.0);
}

TEST(TapedValueAndGrad, NondiffArgumentsAreNotDifferentiated) {
  auto r =
      gg::value_and_grad<gg::taped>([](auto a, double k) { return a * k; }, 3.0, gg::nondiff(4.0));
  static_assert(std::tuple_size_v<decltype(r.gradient)> == 1);
  EXPECT_DOUBLE_EQ(r.gradient[0], 4.0);
}

TEST(TapedValueAndGrad, AnUnusedArgumentIsAMissingGradient) {
  auto fn = [](auto a, auto) { return a * 2.0; };
  try {
    gg::value_and_grad<gg::taped>(fn, 1.0, 2.0);
    FAIL() << "expected gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    EXPECT_THAT(e.what(), HasSubstr("'arg2'"));
    EXPECT_THAT(e.what(), HasSubstr("is never used on a path to the result"));
  }
}

TEST(TapedValueAndGrad, AllowUnconnectedGivesZeroForAnUnusedArgument) {
  auto fn = [](auto a, const auto& v) { return a * 2.0 + gg::stop_gradient(v[0]) * v[1]; };
  const auto r =
      gg::value_and_grad<gg::taped>(fn, 1.0, std::vector<double>{3, 4}, gg::allow_unconnected);
  EXPECT_DOUBLE_EQ(r.value, 14.0);
  EXPECT_DOUBLE_EQ(std::get<0>(r.gradient), 2.0);
  EXPECT_EQ(std::get<1>(r.gradient), (std::vector<double>{0, 3}));
  const auto s = gg::value_and_grad<gg::taped>([](auto a, auto) { return a * 2.0; }, 1.0, 2.0,
                                               gg::allow_unconnected);
  EXPECT_EQ(s.gradient, (std::array<double, 2>{2, 0}));
}

TEST(TapedValueAndGrad, AReturnedExpressionIsNotAttributedToTheDriversHeader) {
  // fn returns a static expression of gg::real: recorded by the driver, whose
  // line is no use to the user
  auto fn = [](auto a, auto b) { return a * 2.0 + gg::stop_gradient(b * b); };
  try {
    gg::value_and_grad<gg::taped>(fn, 1.0, 2.0);
    FAIL() << "expected gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    EXPECT_THAT(e.what(), HasSubstr("'arg2' reaches the result only through 'stop_gradient'"));
    EXPECT_THAT(e.what(), Not(HasSubstr("functional.hpp")));
  }
}

TEST(TapedValueAndGrad, NestedCallsUseTheirOwnTapes) {
  auto inner = [](auto a) { return a * a; };
  auto outer = [&](auto a) {
    const double d = gg::value_and_grad<gg::taped>(inner, 3.0).gradient[0];  // 6
    return a * d;
  };
  EXPECT_DOUBLE_EQ(gg::value_and_grad<gg::taped>(outer, 2.0).gradient[0], 6.0);
}

}  // namespace
