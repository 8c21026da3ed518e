// The tape's missing-gradient diagnoses, checked against their messages: why
// a gradient is missing (unused, stop_gradient, a non-differentiable
// operation, the branch a select did not take, frozen, constant, another
// tape, constants only), several at once, that gg::allow_unconnected really
// silences each, and that an active zero is not missing. Tape mismatches and
// gg::check_finite are in finite_and_mismatch_test.cpp.
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "messages.hpp"

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace gg = gradguard;

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using tape_messages::created;
using tape_messages::missing;
using tape_messages::site;

static_assert(std::is_base_of_v<std::logic_error, gg::missing_gradient>);

const char* const fix_line = "\n  fix: ";
const char* const opt_out = "or pass gg::allow_unconnected to get 0";

// ---- Missing gradients -------------------------------------------------------

TEST(TapeDiagnostics, UnusedVariable) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  const int u_line = __LINE__ + 1;  // the next line
  gg::real u = tape.variable("u", 1.0);
  gg::real y = w * 2.0;
  const auto e = missing([&] { tape.gradient(y, {w, u}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(
      e->what(),
      AllOf(StartsWith("gradguard: cannot differentiate the result with respect to 'u':\n"),
            HasSubstr("\n  'u'" + created(u_line) + " is never used on a path to the result"),
            HasSubstr(fix_line), HasSubstr(opt_out), Not(HasSubstr("'w'"))));
  ASSERT_EQ(e->variables().size(), 1u);
  EXPECT_EQ(e->variables()[0].name, "u");
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::absent);
  EXPECT_THAT(e->variables()[0].detail, HasSubstr("is never used on a path to the result"));
  const auto g = tape.gradient(y, {w, u}, gg::allow_unconnected);
  EXPECT_EQ(g[w], 2.0);
  EXPECT_EQ(g[u], 0.0);
}

TEST(TapeDiagnostics, VariableCreatedAfterTheResultIsUnused) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real y = w * 2.0;
  const int line = __LINE__ + 1;  // the next line
  gg::real later = tape.variable("later", 1.0);
  const auto e = missing([&] { tape.gradient(y, {w, later}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("'later'" + created(line) + " is never used on a path"));
  EXPECT_EQ(e->variables().at(0).reason, gg::missing_reason::absent);
  EXPECT_EQ(tape.gradient(y, {later}, gg::allow_unconnected)[later], 0.0);
}

TEST(TapeDiagnostics, ElementsOfAVariableVectorAreNamedByIndex) {
  gg::tape tape;
  const int line = __LINE__ + 1;  // the next line
  const auto x = tape.variables("x", std::vector<double>{1, 2, 3});
  gg::real y = x[0] * x[2];
  const auto e = missing([&] { tape.gradient(y, x); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("with respect to 'x[1]':\n  'x[1]'" + created(line) +
                                   " is never used on a path to the result"));
  EXPECT_EQ(e->variables().at(0).name, "x[1]");
}

// DESIGN.md: tape.variables("x", values) names its elements x[0], x[1], ...,
// however many there are.
TEST(TapeDiagnostics, TheElementOfAVectorOfOneIsNamedByIndex) {
  gg::tape tape;
  gg::real w = tape.variable("w", 1.0);
  const auto x = tape.variables("x", std::vector<double>{1});
  gg::real y = w * 2.0;
  const auto e = missing([&] { tape.gradient(y, x); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->variables().at(0).name, "x[0]");
  EXPECT_THAT(e->what(), HasSubstr("'x[0]' (created at"));
}

TEST(TapeDiagnostics, UnusedIntermediateValue) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real h = w * 3.0;  // value #1, not a variable
  gg::real y = w * 2.0;
  const auto e = missing([&] { tape.gradient(y, {h}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("'value #1' is never used on a path to the result"));
}

TEST(TapeDiagnostics, StopGradientNamesItsCallLine) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  const int u_line = __LINE__ + 1;  // the next line
  gg::real u = tape.variable("u", 1.0);
  const int line = __LINE__ + 1;  // the next line
  gg::real s = gg::stop_gradient(u);
  gg::real y = w * s;
  EXPECT_EQ(gg::value(s), 1.0);
  const auto e = missing([&] { tape.gradient(y, {w, u}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), AllOf(HasSubstr("with respect to 'u':\n  'u'" + created(u_line) +
                                         " reaches the result only through 'stop_gradient' at " +
                                         site(line) + "\n"),
                               HasSubstr(fix_line), HasSubstr(opt_out)));
  ASSERT_EQ(e->variables().size(), 1u);
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::stop_gradient);
  const auto g = tape.gradient(y, {w, u}, gg::allow_unconnected);
  EXPECT_EQ(g[w], 1.0);
  EXPECT_EQ(g[u], 0.0);
}

// Inside a larger expression stop_gradient is a node of the statement: the
// statement's line is named, also for `=` and `+=` on an existing real.
TEST(TapeDiagnostics, StopGradientInsideAStatement) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real u = tape.variable("u", 1.0);
  const int line = __LINE__ + 1;  // the next line
  gg::real y = w * gg::stop_gradient(u * 2.0) + 1.0;
  auto e = missing([&] { tape.gradient(y, {u}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(),
              HasSubstr("reaches the result only through 'stop_gradient' at " + site(line)));
  EXPECT_EQ(e->variables().at(0).reason, gg::missing_reason::stop_gradient);

  gg::real z = w;
  const int plus_line = __LINE__ + 1;
  z += gg::stop_gradient(u * 2.0);
  e = missing([&] { tape.gradient(z, {u}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(),
              HasSubstr("reaches the result only through 'stop_gradient' at " + site(plus_line)));
  // -=, *=, /= and = on an existing real name their line too.
  gg::real a = w, b = w, c = w, d = w;
  const int a_line = __LINE__ + 1;
  a -= gg::stop_gradient(u * 2.0);
  const int b_line = __LINE__ + 1;
  b *= gg::stop_gradient(u * 2.0);
  const int c_line = __LINE__ + 1;
  c /= gg::stop_gradient(u * 2.0);
  const int d_line = __LINE__ + 1;
  d = w + gg::stop_gradient(u * 2.0);
  for (const auto& [v, at] : {std::pair{a, a_line}, {b, b_line}, {c, c_line}, {d, d_line}}) {
    e = missing([&] { tape.gradient(v, {u}); });
    ASSERT_TRUE(e) << at;
    EXPECT_THAT(e->what(), HasSubstr("'stop_gradient' at " + site(at)));
  }
  EXPECT_EQ(tape.gradient(z, {u, w}, gg::allow_unconnected).values(),
            (std::vector<double>{0.0, 1.0}));
}

// floor, ceil, round, trunc, sign and integer casts applied to a real record
// where they were called.
void expect_cut_at(gg::tape& tape, const gg::real& w, const gg::real& u, const gg::real& cut,
                   const std::string& operation, int u_line, int line) {
  SCOPED_TRACE(operation);
  gg::real y = w * cut + w;
  const auto e = missing([&] { tape.gradient(y, {w, u}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("with respect to 'u':\n  'u'" + created(u_line) +
                                   " reaches the result only through '" + operation + "' at " +
                                   site(line) + ", which has no derivative\n"));
  ASSERT_EQ(e->variables().size(), 1u);
  EXPECT_EQ(e->variables()[0].name, "u");
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::non_differentiable);
  const auto g = tape.gradient(y, {w, u}, gg::allow_unconnected);
  EXPECT_EQ(g[u], 0.0);
  EXPECT_EQ(g[w], gg::value(cut) + 1);
}

TEST(TapeDiagnostics, NonDifferentiableOperationsNameTheirCallLine) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  const int u_line = __LINE__ + 1;  // the next line
  gg::real u = tape.variable("u", -2.75);
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::floor(u);
    EXPECT_EQ(gg::value(c), -3.0);
    expect_cut_at(tape, w, u, c, "floor", u_line, line);
  }
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::ceil(u);
    EXPECT_EQ(gg::value(c), -2.0);
    expect_cut_at(tape, w, u, c, "ceil", u_line, line);
  }
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::round(u);
    EXPECT_EQ(gg::value(c), -3.0);
    expect_cut_at(tape, w, u, c, "round", u_line, line);
  }
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::trunc(u);
    EXPECT_EQ(gg::value(c), -2.0);
    expect_cut_at(tape, w, u, c, "trunc", u_line, line);
  }
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::sign(u);
    EXPECT_EQ(gg::value(c), -1.0);
    expect_cut_at(tape, w, u, c, "sign", u_line, line);
  }
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::cast<int>(u);
    EXPECT_EQ(gg::value(c), -2.0);
    expect_cut_at(tape, w, u, c, "cast", u_line, line);
  }
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::cast<long long>(u);
    EXPECT_EQ(gg::value(c), -2.0);
    expect_cut_at(tape, w, u, c, "cast", u_line, line);
  }
  {
    const int line = __LINE__ + 1;  // the next line
    gg::real c = gg::cast<bool>(u);
    EXPECT_EQ(gg::value(c), 1.0);
    expect_cut_at(tape, w, u, c, "cast", u_line, line);
  }
}

TEST(TapeDiagnostics, AComparisonRecordedAsAValue) {
  gg::tape tape;
  const int w_line = __LINE__ + 1;  // the next line
  gg::real w = tape.variable("w", 0.5);
  const int line = __LINE__ + 1;  // the next line
  gg::real c = w > 0.25;
  EXPECT_EQ(gg::value(c), 1.0);
  const auto e = missing([&] { tape.gradient(c, {w}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(),
              HasSubstr("'w'" + created(w_line) + " reaches the result only through '>' at " +
                        site(line) + ", which has no derivative"));
  EXPECT_EQ(e->variables().at(0).reason, gg::missing_reason::non_differentiable);
  EXPECT_EQ(tape.gradient(c, {w}, gg::allow_unconnected)[w], 0.0);
}

// The condition of a select carries no derivative: the comparison is what
// cut the path (select itself is differentiable in its branches).
TEST(TapeDiagnostics, AComparisonInASelectCondition) {
  gg::tape tape;
  const int u_line = __LINE__ + 1;  // the next line
  gg::real u = tape.variable("u", 0.5);
  const int line = __LINE__ + 1;  // the next line
  gg::real y = gg::select(u > 0, 1.0, 2.0);
  EXPECT_EQ(gg::value(y), 1.0);
  const auto e = missing([&] { tape.gradient(y, {u}); });
  ASSERT_TRUE(e);
  ASSERT_EQ(e->variables().size(), 1u);
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::non_differentiable);
  EXPECT_THAT(e->what(),
              HasSubstr("'u'" + created(u_line) + " reaches the result only through '>' at " +
                        site(line) + ", which has no derivative"));
  EXPECT_THAT(e->what(), Not(HasSubstr("through 'select'")));
  EXPECT_EQ(tape.gradient(y, {u}, gg::allow_unconnected)[u], 0.0);
}

TEST(TapeDiagnostics, TheBranchASelectDidNotTake) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  const int u_line = __LINE__ + 1;  // the next line
  gg::real u = tape.variable("u", 1.0);
  const int line = __LINE__ + 1;  // the next line
  gg::real y = gg::select(w > 0, w * 2.0, u * 3.0);
  EXPECT_EQ(gg::value(y), 1.0);
  const auto e = missing([&] { tape.gradient(y, {w, u}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), AllOf(HasSubstr("with respect to 'u':\n  'u'" + created(u_line) +
                                         " reaches the result only through the branch of 'select' "
                                         "that was not taken at " +
                                         site(line) + "; a branch not taken has no derivative"),
                               HasSubstr(fix_line), HasSubstr(opt_out)));
  ASSERT_EQ(e->variables().size(), 1u);
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::untaken_branch);
  const auto g = tape.gradient(y, {w, u}, gg::allow_unconnected);
  EXPECT_EQ(g[w], 2.0);
  EXPECT_EQ(g[u], 0.0);
  // the other way round, u is active and w is only in the condition
  gg::real v = tape.variable("v", -0.5);
  gg::real z = gg::select(v > 0, w * 2.0, u * 3.0);
  const auto gz = tape.gradient(z, {u});
  EXPECT_EQ(gz[u], 3.0);
}

TEST(TapeDiagnostics, FrozenVariable) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  const int k_line = __LINE__ + 1;  // the next line
  gg::real k = tape.variable("k", 2.0, gg::trainable::no);
  gg::real y = k * w;
  const auto e = missing([&] { tape.gradient(y, {w, k}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(
      e->what(),
      AllOf(StartsWith("gradguard: cannot differentiate the result with respect to 'k':\n"),
            HasSubstr("'k'" + created(k_line) + " is frozen (created with gg::trainable::no)"),
            HasSubstr(fix_line), HasSubstr(opt_out)));
  ASSERT_EQ(e->variables().size(), 1u);
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::frozen);
  // a frozen variable's derivative is known (it is w), but not reported
  EXPECT_EQ(tape.gradient(y, {w})[w], 2.0);
}

// DESIGN.md: tape.gradient(loss, {w, k}, gg::allow_unconnected) gives 0 for k.
TEST(TapeDiagnostics, AllowUnconnectedGivesZeroForAFrozenVariable) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real k = tape.variable("k", 2.0, gg::trainable::no);
  gg::real y = k * w;
  const auto g = tape.gradient(y, {w, k}, gg::allow_unconnected);
  EXPECT_EQ(g[w], 2.0);
  EXPECT_EQ(g[k], 0.0);
  std::vector<double> out(2, -1.0);
  tape.gradient(y, std::vector<gg::real>{w, k}, std::span<double>(out), gg::allow_unconnected);
  EXPECT_EQ(out, (std::vector<double>{2.0, 0.0}));
  const auto J =
      tape.jacobian(std::vector<gg::real>{y}, std::vector<gg::real>{w, k}, gg::allow_unconnected);
  EXPECT_EQ(J.data, (std::vector<double>{2.0, 0.0}));
}

TEST(TapeDiagnostics, AConstantPassedAsAVariable) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real c = 3.0;
  gg::real y = w * c;
  const auto e = missing([&] { tape.gradient(y, {w, c}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(
      e->what(),
      AllOf(HasSubstr("with respect to 'argument 2':\n  'argument 2' is a constant (a "
                      "gg::real made from a number, on no tape)"),
            HasSubstr(fix_line), HasSubstr("tape.variable(\"name\", value)"), HasSubstr(opt_out)));
  ASSERT_EQ(e->variables().size(), 1u);
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::not_a_variable);
  const auto g = tape.gradient(y, {w, c}, gg::allow_unconnected);
  EXPECT_EQ(g[0], 3.0);
  EXPECT_EQ(g[1], 0.0);
}

// A variable of another tape is a mistake, not a missing derivative: a
// gg::tape_mismatch, with gg::allow_unconnected too (it was a silent 0).
TEST(TapeDiagnostics, ARealOfAnotherTape) {
  gg::tape tape;
  gg::tape other;
  gg::real w = tape.variable("w", 0.5);
  const int o_line = __LINE__ + 1;  // the next line
  gg::real o = other.variable("o", 1.0);
  gg::real y = w * 2.0;
  const std::string want = "gradguard: tape.gradient(y, xs): 'o'" + created(o_line) +
                           " belongs to another tape; ask for the gradient with respect to "
                           "variables of the recording that computed y";
  for (const bool allow : {false, true}) {
    try {
      if (allow) tape.gradient(y, {w, o}, gg::allow_unconnected);
      else tape.gradient(y, {w, o});
      ADD_FAILURE() << "no gg::tape_mismatch";
    } catch (const gg::tape_mismatch& e) {
      EXPECT_THAT(e.what(), StartsWith(want));
    }
  }
  std::vector<double> out(2);
  EXPECT_THROW(
      tape.gradient(y, std::vector<gg::real>{w, o}, std::span<double>(out), gg::allow_unconnected),
      gg::tape_mismatch);
  EXPECT_THROW(
      tape.jacobian(std::vector<gg::real>{y}, std::vector<gg::real>{w, o}, gg::allow_unconnected),
      gg::tape_mismatch);
  EXPECT_EQ(tape.gradient(y, {w})[w], 2.0);
}

TEST(TapeDiagnostics, AResultComputedFromConstantsOnly) {
  gg::tape tape;
  const int w_line = __LINE__ + 1;  // the next line
  gg::real w = tape.variable("w", 0.5);
  gg::real b = tape.variable("b", 0.5);
  gg::real c = 3.0;
  gg::real y = c * 2.0 + gg::exp(c);
  ASSERT_FALSE(y.on_tape());
  auto e = missing([&] { tape.gradient(y, {w, b}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(),
              AllOf(StartsWith("gradguard: the result depends on none of ['w', 'b']: it was "
                               "computed from constants only (no gg::real of a tape reaches it)"),
                    HasSubstr("'w'" + created(w_line) + " is not used: the result is a constant"),
                    HasSubstr(opt_out)));
  ASSERT_EQ(e->variables().size(), 2u);
  EXPECT_EQ(e->variables()[0].reason, gg::missing_reason::absent);
  EXPECT_EQ(e->variables()[1].reason, gg::missing_reason::absent);
  e = missing([&] { tape.gradient(y, {w}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), StartsWith("gradguard: the result depends on none of ['w']: "));
  EXPECT_EQ(tape.gradient(y, {w, b}, gg::allow_unconnected).values(),
            (std::vector<double>{0.0, 0.0}));
}

TEST(TapeDiagnostics, AllRequestedVariablesMissing) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real u = tape.variable("u", 1.0);
  gg::real v = tape.variable("v", 1.0);
  gg::real y = w * 2.0;
  const auto e = missing([&] { tape.gradient(y, {u, v}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), AllOf(StartsWith("gradguard: the result depends on none of ['u', 'v']:\n"),
                               HasSubstr("\n  'u' (created at"), HasSubstr("\n  'v' (created at")));
  EXPECT_EQ(e->variables().size(), 2u);
  EXPECT_EQ(tape.gradient(y, {u, v}, gg::allow_unconnected).values(),
            (std::vector<double>{0.0, 0.0}));
}

TEST(TapeDiagnostics, SeveralMissingAtOnceEachWithItsReason) {
  gg::tape tape;
  gg::tape other;
  const int w_line = __LINE__ + 1;  // the next line
  gg::real w = tape.variable("w", 0.5);
  const int u_line = __LINE__ + 1;  // the next line
  gg::real u = tape.variable("u", 1.0);
  const int s_line = __LINE__ + 1;  // the next line
  gg::real s = tape.variable("s", 1.0);
  const int k_line = __LINE__ + 1;  // the next line
  gg::real k = tape.variable("k", 2.0, gg::trainable::no);
  const int f_line = __LINE__ + 1;  // the next line
  gg::real f = tape.variable("f", 1.5);
  const int t_line = __LINE__ + 1;  // the next line
  gg::real t = tape.variable("t", 1.5);
  gg::real c = 3.0;
  const int stop_line = __LINE__ + 1;  // the next line
  gg::real cut_s = gg::stop_gradient(s);
  const int floor_line = __LINE__ + 1;  // the next line
  gg::real cut_f = gg::floor(f);
  const int select_line = __LINE__ + 1;  // the next line
  gg::real sel = gg::select(w > 0, w, t);
  gg::real y = sel * cut_s + cut_f * w + k;
  const std::vector<gg::real> request{w, u, s, k, c, f, t};
  const auto e = missing([&] { tape.gradient(y, request); });
  ASSERT_TRUE(e);
  const std::string what = e->what();
  EXPECT_THAT(what, StartsWith("gradguard: cannot differentiate the result with respect to 'u', "
                               "'s', 'k', 'argument 5', 'f', 't':\n"));
  const std::vector<std::string> lines{
      "  'u'" + created(u_line) + " is never used on a path to the result",
      "  's'" + created(s_line) + " reaches the result only through 'stop_gradient' at " +
          site(stop_line),
      "  'k'" + created(k_line) + " is frozen (created with gg::trainable::no)",
      "  'argument 5' is a constant (a gg::real made from a number, on no tape)",
      "  'f'" + created(f_line) + " reaches the result only through 'floor' at " +
          site(floor_line) + ", which has no derivative",
      "  't'" + created(t_line) +
          " reaches the result only through the branch of 'select' that was not taken at " +
          site(select_line),
  };
  std::size_t at = 0;
  for (const auto& line : lines) {
    const auto found = what.find("\n" + line, at);
    EXPECT_NE(found, std::string::npos) << "missing or out of order: " << line << "\nin:\n" << what;
    if (found != std::string::npos) at = found + 1;
  }
  EXPECT_THAT(what, AllOf(HasSubstr(fix_line), HasSubstr(opt_out), Not(HasSubstr("'w'")),
                          Not(HasSubstr(site(w_line)))));
  const std::vector<gg::missing_reason> reasons{gg::missing_reason::absent,
                                                gg::missing_reason::stop_gradient,
                                                gg::missing_reason::frozen,
                                                gg::missing_reason::not_a_variable,
                                                gg::missing_reason::non_differentiable,
                                                gg::missing_reason::untaken_branch};
  const std::vector<std::string> names{"u", "s", "k", "argument 5", "f", "t"};
  ASSERT_EQ(e->variables().size(), reasons.size());
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    EXPECT_EQ(e->variables()[i].reason, reasons[i]) << names[i];
    EXPECT_EQ(e->variables()[i].name, names[i]);
    EXPECT_THAT(what, HasSubstr(e->variables()[i].detail));
  }
  // gg::allow_unconnected: every one of them is 0, w keeps its derivative,
  // through each way of asking
  const double dw = gg::value(cut_s) + gg::value(cut_f);  // sel = w
  std::vector<double> want(request.size(), 0.0);
  want[0] = dw;
  EXPECT_EQ(tape.gradient(y, request, gg::allow_unconnected).values(), want);
  std::vector<double> out(request.size(), -1.0);
  tape.gradient(y, request, std::span<double>(out), gg::allow_unconnected);
  EXPECT_EQ(out, want);
  const auto J = tape.jacobian(std::vector<gg::real>{y}, request, gg::allow_unconnected);
  EXPECT_EQ(J.data, want);
  EXPECT_TRUE(missing([&] { tape.jacobian(std::vector<gg::real>{y}, request); }));
}

// An active variable whose derivative is exactly 0 has a path: no diagnosis.
TEST(TapeDiagnostics, AnActiveZeroIsNotMissing) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real b = tape.variable("b", 0.0);
  gg::real y1 = w * 0.0 + b;
  gg::real y2 = w - w + b * 2.0;
  gg::real y3 = gg::min(w, b) + gg::max(w, b) * 0.0;  // b is taken by min
  gg::real y4 = w * b;                                // d/dw = b = 0
  for (const gg::real* y : {&y1, &y2, &y3, &y4}) {
    std::optional<gg::tape_gradient<double>> g;
    EXPECT_NO_THROW(g = tape.gradient(*y, {w, b}));
    if (g) {
      EXPECT_EQ((*g)[w], 0.0);
    }
  }
  EXPECT_EQ(tape.gradient(y2, {b})[b], 2.0);
  EXPECT_NO_THROW(tape.jacobian(std::vector<gg::real>{y1, y4}, std::vector<gg::real>{w}));
}

}  // namespace
