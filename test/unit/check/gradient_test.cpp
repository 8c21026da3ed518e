// gg::check_gradient: passes on correct gradients on every engine, fails on
// a wrong one, names structural zeros that finite differences contradict and
// likely missing gradients, and never passes on NaN or empty input.
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace gg = gradguard;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// Generic in the number type: ADL finds gg::exp for expressions, reals and
// duals, std::exp for double.
constexpr auto smooth = [](auto x, auto y) {
  using std::exp;
  using std::sin;
  return x * exp(x * y) + sin(y) / (1 + x * x);
};

// sin with a vjp that returns twice the right value for g = 1 (written
// with g, so it holds whether the vjp's g is gg::one or a number).
constexpr auto wrong_sin = gg::custom_gradient(
    [](auto x) {
      using std::sin;
      return sin(x);
    },
    [](auto g, auto x) {
      using std::cos;
      return g * (2 * cos(x));
    });

const gg::gradient_check_entry& entry(const gg::gradient_check_report& r, const std::string& engine,
                                      const std::string& component) {
  for (const auto& e : r.entries)
    if (e.engine == engine && e.component == component) return e;
  throw std::logic_error("no entry " + engine + " " + component);
}

std::string text(const gg::gradient_check_report& r) {
  std::ostringstream os;
  os << r;
  return os.str();
}

TEST(CheckGradient, PassesOnACorrectFunctionOnEveryEngine) {
  const auto r = gg::check_gradient(smooth, 0.5, -1.2);
  EXPECT_TRUE(r);
  EXPECT_EQ(r.engines, (std::vector<std::string>{"static", "taped", "forward"}));
  ASSERT_EQ(r.entries.size(), 6u);
  const double dx = std::exp(0.5 * -1.2) * (1 + 0.5 * -1.2) -
                    std::sin(-1.2) * 2 * 0.5 / ((1 + 0.25) * (1 + 0.25));
  for (const char* engine : {"static", "taped", "forward"}) {
    EXPECT_NEAR(entry(r, engine, "arg1").analytic, dx, 1e-14) << engine;
    EXPECT_NEAR(entry(r, engine, "arg1").numeric, dx, 1e-10) << engine;
  }
  EXPECT_THAT(text(r), HasSubstr("gradient check: passed"));
}

TEST(CheckGradient, EachEngineAlone) {
  EXPECT_TRUE(gg::check_gradient<gg::static_expression>(smooth, 0.3, 0.7));
  EXPECT_TRUE(gg::check_gradient<gg::taped>(smooth, 0.3, 0.7));
  EXPECT_TRUE(gg::check_gradient<gg::forward>(smooth, 0.3, 0.7));
  EXPECT_EQ(gg::check_gradient<gg::forward>(smooth, 0.3, 0.7).engines,
            std::vector<std::string>{"forward"});
}

TEST(CheckGradient, VectorsAndNondiffArgumentsOnTheTapeAndForward) {
  // a loop over a run-time length: the tape and forward mode, not the static engine
  auto fn = [](const auto& v, auto scale, double offset) {
    using S = std::remove_cvref_t<decltype(v[0])>;
    using std::log1p;
    S acc = v[0] * 0.0;
    for (std::size_t i = 0; i < v.size(); ++i) acc = acc + log1p(v[i] * v[i]) * scale + offset;
    return acc;
  };
  const auto r =
      gg::check_gradient(fn, std::vector<double>{0.5, -2.0, 3.0}, 1.5, gg::nondiff(0.25));
  EXPECT_TRUE(r) << r;
  EXPECT_EQ(r.engines, (std::vector<std::string>{"taped", "forward"}));
  ASSERT_EQ(r.entries.size(), 8u);  // (3 elements + scale) x 2 engines
  EXPECT_NEAR(entry(r, "taped", "arg1[1]").analytic, 1.5 * 2 * -2.0 / 5, 1e-14);
  EXPECT_NEAR(entry(r, "forward", "arg2").analytic,
              std::log1p(0.25) + std::log1p(4) + std::log1p(9), 1e-14);
}

TEST(CheckGradient, FailsOnAWrongCustomVjp) {
  auto fn = [](auto x, auto y) { return wrong_sin(x) * y; };
  const auto r = gg::check_gradient<gg::static_expression, gg::taped>(fn, 0.4, 1.5);
  EXPECT_FALSE(r);
  for (const char* engine : {"static", "taped"}) {
    const auto& e = entry(r, engine, "arg1");
    EXPECT_FALSE(e.passed) << engine;
    EXPECT_NEAR(e.analytic, 2 * std::cos(0.4) * 1.5, 1e-14) << engine;
    EXPECT_NEAR(e.numeric, std::cos(0.4) * 1.5, 1e-10) << engine;
    EXPECT_NEAR(e.relative_error, 0.5, 1e-9) << engine;
    EXPECT_EQ(e.note,
              std::string("the ") + engine + " derivative is 2 times the finite difference");
    EXPECT_TRUE(entry(r, engine, "arg2").passed) << engine;  // d/dy = sin(x) is right
  }
  EXPECT_THAT(text(r), HasSubstr("FAILED (2 of 4 derivatives differ)"));
}

TEST(CheckGradient, AStructuralZeroThatFiniteDifferencesContradict) {
  // y matters (y * y), but a stop_gradient cuts its only path
  auto fn = [](auto x, auto y) { return x * x + gg::stop_gradient(y * y); };
  const auto r = gg::check_gradient(fn, 0.5, 1.5);
  EXPECT_FALSE(r);
  EXPECT_TRUE(entry(r, "static", "arg1").passed);
  EXPECT_THAT(entry(r, "static", "arg2").note,
              HasSubstr("static type claims d(fn)/d(arg2) = 0 (every path to the result goes "
                        "through 'stop_gradient'), but finite differences give 3"));
  EXPECT_THAT(entry(r, "taped", "arg2").note,
              HasSubstr("the taped engine says d(fn)/d(arg2) is missing ("));
  EXPECT_THAT(entry(r, "taped", "arg2").note, HasSubstr("stop_gradient"));
  EXPECT_THAT(entry(r, "taped", "arg2").note, Not(HasSubstr("functional.hpp")));
  // forward mode has no structure at run time: a 0 where finite differences are not
  EXPECT_THAT(entry(r, "forward", "arg2").note,
              HasSubstr("the forward derivative is 0, but finite differences give 3: likely a "
                        "missing gradient"));
}

TEST(CheckGradient, AStructuralZeroThatFiniteDifferencesConfirm) {
  auto fn = [](auto x, auto y) {
    using std::floor;
    return x * x + floor(y);
  };
  const auto r = gg::check_gradient(fn, 0.5, 1.5);
  EXPECT_TRUE(r) << r;
  EXPECT_THAT(entry(r, "static", "arg2").note,
              HasSubstr("structural zero confirmed by finite differences (every path to the "
                        "result goes through 'floor', which has no derivative)"));
  EXPECT_THAT(entry(r, "taped", "arg2").note, HasSubstr("structural zero confirmed"));
}

TEST(CheckGradient, NaNNeverPasses) {
  auto root = [](auto x) {
    using std::sqrt;
    return sqrt(x);
  };
  const auto value_nan = gg::check_gradient(root, -1.0);
  EXPECT_FALSE(value_nan);
  EXPECT_THAT(text(value_nan), HasSubstr("fn is NaN at this point"));

  const auto argument_nan = gg::check_gradient(smooth, 0.5, std::nan(""));
  EXPECT_FALSE(argument_nan);
  EXPECT_THAT(text(argument_nan), HasSubstr("arg2 is NaN"));
  const auto argument_inf =
      gg::check_gradient<gg::taped>(smooth, std::numeric_limits<double>::infinity(), 1.0);
  EXPECT_FALSE(argument_inf);
  EXPECT_THAT(text(argument_inf), HasSubstr("arg1 is infinite"));

  // a derivative that is NaN where fn is finite (sqrt at 0: the finite
  // differences step outside the domain, the derivative is infinite)
  const auto at_zero = gg::check_gradient<gg::forward>(root, 0.0);
  EXPECT_FALSE(at_zero);
  EXPECT_THAT(text(at_zero), HasSubstr("the forward derivative is infinite"));
  // on the tape (gg::check_finite off by default, GRADGUARD_CHECK_FINITE):
  // the infinite derivative fails the check as well
  const auto on_tape = gg::check_gradient<gg::taped>(root, 0.0);
  EXPECT_FALSE(on_tape);
  EXPECT_THAT(text(on_tape), HasSubstr("the taped derivative is infinite"));
}

TEST(CheckGradient, AnEmptyVectorFails) {
  auto sum = [](const auto& v) {
    using S = std::remove_cvref_t<decltype(v[0])>;
    S acc = 0.0;
    for (const auto& e : v) acc = acc + e;
    return acc;
  };
  const auto r = gg::check_gradient(sum, std::vector<double>{});
  EXPECT_FALSE(r);
  EXPECT_TRUE(r.entries.empty());
  EXPECT_THAT(text(r), HasSubstr("argument arg1 is empty: there is nothing to check"));
}

TEST(CheckGradient, AFunctionThatDiffersBetweenNumberTypesFails) {
  auto fn = [](auto x) {
    if constexpr (std::is_same_v<decltype(x), double>) return 3 * x;
    else return x * x;
  };
  const auto r = gg::check_gradient<gg::taped>(fn, 2.0);
  EXPECT_FALSE(r);
  EXPECT_THAT(text(r), HasSubstr("the taped engine's value of fn is 4, but fn called with doubles "
                                 "gives 6"));
}

TEST(CheckGradient, AnEngineThatThrowsFails) {
  auto fn = [](auto x) {
    if constexpr (!std::is_same_v<decltype(x), double>) throw std::runtime_error("no tape today");
    return x;
  };
  const auto r = gg::check_gradient<gg::taped>(fn, 2.0);
  EXPECT_FALSE(r);
  EXPECT_THAT(text(r), HasSubstr("the taped engine threw: no tape today"));
}

TEST(CheckGradient, AKinkIsNamed) {
  auto fn = [](auto x) {
    using std::abs;
    return abs(x);
  };
  // the steps straddle 0: finite differences see the kink, not the slope 1
  const auto r = gg::check_gradient<gg::taped>(fn, 1e-4);
  EXPECT_FALSE(r);
  EXPECT_THAT(entry(r, "taped", "arg1").note, HasSubstr("fn may have a kink or a jump"));
  // with a step that stays on one side, it passes
  EXPECT_TRUE(gg::check_gradient<gg::taped>(fn, 1e-4, gg::check_options{.step = 1e-6}));
}

TEST(CheckGradient, Options) {
  gg::check_options two_point;
  two_point.richardson = false;
  const auto r = gg::check_gradient(smooth, 0.5, -1.2, two_point);
  EXPECT_TRUE(r) << r;
  EXPECT_EQ(r.step, std::cbrt(std::numeric_limits<double>::epsilon()));
  const auto d = gg::check_gradient(smooth, 0.5, -1.2);
  EXPECT_EQ(d.step, std::pow(std::numeric_limits<double>::epsilon(), 0.2));
  // the 5-point stencil is far more accurate than the 2-point one
  EXPECT_LT(entry(d, "static", "arg1").absolute_error,
            entry(r, "static", "arg1").absolute_error / 10);
  // a tolerance tighter than the finite differences can meet fails
  EXPECT_FALSE(gg::check_gradient(
      smooth, 0.5, -1.2,
      gg::check_options{.step = 1e-2, .relative = 1e-12, .absolute = 0, .richardson = false}));
}

// The identity with a derivative 0.2 % too large.
constexpr auto off_by_two_thousandths =
    gg::custom_gradient([](auto x) { return x; }, [](auto g, auto) { return g * 1.002; });

TEST(CheckGradient, NeverPassesOnTheRoundingNoiseAlone) {
  // f ~ 1e12: its rounding over the step (~1e-3 per unit of slope) hides a
  // derivative that is wrong by 2e-3; the check says it cannot tell.
  auto fn = [](auto x) { return off_by_two_thousandths(x) + 1e12; };
  const auto r = gg::check_gradient<gg::taped>(fn, 0.5, gg::check_options{.relative = 1e-4});
  EXPECT_FALSE(r);
  EXPECT_THAT(entry(r, "taped", "arg1").note,
              HasSubstr("within the rounding noise of the finite differences"));
  // with a step large enough to see it, the error itself is reported
  const auto seen =
      gg::check_gradient<gg::taped>(fn, 0.5, gg::check_options{.step = 10, .relative = 1e-4});
  EXPECT_FALSE(seen);
  EXPECT_NEAR(entry(seen, "taped", "arg1").numeric, 1.0, 1e-4);
  EXPECT_THAT(entry(seen, "taped", "arg1").note,
              HasSubstr("the taped derivative is 1.002 times the finite difference"));
}

TEST(CheckGradient, BadOptionsFail) {
  for (const auto& o :
       {gg::check_options{.step = -1e-3}, gg::check_options{.step = std::nan("")},
        gg::check_options{.relative = -1}, gg::check_options{.absolute = std::nan("")},
        gg::check_options{.relative = std::numeric_limits<double>::infinity()}}) {
    const auto r = gg::check_gradient(smooth, 0.5, -1.2, o);
    EXPECT_FALSE(r);
    EXPECT_THAT(text(r), HasSubstr("gg::check_options: step, relative and absolute must be finite "
                                   "and >= 0"));
  }
}

TEST(CheckGradient, GoogleTestPrintsTheReport) {
  auto fn = [](auto x, auto y) { return x * x + gg::stop_gradient(y * y); };
  const auto bad = gg::check_gradient(fn, 0.5, 1.5);
  const ::testing::AssertionResult result(bad);
  EXPECT_FALSE(result);
  EXPECT_THAT(result.message(), HasSubstr("static type claims d(fn)/d(arg2) = 0"));
  EXPECT_NONFATAL_FAILURE(EXPECT_TRUE(gg::check_gradient(fn, 0.5, 1.5)),
                          "static type claims d(fn)/d(arg2) = 0");
  EXPECT_TRUE(gg::check_gradient(smooth, 0.5, 1.5));
}

TEST(CentralDifference, RichardsonIsExactForQuartics) {
  auto quartic = [](double t) { return t * t * t * t - 2 * t; };
  const auto d = gg::central_difference(quartic, 1.5, 0.25);
  EXPECT_NEAR(d.derivative, 4 * 1.5 * 1.5 * 1.5 - 2, 1e-12);
  EXPECT_GT(d.spread, 0.1);  // the 2-point differences at h and 2h differ
  const auto plain = gg::central_difference(quartic, 1.5, 0.25, false);
  EXPECT_NEAR(plain.derivative, 4 * 1.5 * 1.5 * 1.5 - 2 + 4 * 1.5 * 0.25 * 0.25, 1e-12);
  EXPECT_EQ(plain.spread, 0.0);
}

TEST(CentralDifference, VectorOutputsAndLongDouble) {
  auto f = [](long double t) { return std::vector<long double>{t * t, std::sin(t)}; };
  const long double x = 0.5L;
  const auto d = gg::central_difference(f, x, gg::step_for(x, 1e-3L));
  ASSERT_EQ(d.derivative.size(), 2u);
  EXPECT_NEAR(static_cast<double>(d.derivative[0]), 1.0, 1e-15);
  EXPECT_NEAR(static_cast<double>(d.derivative[1]), std::cos(0.5), 1e-13);
}

TEST(CentralDifference, TheStepIsRepresentable) {
  const double x = 0.1;
  const double h = gg::step_for(x, 1e-5);
  EXPECT_EQ((x + h) - x, h);
  EXPECT_NEAR(h, 1e-5, 1e-15);
  EXPECT_NEAR(gg::step_for(1e3, 1e-5), 1e-2, 1e-12);  // relative to |x| above 1
}

}  // namespace

// gg::central_partial: one element of an array or a vector moves, the others
// stay; the step is step_for(x[i], relative) (0: the default).
TEST(CentralDifference, PartialsOfArraysAndVectors) {
  auto f = [](const auto& v) { return v[0] * v[0] * v[1] + std::sin(v[2]); };
  const std::array<double, 3> a{1.5, -2.0, 0.3};
  EXPECT_NEAR(gg::central_partial(f, a, 0).derivative, 2 * 1.5 * -2.0, 1e-9);
  EXPECT_NEAR(gg::central_partial(f, a, 1).derivative, 1.5 * 1.5, 1e-9);
  EXPECT_NEAR(gg::central_partial(f, a, 2).derivative, std::cos(0.3), 1e-9);
  const std::vector<double> v(a.begin(), a.end());
  const auto d = gg::central_partial(f, v, 2, 1e-3);
  EXPECT_NEAR(d.derivative, std::cos(0.3), 1e-11);
  EXPECT_EQ(d.derivative, gg::central_difference(
                              [&](double t) {
                                return f(std::array{1.5, -2.0, t});
                              },
                              0.3, gg::step_for(0.3, 1e-3))
                              .derivative);
  // without Richardson: the 2-point difference, with its O(h^2) error
  const auto plain = gg::central_partial(f, v, 1, 0.25, false);
  EXPECT_EQ(plain.spread, 0.0);
  EXPECT_NEAR(plain.derivative, 1.5 * 1.5, 1e-12);  // f is linear in v[1]
  // an index past the end is an error, not a read past the end
  EXPECT_THROW(gg::central_partial(f, a, 3), std::out_of_range);
  EXPECT_THROW(gg::central_partial(f, std::vector<double>{}, 0), std::out_of_range);
}
