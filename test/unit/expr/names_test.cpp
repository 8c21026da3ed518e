// One name, one variable (expr/names.hpp): two leaves named "x" with
// different values in one expression are refused by every entry point; the
// same variable used many times, or re-made with the same value, is fine.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "../rules/law.hpp"

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// A layer that makes its weight on every call: TensorFlow's "new variable
// every call". Two calls with different weights, one expression.
auto layer(double weight, const auto& input) { return gg::sin(gg::var<"w">(weight) * input); }

template <class Fn>
std::string refusal(const Fn& fn) {
  try {
    fn();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

TEST(Names, TwoValuesOfOneNameAreRefusedByEveryEntryPoint) {
  const auto x = gg::var<"x">(0.3);
  const auto f = layer(2.0, x) * layer(0.5, x);  // w is 2.0 and 0.5
  const auto w = gg::var<"w">(2.0);
  const auto message =
      AllOf(HasSubstr("two variables named 'w', with values 2 and 0.5"),
            HasSubstr("fix: make 'w' once and reuse it, or give each its own name"));
  EXPECT_THAT(refusal([&] { (void)gg::value(f); }), message);
  EXPECT_THAT(refusal([&] { (void)gg::derivative(f, x); }), message);
  EXPECT_THAT(refusal([&] { (void)gg::gradient(f, x, w); }), message);
  EXPECT_THAT(refusal([&] { (void)gg::value_and_gradient(f, x); }), message);
  EXPECT_THAT(refusal([&] { (void)gg::derivative(f, w, gg::allow_unconnected); }), message);
  EXPECT_THAT(refusal([&] { (void)gg::d(f, x); }), message);
  EXPECT_THAT(refusal([&] {
                (void)gg::value_and_grad([](auto a) { return layer(2.0, a) * layer(0.5, a); }, 0.3);
              }),
              message);
}

TEST(Names, TheValuesAreComparedExactly) {
  const auto at = [](double a, double b) {
    return refusal([&] { (void)gg::value(gg::var<"x">(a) * gg::var<"x">(b)); });
  };
  // beyond six digits: printed with all of them
  EXPECT_THAT(at(0.1, std::nextafter(0.1, 1.0)),
              HasSubstr("with values 0.10000000000000001 and 0.10000000000000002"));
  EXPECT_THAT(at(0.0, -0.0), HasSubstr("with values 0 and -0"));  // 1/x would differ
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(at(nan, nan), "(nothing thrown)");  // one NaN variable: its value is NaN
  EXPECT_THAT(at(nan, 1.0), HasSubstr("with values nan and 1"));
  EXPECT_THAT(refusal([] { (void)gg::value(gg::var<"n">(2) + gg::var<"n">(3)); }),
              HasSubstr("two variables named 'n', with values 2 and 3"));
  EXPECT_THAT(refusal([] {
                (void)gg::value(gg::select(gg::var<"b">(true), 1.0, 2.0) +
                                gg::select(gg::var<"b">(false), 1.0, 2.0));
              }),
              HasSubstr("with values true and false"));
}

// A name used many times with one value is one variable: the merged sweep
// is right, checked against finite differences.
TEST(Names, OneValueMadeTwiceIsOneVariable) {
  const double p = 0.7;
  auto build = [](auto x) { return gg::sin(x) * gg::sin(x) + gg::exp(x) * x; };
  const auto f = gg::sin(gg::var<"x">(p)) * gg::sin(gg::var<"x">(p)) +
                 gg::exp(gg::var<"x">(p)) * gg::var<"x">(p);
  const auto x = gg::var<"x">(p);
  const auto [v, g] = gg::value_and_gradient(f, x);
  const auto fd = law::central_difference<0>(
      [&](law::point<1> q) { return law::as_wide(build(gg::var<"x">(q[0]))); }, law::point<1>{p},
      law::options{});
  EXPECT_DOUBLE_EQ(v, std::sin(p) * std::sin(p) + std::exp(p) * p);
  EXPECT_NEAR(g, static_cast<double>(fd), 1e-9);
  EXPECT_DOUBLE_EQ(gg::derivative(f, x), g);
  EXPECT_DOUBLE_EQ(gg::value(gg::d(f, x)), g);
}

// The variable passed to ask for a derivative names a leaf of f: one made
// again with another value would be ignored (the derivative is taken at the
// value f holds), so it is refused by every entry point.
TEST(Names, AVariablePassedWithAnotherValueIsRefused) {
  const auto x = gg::var<"x">(1.0);
  const auto y = gg::var<"y">(2.0);
  const auto f = x * x * y;
  const auto moved = gg::var<"x">(5.0);
  const std::string says =
      "'x' passed to ask for a derivative has value 5, but the expression "
      "holds 'x' with value 1";
  EXPECT_THAT(refusal([&] { (void)gg::gradient(f, moved, y); }), HasSubstr(says));
  EXPECT_THAT(refusal([&] { (void)gg::value_and_gradient(f, y, moved); }), HasSubstr(says));
  EXPECT_THAT(refusal([&] { (void)gg::derivative(f, moved); }), HasSubstr(says));
  EXPECT_THAT(refusal([&] { (void)gg::derivative(f, moved, gg::allow_unconnected); }),
              HasSubstr(says));
  EXPECT_THAT(refusal([&] { (void)gg::d(f, moved); }), HasSubstr(says));
  // the variables f was built from, or equal ones, are fine
  EXPECT_DOUBLE_EQ(gg::derivative(f, x), 4.0);
  EXPECT_DOUBLE_EQ(gg::derivative(f, gg::var<"x">(1.0)), 4.0);
  // a variable f does not hold has nothing to compare
  EXPECT_EQ(gg::derivative(f, gg::var<"z">(9.0), gg::allow_unconnected), gg::zero{});
}

// Without a repeated name there is nothing to compare: the check is a
// compile-time no-op (the types say so).
static_assert(gg::detail::name_check_t<decltype(gg::var<"x">(1.0) * gg::var<"y">(2.0))>::value
                  .repeated_count == 0);
static_assert(gg::detail::name_check_t<decltype(gg::var<"x">(1.0) * gg::var<"x">(2.0))>::value
                  .repeated_count == 1);

// In constant evaluation the same check is a compile error
// (test/compile_fail/name_two_values_*.cpp); one value is accepted.
constexpr auto twice = gg::var<"x">(3.0) * gg::var<"x">(3.0);
static_assert(gg::value(twice) == 9.0);
static_assert(gg::derivative(twice, gg::var<"x">(3.0)) == 6.0);
static_assert(gg::value(gg::d(twice, gg::var<"x">(3.0))) == 6.0);

}  // namespace
