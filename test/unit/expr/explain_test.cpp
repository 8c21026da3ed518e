// gg::explain and operator<<.
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace gg = gradguard;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

template <class E>
std::string printed(const E& e) {
  std::ostringstream os;
  os << e;
  return os.str();
}

TEST(Explain, NamesEachVariableWithItsStatus) {
  auto x = gg::var<"x">(2.0);
  auto y = gg::var<"y">(3.0);
  auto s = gg::var<"s">(1.0);
  auto n = gg::var<"n">(4);
  auto w = gg::frozen<"w">(0.5);
  auto f = x * y + gg::stop_gradient(s) + gg::floor(y) + n * w;
  const std::string text = gg::explain(f);
  EXPECT_THAT(text, HasSubstr("expression: x * y + stop_gradient(s) + floor(y) + n * w\n"));
  EXPECT_THAT(text, HasSubstr("value: 12\n"));
  EXPECT_THAT(text, HasSubstr("\n  x: active"));
  EXPECT_THAT(text, HasSubstr("\n  y: active"));  // floor(y) does not hide x * y
  EXPECT_THAT(text,
              HasSubstr("\n  s: blocked: every path to the result goes through 'stop_gradient'"));
  EXPECT_THAT(text,
              HasSubstr("\n  n: blocked: holds an integer or bool value, which has no derivative"));
  EXPECT_THAT(text, HasSubstr("\n  w: blocked: frozen (declared with gg::frozen), not trained"));
  EXPECT_THAT(text, Not(HasSubstr("constants only")));
}

TEST(Explain, NamesTheNonDifferentiableOperation) {
  auto x = gg::var<"x">(2.5);
  auto y = gg::var<"y">(1.0);
  EXPECT_THAT(
      gg::explain(gg::floor(x) + y),
      HasSubstr(
          "x: blocked: every path to the result goes through 'floor', which has no derivative"));
  EXPECT_THAT(gg::explain(gg::select(x < y, y, 0.0)),
              HasSubstr("x: blocked: every path to the result goes through '<'"));
  EXPECT_THAT(gg::explain(gg::cast<int>(x) * y),
              HasSubstr("x: blocked: every path to the result goes through 'cast'"));
  EXPECT_THAT(gg::explain(gg::sign(x) * y), HasSubstr("'sign'"));
}

TEST(Explain, ConstantsOnly) {
  const std::string text = gg::explain(gg::constant(1.5) * 2.0);
  EXPECT_THAT(text, HasSubstr("expression: 1.5 * 2\n"));
  EXPECT_THAT(text, HasSubstr("value: 3\n"));
  EXPECT_THAT(text, HasSubstr("variables: none: the expression is computed from constants only"));
}

TEST(Print, ParenthesesFollowPrecedence) {
  auto x = gg::var<"x">(1.0);
  auto y = gg::var<"y">(2.0);
  auto z = gg::var<"z">(3.0);
  EXPECT_EQ(printed(x * y + z), "x * y + z");
  EXPECT_EQ(printed((x + y) * z), "(x + y) * z");
  EXPECT_EQ(printed(x - (y - z)), "x - (y - z)");
  EXPECT_EQ(printed(x - y - z), "x - y - z");
  EXPECT_EQ(printed(x / (y * z)), "x / (y * z)");
  EXPECT_EQ(printed(x / y * z), "x / y * z");
  EXPECT_EQ(printed(-(x + y)), "-(x + y)");
  EXPECT_EQ(printed(-(-x)), "-(-x)");  // not the decrement --x
  EXPECT_EQ(printed(-gg::sin(x)), "-sin(x)");
  EXPECT_EQ(printed(-gg::constant(-2.0)), "-(-2)");
  EXPECT_EQ(printed(gg::sin(x + y) * 2.0), "sin(x + y) * 2");
  EXPECT_EQ(printed(gg::pow(x, 3)), "pow(x, 3)");
  EXPECT_EQ(printed(gg::atan2(y, x)), "atan2(y, x)");
  EXPECT_EQ(printed(gg::cast<int>(x)), "cast<int>(x)");
  EXPECT_EQ(printed(gg::select(x < y, x, y + z)), "select(x < y, x, y + z)");
  EXPECT_EQ(printed(x + y < z * 2.0), "x + y < z * 2");
  EXPECT_EQ(printed(gg::var<"flag">(true) == gg::constant(false)), "flag == false");
}

TEST(Print, SymbolicDerivativesPrintAsExpressions) {
  auto x = gg::var<"x">(1.0);
  auto y = gg::var<"y">(2.0);
  EXPECT_EQ(printed(gg::d(x * y, x)), "y");
  EXPECT_EQ(printed(gg::d(gg::sin(x), x)), "cos(x)");
  EXPECT_EQ(printed(gg::d(x + y, x)), "1");
}

}  // namespace
