// gg::tape's API: gradients of a recorded loop, looking results up, sweeping
// one recording several times, Jacobians, constants (numbers, static
// variables) and numbers mixed into tape expressions. Memory (clear() and
// reuse, bytes per statement) is in memory_test.cpp.
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <iomanip>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace gg = gradguard;

namespace {

using ::testing::HasSubstr;

// Every test runs with and without gg::check_finite: the two have separate sweeps.
class Tape : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Sweep, Tape, ::testing::Bool(), [](const auto& info) {
  return std::string(info.param ? "check_finite" : "unchecked");
});

// The loop of DESIGN.md ("Dynamic tape"): squared residuals where positive,
// the residual with its gradient stopped elsewhere.
struct fit_result {
  double loss;
  double dw, db;
};

fit_result design_loop(gg::tape& tape, double w0, double b0, const std::vector<double>& xs,
                       const std::vector<double>& ys) {
  gg::real w = tape.variable("w", w0);
  gg::real b = tape.variable("b", b0);
  gg::real loss = 0.0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    gg::real r = w * xs[i] + b - ys[i];
    if (r > 0) loss += r * r;
    else loss += gg::stop_gradient(r);
  }
  auto g = tape.gradient(loss, {w, b});
  return {gg::value(loss), g[w], g[b]};
}

// The same by hand.
fit_result design_loop_by_hand(double w, double b, const std::vector<double>& xs,
                               const std::vector<double>& ys) {
  fit_result out{0, 0, 0};
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double r = w * xs[i] + b - ys[i];
    if (r > 0) {
      out.loss += r * r;
      out.dw += 2 * r * xs[i];
      out.db += 2 * r;
    } else {
      out.loss += r;
    }
  }
  return out;
}

TEST_P(Tape, DesignExampleLoop) {
  gg::tape tape(gg::check_finite, GetParam());
  // r = 0.5, -3, 0.5: loss = 0.25 - 3 + 0.25; d/dw = 2 * 0.5 * 1 + 2 * 0.5 * 3; d/db = 1 + 1
  const auto r = design_loop(tape, 0.5, 0.0, {1, 2, 3}, {0, 4, 1});
  EXPECT_EQ(r.loss, -2.5);
  EXPECT_EQ(r.dw, 4.0);
  EXPECT_EQ(r.db, 2.0);
}

TEST_P(Tape, DesignExampleLoopMatchesTheHandWrittenGradient) {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-2, 2);
  std::vector<double> xs(50), ys(50);
  for (auto& x : xs) x = u(rng);
  for (auto& y : ys) y = u(rng);
  int positive = 0;
  for (double w : {-1.5, 0.3, 1.25}) {
    for (double b : {-0.5, 0.0, 0.75}) {
      gg::tape tape(gg::check_finite, GetParam());
      const auto got = design_loop(tape, w, b, xs, ys);
      const auto want = design_loop_by_hand(w, b, xs, ys);
      EXPECT_NEAR(got.loss, want.loss, 1e-12 * (1 + std::abs(want.loss)));
      EXPECT_NEAR(got.dw, want.dw, 1e-12 * (1 + std::abs(want.dw)));
      EXPECT_NEAR(got.db, want.db, 1e-12 * (1 + std::abs(want.db)));
      for (std::size_t i = 0; i < xs.size(); ++i) positive += w * xs[i] + b - ys[i] > 0;
    }
  }
  // both branches were taken many times
  EXPECT_GT(positive, 100);
  EXPECT_LT(positive, 9 * 50 - 100);
}

TEST_P(Tape, LookupByRealAndByPosition) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);
  gg::real b = tape.variable("b", 3.0);
  gg::real y = w * w * b + b;
  const auto g = tape.gradient(y, {b, w});  // not in creation order
  ASSERT_EQ(g.size(), 2u);
  EXPECT_EQ(g[w], 12.0);  // 2 w b
  EXPECT_EQ(g[b], 5.0);   // w^2 + 1
  EXPECT_EQ(g[0], 5.0);   // position in the request
  EXPECT_EQ(g[1], 12.0);
  EXPECT_EQ(g.values(), (std::vector<double>{5.0, 12.0}));
  EXPECT_EQ(std::vector<double>(g.begin(), g.end()), g.values());
  // a copy of a real looks up the same entry
  const gg::real w2 = w;
  EXPECT_EQ(g[w2], 12.0);
}

// More than 16 requested variables are looked up through a sorted index.
TEST_P(Tape, LookupAmongManyVariables) {
  gg::tape tape(gg::check_finite, GetParam());
  std::vector<double> values(40);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.1 * static_cast<double>(i) - 1;
  const std::vector<gg::real> xs = tape.variables("x", values);
  gg::real y = 0.0;
  for (std::size_t i = 0; i < xs.size(); ++i) y += static_cast<double>(i + 1) * xs[i] * xs[i];
  std::vector<gg::real> request(xs.rbegin(), xs.rend());  // reversed: the index must sort
  const auto g = tape.gradient(y, request);
  ASSERT_EQ(g.size(), xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double want = 2 * static_cast<double>(i + 1) * values[i];
    EXPECT_DOUBLE_EQ(g[xs[i]], want) << i;
    EXPECT_DOUBLE_EQ(g[xs.size() - 1 - i], want) << i;
  }
  // a real that was not requested
  gg::real z = tape.variable("z", 1.0);
  EXPECT_THROW(static_cast<void>(g[z]), std::out_of_range);
  gg::real mid = xs[3] * 2.0;  // an intermediate value
  EXPECT_THROW(static_cast<void>(g[mid]), std::out_of_range);
}

TEST_P(Tape, LookupOfANonRequestedRealThrowsOutOfRange) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);
  gg::real b = tape.variable("b", 3.0);
  gg::real y = w * b;
  const auto g = tape.gradient(y, {b});
  try {
    static_cast<void>(g[w]);
    ADD_FAILURE() << "g[w] did not throw";
  } catch (const std::out_of_range& e) {
    EXPECT_THAT(e.what(), HasSubstr("x was not among the variables passed to tape.gradient"));
  }
  EXPECT_THROW(static_cast<void>(g[y]), std::out_of_range);
  EXPECT_THROW(static_cast<void>(g[gg::real(3.0)]), std::out_of_range);
  EXPECT_THROW(static_cast<void>(g[1]), std::out_of_range);  // by position, past the end
  // the same index on another tape is another real
  gg::tape other;
  gg::real o0 = other.variable("o0", 1.0);
  gg::real o1 = other.variable("o1", 1.0);
  ASSERT_EQ(o1.index(), b.index());
  EXPECT_THROW(static_cast<void>(g[o1]), std::out_of_range);
  static_cast<void>(o0);
}

// A requested constant (a real made from a number) has index 0, like the
// first variable: the lookup must still tell them apart.
TEST_P(Tape, LookupOfANonRequestedRealThrowsEvenWhenAConstantWasRequested) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);  // index 0
  gg::real b = tape.variable("b", 3.0);
  gg::real c = 4.0;
  gg::real y = w * b;
  const auto g = tape.gradient(y, {b, c}, gg::allow_unconnected);
  EXPECT_EQ(g[b], 2.0);
  EXPECT_THROW(static_cast<void>(g[w]), std::out_of_range) << "w was not requested";
}

TEST_P(Tape, LookupOfARequestedConstantGivesItsZero) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real b = tape.variable("b", 3.0);
  gg::real c = 4.0;
  gg::real y = b * c;
  const auto g = tape.gradient(y, {b, c}, gg::allow_unconnected);
  EXPECT_EQ(g[b], 4.0);
  EXPECT_EQ(g[1], 0.0);
  try {
    EXPECT_EQ(g[c], 0.0);
  } catch (const std::out_of_range& e) {
    ADD_FAILURE() << "c was requested, so g[c] is its 0; but it threw: " << e.what();
  }
}

TEST_P(Tape, GradientIntoCallerStorage) {
  gg::tape tape(gg::check_finite, GetParam());
  const std::vector<gg::real> xs = tape.variables("x", std::vector<double>{1.0, 2.0, 3.0});
  gg::real y = xs[0] * xs[1] * xs[2] + gg::sin(xs[0]);
  std::vector<double> out(3, -1.0);
  tape.gradient(y, xs, std::span<double>(out));
  EXPECT_DOUBLE_EQ(out[0], 6.0 + std::cos(1.0));
  EXPECT_EQ(out[1], 3.0);
  EXPECT_EQ(out[2], 2.0);
  const auto g = tape.gradient(y, xs);
  EXPECT_EQ(g.values(), out);
  // a std::array of reals works as well
  const std::array<gg::real, 2> two{xs[2], xs[0]};
  std::array<double, 2> out2{};
  tape.gradient(y, two, std::span<double>(out2));
  EXPECT_EQ(out2[0], 2.0);
  EXPECT_EQ(out2[1], out[0]);
  // the wrong size
  std::vector<double> small(2);
  try {
    tape.gradient(y, xs, std::span<double>(small));
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("out has 2 elements for 3 variables"));
  }
}

TEST_P(Tape, SeveralSweepsOfOneRecording) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 0.5);
  gg::real b = tape.variable("b", -1.5);
  gg::real y1 = gg::exp(w) * b;        // recorded first
  gg::real y2 = y1 * y1 + gg::sin(b);  // uses y1
  gg::real y3 = w * 3.0 - b;           // recorded after both
  const double e = std::exp(0.5);
  for (int round = 0; round < 2; ++round) {
    const auto g2 = tape.gradient(y2, {w, b});
    EXPECT_DOUBLE_EQ(g2[w], 2 * (e * -1.5) * (e * -1.5));
    EXPECT_DOUBLE_EQ(g2[b], 2 * (e * -1.5) * e + std::cos(-1.5));
    const auto g1 = tape.gradient(y1, {w, b});  // an earlier output, after a later one
    EXPECT_DOUBLE_EQ(g1[w], e * -1.5);
    EXPECT_DOUBLE_EQ(g1[b], e);
    const auto g3 = tape.gradient(y3, {w, b});
    EXPECT_EQ(g3[w], 3.0);
    EXPECT_EQ(g3[b], -1.0);
  }
}

TEST_P(Tape, GradientWithRespectToAnIntermediateValue) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);
  gg::real b = tape.variable("b", 0.5);
  gg::real h = w * w + 1.0;  // 5
  gg::real y = h * h * b;
  const auto g = tape.gradient(y, {h, w});
  EXPECT_EQ(g[h], 2 * 5.0 * 0.5);
  EXPECT_EQ(g[w], 2 * 5.0 * 0.5 * 2 * 2.0);
}

TEST_P(Tape, GradientOfAVariableWithRespectToItself) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);
  gg::real b = tape.variable("b", 1.0);
  gg::real y = w * b;
  EXPECT_EQ(tape.gradient(w, {w})[w], 1.0);
  EXPECT_EQ(tape.gradient(b, {b})[b], 1.0);
  EXPECT_EQ(tape.gradient(y, {y})[y], 1.0);
}

// f: R^3 -> R^3 with a branch, on reals and on numbers.
template <class R>
std::array<R, 3> vector_function(const std::array<R, 3>& x) {
  using std::exp;
  using std::sin;
  R a = x[0] * x[1] + exp(x[2] * 0.5);
  R b = sin(x[0]) / (1.0 + x[1] * x[1]);
  if (a > 1.0) b += a * x[2];
  R c = x[2] * x[2] * x[2] - x[0];
  return {a, b, c};
}

TEST_P(Tape, JacobianMatchesFiniteDifferences) {
  const std::array<double, 3> x0{0.7, -1.3, 0.4};
  gg::tape tape(gg::check_finite, GetParam());
  const std::vector<gg::real> xv = tape.variables("x", x0);
  const auto y = vector_function<gg::real>({xv[0], xv[1], xv[2]});
  const gg::dense_matrix<double> J = tape.jacobian(y, xv);
  ASSERT_EQ(J.rows, 3u);
  ASSERT_EQ(J.cols, 3u);
  ASSERT_EQ(J.data.size(), 9u);
  for (std::size_t j = 0; j < 3; ++j) {
    const auto column = gg::central_difference(
                            [&](double t) {
                              auto q = x0;
                              q[j] = t;
                              const auto y = vector_function<double>(q);
                              return std::vector<double>(y.begin(), y.end());
                            },
                            x0[j], 1e-6, false)
                            .derivative;
    for (std::size_t i = 0; i < 3; ++i)
      EXPECT_NEAR(J(i, j), column[i], 1e-8) << "d y" << i << " / d x" << j;
  }
  // the rows are the gradients of each output
  for (std::size_t i = 0; i < 3; ++i) {
    const auto g = tape.gradient(y[i], xv, gg::allow_unconnected);
    for (std::size_t j = 0; j < 3; ++j) EXPECT_EQ(J(i, j), g[j]);
  }
}

TEST_P(Tape, JacobianOfAVariableThatReachesNoOutput) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real a = tape.variable("a", 1.0);
  gg::real b = tape.variable("b", 2.0);
  gg::real unused = tape.variable("unused", 3.0);
  const std::vector<gg::real> ys{gg::real(a * b), gg::real(a + 1.0)};
  const std::vector<gg::real> xs{a, b, unused};
  try {
    tape.jacobian(ys, xs);
    ADD_FAILURE() << "no throw";
  } catch (const gg::missing_gradient& e) {
    ASSERT_EQ(e.variables().size(), 1u);
    EXPECT_EQ(e.variables()[0].name, "unused");
    EXPECT_EQ(e.variables()[0].reason, gg::missing_reason::absent);
  }
  const auto J = tape.jacobian(ys, xs, gg::allow_unconnected);
  EXPECT_EQ(J.data, (std::vector<double>{2, 1, 0, 1, 0, 0}));
  // b reaches the first output only: its 0 in the second row is not missing
  EXPECT_NO_THROW(tape.jacobian(ys, std::vector<gg::real>{a, b}));
}

TEST_P(Tape, ARealMadeFromANumberIsAConstant) {
  gg::real c = 2.5;
  EXPECT_FALSE(c.on_tape());
  EXPECT_EQ(c.tape(), nullptr);
  EXPECT_EQ(gg::value(c), 2.5);
  EXPECT_EQ(c.value, 2.5);
  gg::real i = 3;  // from an int
  EXPECT_FALSE(i.on_tape());
  EXPECT_EQ(gg::value(i), 3.0);
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 4.0);
  const std::size_t size = tape.size();
  gg::real k = c * 2.0 + gg::exp(i);  // constants only: nothing is recorded
  EXPECT_FALSE(k.on_tape());
  EXPECT_EQ(tape.size(), size);
  EXPECT_DOUBLE_EQ(gg::value(k), 5.0 + std::exp(3.0));
  gg::real y = w * c + k;
  EXPECT_TRUE(y.on_tape());
  EXPECT_EQ(tape.size(), size + 1);
  EXPECT_EQ(tape.gradient(y, {w})[w], 2.5);
  EXPECT_EQ(tape.statistics().operands, 1u);  // w only: c and k are folded into the partial
}

TEST_P(Tape, MixingNumbersAndReals) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);
  gg::real y = 2.0 * w + w / 4.0 - 1.0 + 3 * w + w * 2.5f + (1 - w) * 2L;
  EXPECT_DOUBLE_EQ(gg::value(y), 4.0 + 0.5 - 1.0 + 6.0 + 5.0 - 2.0);
  EXPECT_DOUBLE_EQ(tape.gradient(y, {w})[w], 2.0 + 0.25 + 3.0 + 2.5 - 2.0);
  gg::real z = 10.0 / w;
  EXPECT_DOUBLE_EQ(tape.gradient(z, {w})[w], -10.0 / 4.0);
  gg::real p = gg::pow(w, 3) + gg::pow(2.0, w);
  EXPECT_DOUBLE_EQ(tape.gradient(p, {w})[w], 3 * 4.0 + std::log(2.0) * 4.0);
}

TEST_P(Tape, CompoundAssignments) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 3.0);
  gg::real b = tape.variable("b", 0.5);
  gg::real y = w;
  y += b * 2.0;  // w + 2b
  y -= w * b;    // w + 2b - wb
  y *= b;        // (w + 2b - wb) b
  y /= w;        // (w + 2b - wb) b / w
  const double f = (3.0 + 1.0 - 1.5) * 0.5 / 3.0;
  EXPECT_DOUBLE_EQ(gg::value(y), f);
  const auto g = tape.gradient(y, {w, b});
  // d/dw = (1 - b) b / w - (w + 2b - wb) b / w^2
  EXPECT_DOUBLE_EQ(g[w], 0.5 * 0.5 / 3.0 - 2.5 * 0.5 / 9.0);
  // d/db = ((2 - w) b + (w + 2b - wb)) / w
  EXPECT_DOUBLE_EQ(g[b], ((2 - 3.0) * 0.5 + 2.5) / 3.0);
  EXPECT_EQ(tape.size(), 2u + 4u);  // one statement each
  // a compound assignment on a constant starts recording
  gg::real s = 0.0;
  s += w;
  EXPECT_TRUE(s.on_tape());
  EXPECT_EQ(tape.gradient(s, {w})[w], 1.0);
}

TEST_P(Tape, ComparisonsOfRealsSteerControlFlow) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);
  gg::real b = tape.variable("b", -1.0);
  EXPECT_TRUE(w > b);
  EXPECT_TRUE(w >= 2.0);
  EXPECT_FALSE(w < b);
  EXPECT_TRUE(b <= -1.0);
  EXPECT_TRUE(w == 2.0);
  EXPECT_TRUE(w != b);
  EXPECT_TRUE(0.0 < w);
  const std::size_t size = tape.size();
  bool taken = false;
  if (w * b < 0) taken = true;  // a comparison records nothing
  EXPECT_TRUE(taken);
  EXPECT_EQ(tape.size(), size);
}

// A static gg::var inside a tape expression is a number: no operand, no gradient.
TEST_P(Tape, AStaticVariableInATapeExpressionIsAConstant) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 2.0);
  const auto v = gg::var<"v">(3.0);
  gg::real y = w * v + v * v;
  EXPECT_EQ(gg::value(y), 15.0);
  EXPECT_EQ(tape.gradient(y, {w})[w], 3.0);
  EXPECT_EQ(tape.statistics().operands + tape.statistics().unit_operands, 1u);
}

// The cast to float rounds the value, as in the static engine; the gradient stays.
TEST_P(Tape, CastToFloatRoundsTheValueLikeTheStaticEngine) {
  gg::tape tape(gg::check_finite, GetParam());
  gg::real w = tape.variable("w", 0.1);
  gg::real f = gg::cast<float>(w);
  const double rounded = static_cast<float>(0.1);
  EXPECT_EQ(gg::value(f), rounded) << std::setprecision(17) << gg::value(f) << " vs " << rounded;
  EXPECT_EQ(rounded, static_cast<double>(gg::value(gg::cast<float>(gg::var<"x">(0.1)))));
  EXPECT_EQ(tape.gradient(f, {w})[w], 1.0);
  gg::real d = gg::cast<double>(w);
  EXPECT_EQ(gg::value(d), 0.1);
  EXPECT_EQ(tape.gradient(d, {w})[w], 1.0);
}

TEST_P(Tape, VariablesIntoCallerStorage) {
  gg::tape tape(gg::check_finite, GetParam());
  std::array<gg::real, 3> out;
  tape.variables("v", std::vector<double>{1, 2, 3}, std::span<gg::real>(out));
  EXPECT_EQ(gg::value(out[2]), 3.0);
  EXPECT_EQ(tape.size(), 3u);
  std::array<gg::real, 2> small;
  try {
    tape.variables("v", std::vector<double>{1, 2, 3}, std::span<gg::real>(small));
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("out has 2 elements for 3 values"));
  }
  EXPECT_EQ(tape.size(), 3u);
}

// The default does not follow NDEBUG (linking debug and release translation
// units picked it by link order): off unless GRADGUARD_CHECK_FINITE is 1
// (finite_and_mismatch_test.cpp is built with it).
TEST(TapeDefaults, CheckFiniteIsOffByDefaultWhateverNDEBUGSays) {
  gg::tape tape;
  EXPECT_FALSE(tape.checks_finite());
  EXPECT_TRUE(gg::tape(gg::check_finite).checks_finite());
  EXPECT_FALSE(gg::tape(gg::check_finite, false).checks_finite());
}

}  // namespace
