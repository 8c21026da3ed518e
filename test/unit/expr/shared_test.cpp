// Repeated sub-expressions: a variables-only sub-tree is evaluated once and
// swept once, however often it occurs; one with constants is not merged.
#include <cmath>
#include <sstream>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <gtest/gtest.h>
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

namespace {

int value_calls = 0;
int partial_calls = 0;

// x^2, counting how often the engines ask for its value and its partials.
struct counted_square_rule {
  static constexpr std::string_view name = "counted_square";
  static auto value(auto x) {
    ++value_calls;
    return x * x;
  }
  static auto partials(auto, auto x) {
    ++partial_calls;
    return std::tuple{2 * x};
  }
};

template <class E>
auto counted_square(const E& e) {
  return gg::make_node<counted_square_rule>(e);
}

class SharedSubexpression : public ::testing::Test {
 protected:
  void SetUp() override { value_calls = partial_calls = 0; }
};

TEST_F(SharedSubexpression, VariablesOnlySubtreeIsEvaluatedAndSweptOnce) {
  const auto x = gg::var<"x">(0.7);
  const auto y = gg::var<"y">(1.3);
  const auto s = counted_square(x * y);  // (xy)^2, used four times below
  const auto f = s * s + gg::sin(s) + s / y;
  std::ostringstream printed;
  printed << s;
  EXPECT_EQ(printed.str(), "counted_square(x * y)");
  const auto [v, gx, gy] = gg::value_and_gradient(f, x, y);
  EXPECT_EQ(value_calls, 1);
  EXPECT_EQ(partial_calls, 1);

  const double xy = 0.7 * 1.3, sv = xy * xy;
  EXPECT_DOUBLE_EQ(v, sv * sv + std::sin(sv) + sv / 1.3);
  // df/ds = 2s + cos(s) + 1/y; ds/dx = 2xy * y; ds/dy = 2xy * x; plus -s/y^2 for y
  const double dfds = 2 * sv + std::cos(sv) + 1 / 1.3;
  EXPECT_NEAR(gx, dfds * 2 * xy * 1.3, 1e-12);
  EXPECT_NEAR(gy, dfds * 2 * xy * 0.7 - sv / (1.3 * 1.3), 1e-12);
}

TEST_F(SharedSubexpression, NestedRepeatsAreSweptAfterEverythingAboveThem) {
  const auto x = gg::var<"x">(0.4);
  const auto inner = counted_square(x);                   // x^2
  const auto outer = gg::exp(inner) + inner;              // contains inner
  const auto f = outer * outer + inner * gg::log(outer);  // both repeated
  const auto [v, gx] = gg::value_and_gradient(f, x);
  EXPECT_EQ(value_calls, 1);
  EXPECT_EQ(partial_calls, 1);

  auto plain = [](double a) {
    const double i = a * a, o = std::exp(i) + i;
    return o * o + i * std::log(o);
  };
  EXPECT_DOUBLE_EQ(v, plain(0.4));
  EXPECT_NEAR(gx, gg::central_difference(plain, 0.4, 1e-6, false).derivative, 1e-7);
}

TEST_F(SharedSubexpression, SubtreesWithConstantsAreEvaluatedPerOccurrence) {
  // Equal types do not mean equal constants: (x + 1)^2 and (x + 2)^2 have one type.
  const auto x = gg::var<"x">(0.5);
  const auto a = counted_square(x + 1.0);
  const auto b = counted_square(x + 2.0);
  static_assert(std::is_same_v<decltype(a), decltype(b)>);
  const auto [v, gx] = gg::value_and_gradient(a * b, x);
  EXPECT_EQ(value_calls, 2);
  EXPECT_DOUBLE_EQ(v, 1.5 * 1.5 * 2.5 * 2.5);
  EXPECT_DOUBLE_EQ(gx, 2 * 1.5 * 2.5 * 2.5 + 1.5 * 1.5 * 2 * 2.5);
}

TEST_F(SharedSubexpression, RepeatInTheBranchNotTakenPassesNothingOn) {
  // sqrt(x)' is infinite at 0; the select does not take that branch, and the
  // repeated sqrt(x) must not turn the untaken branch's 0 into 0 * inf.
  const auto x = gg::var<"x">(0.0);
  const auto r = gg::sqrt(x);
  const auto f = gg::select(x > 0, r * r + r, x * 3.0);
  EXPECT_DOUBLE_EQ(gg::derivative(f, x), 3.0);
}

}  // namespace
