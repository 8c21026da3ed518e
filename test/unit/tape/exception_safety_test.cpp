// A throw in the middle of a recording leaves a usable tape: what was
// recorded before keeps its gradients, tape.size() counts exactly the
// statements that completed, and recording, clear() and new recordings work.
// The throws come from user code between statements, from gg::tape_mismatch,
// from a custom_gradient inside a statement, from the sweep (missing or
// non-finite gradients), and from operator new at every allocation the tape
// makes.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include "replaced_new.hpp"

#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

namespace gg = gradguard;

using replaced_new::allocations_until_failure;

namespace {

double sum_of_squares_dw(double w, double b, int terms) {
  double d = 0;
  for (int i = 0; i < terms; ++i) d += 2 * (w * i + b) * i;
  return d;
}
double sum_of_squares_db(double w, double b, int terms) {
  double d = 0;
  for (int i = 0; i < terms; ++i) d += 2 * (w * i + b);
  return d;
}

TEST(TapeExceptionSafety, UserCodeThrowsInTheMiddleOfALoop) {
  gg::tape tape;
  gg::real w = tape.variable("w", 0.5);
  gg::real b = tape.variable("b", -0.25);
  gg::real loss = 0.0;
  try {
    for (int i = 0; i < 10; ++i) {
      gg::real r = w * static_cast<double>(i) + b;
      loss += r * r;
      if (i == 5) throw std::runtime_error("user code");
    }
    ADD_FAILURE() << "no throw";
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(tape.size(), 2u + 6 * 2);  // the variables, then r and loss per step
  auto g = tape.gradient(loss, {w, b});
  EXPECT_DOUBLE_EQ(g[w], sum_of_squares_dw(0.5, -0.25, 6));
  EXPECT_DOUBLE_EQ(g[b], sum_of_squares_db(0.5, -0.25, 6));
  // the recording goes on
  for (int i = 6; i < 10; ++i) {
    gg::real r = w * static_cast<double>(i) + b;
    loss += r * r;
  }
  g = tape.gradient(loss, {w, b});
  EXPECT_DOUBLE_EQ(g[w], sum_of_squares_dw(0.5, -0.25, 10));
  EXPECT_DOUBLE_EQ(g[b], sum_of_squares_db(0.5, -0.25, 10));
  // and a new one after clear()
  tape.clear();
  gg::real w2 = tape.variable("w", 2.0);
  gg::real y = w2 * w2;
  EXPECT_EQ(tape.size(), 2u);
  EXPECT_EQ(tape.gradient(y, {w2})[w2], 4.0);
}

TEST(TapeExceptionSafety, ATapeMismatchWhileRecording) {
  gg::tape tape;
  gg::tape other;
  gg::real w = tape.variable("w", 0.5);
  gg::real u = tape.variable("u", 2.0);
  gg::real o = other.variable("o", 3.0);
  gg::real loss = w * w;
  const auto stats = tape.statistics();
  const auto index = loss.index();
  EXPECT_THROW(loss += w * o, gg::tape_mismatch);
  EXPECT_THROW(loss = gg::select(u > 0, o, w) * w, gg::tape_mismatch);  // with a cut
  EXPECT_THROW(loss = gg::stop_gradient(u) * o, gg::tape_mismatch);
  EXPECT_THROW(loss = gg::floor(gg::real(o * 1.0)) + w, gg::tape_mismatch);
  // the failed statements recorded nothing, loss is the old value; the
  // statements that completed before the throw are there
  EXPECT_EQ(loss.index(), index);
  EXPECT_EQ(gg::value(loss), 0.25);
  EXPECT_EQ(tape.size(), stats.statements + 1);  // stop_gradient(u)
  EXPECT_EQ(other.size(), 3u);                   // o, o * 1.0 and floor of it
  EXPECT_EQ(tape.gradient(loss, {w})[w], 1.0);
  // u reaches nothing: reported as unused, not as cut by the failed select
  try {
    tape.gradient(loss, {w, u});
    ADD_FAILURE() << "no gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    ASSERT_EQ(e.variables().size(), 1u);
    EXPECT_EQ(e.variables()[0].reason, gg::missing_reason::absent) << e.what();
  }
  loss += u * 3.0;
  const auto g = tape.gradient(loss, {w, u});
  EXPECT_EQ(g[w], 1.0);
  EXPECT_EQ(g[u], 3.0);
}

// A custom_gradient whose primal or vjp throws fails inside the statement
// (a vjp declared linear is called when the statement is recorded).
constexpr auto fragile = gg::custom_gradient(
    [](auto x) {
      if (x > 100) throw std::domain_error("primal");
      return 2 * x;
    },
    [](auto g, auto x) {
      if (x < -100) throw std::domain_error("vjp");
      return g * 2.0;
    },
    gg::linear_vjp);

TEST(TapeExceptionSafety, AThrowInsideAStatement) {
  for (const bool checked : {true, false}) {
    SCOPED_TRACE(checked ? "with check_finite" : "without check_finite");
    gg::tape tape(gg::check_finite, checked);
    gg::real w = tape.variable("w", 0.5);
    gg::real big = tape.variable("big", 200.0);
    gg::real small = tape.variable("small", -200.0);
    gg::real y = fragile(w) * w;  // 2 w^2
    const auto stats = tape.statistics();
    EXPECT_THROW(y += fragile(big) * gg::stop_gradient(w * 1.0), std::domain_error);
    EXPECT_THROW(y = gg::select(w > 0, fragile(small), w) + 1.0, std::domain_error);
    EXPECT_EQ(tape.statistics().statements, stats.statements);
    EXPECT_EQ(tape.statistics().bytes, stats.bytes);
    EXPECT_EQ(gg::value(y), 0.5);
    EXPECT_EQ(tape.gradient(y, {w})[w], 2.0);
    y += fragile(w);  // 2 w^2 + 2 w
    EXPECT_EQ(tape.gradient(y, {w})[w], 4.0);
    try {
      tape.gradient(y, {w, big, small});
      ADD_FAILURE() << "no gg::missing_gradient";
    } catch (const gg::missing_gradient& e) {
      ASSERT_EQ(e.variables().size(), 2u);
      EXPECT_EQ(e.variables()[0].reason, gg::missing_reason::absent);
      EXPECT_EQ(e.variables()[1].reason, gg::missing_reason::absent);
    }
  }
}

// A sweep that throws (a missing gradient, a non-finite adjoint) leaves the
// recording intact: the next sweeps are right.
TEST(TapeExceptionSafety, ASweepThatThrows) {
  gg::tape tape(gg::check_finite);
  gg::real w = tape.variable("w", 0.5);
  gg::real q = tape.variable("q", 0.0);
  gg::real u = tape.variable("u", 1.0);
  gg::real y = w * w * 3.0;
  gg::real bad = gg::sqrt(q) * y + w;  // infinite adjoint for q, after y's statements
  EXPECT_THROW(tape.gradient(y, {w, u}), gg::missing_gradient);
  EXPECT_EQ(tape.gradient(y, {w})[w], 3.0);
  EXPECT_THROW(tape.gradient(bad, {w, q}), gg::non_finite_adjoint);
  EXPECT_EQ(tape.gradient(y, {w})[w], 3.0);
  gg::real z = y + u;
  const auto g = tape.gradient(z, {w, u});
  EXPECT_EQ(g[w], 3.0);
  EXPECT_EQ(g[u], 1.0);
}

// ---- bad_alloc at every allocation --------------------------------------------

// A recording as a list of steps, each one statement (or one variable): after a
// failed step the recording resumes with the same step. The steps make every
// kind of entry the tape keeps: variables (one with a name long enough to be
// allocated), statements with unit and general operands, cut records
// (stop_gradient, floor, select conditions), and with check_finite the
// statements' descriptions and operand values.
struct recording {
  gg::tape& tape;
  std::vector<gg::real> v;  // every value made so far
  std::vector<std::function<gg::real()>> steps;
  explicit recording(gg::tape& t) : tape(t) {
    const std::string long_name(100, 'w');  // its copy in the tape allocates
    steps = {
        [this] { return tape.variable("a", 0.5); },
        [this, long_name] { return tape.variable(long_name, -1.5); },
        [this] { return tape.variable("frozen", 2.0, gg::trainable::no); },
        [this] { return gg::real(v[0] * v[1] + gg::exp(v[0])); },
        [this] { return gg::stop_gradient(v[3]); },
        [this] { return gg::real(gg::select(v[0] > 0, v[1] * v[4], v[2])); },
        [this] { return gg::floor(v[1]); },
        [this] { return gg::real(v[5] * v[6] + gg::sin(v[3]) * v[2]); },
    };
    for (int i = 0; i < 300; ++i)  // grows every array several times
      steps.push_back([this, i]() -> gg::real {
        const gg::real& last = v.back();
        if (i % 7 == 0)  // with a cut (the condition) and maybe an untaken branch
          return gg::select(last > 0, last, v[1]) + gg::stop_gradient(v[3] * 1.0) * 0.5;
        return last * 0.999 + v[static_cast<std::size_t>(i) % 3] * gg::tanh(v[3]);
      });
    v.reserve(steps.size());  // the harness itself does not allocate while recording
  }
  // Runs the remaining steps; on a throw, the failed step is left to be run again.
  void run() {
    while (v.size() < steps.size()) v.push_back(steps[v.size()]());
  }
};

// What a finished recording gives: the gradient and the diagnosis.
struct outcome {
  std::vector<double> gradient;
  std::string missing;
  std::size_t size;
  gg::tape_statistics statistics;
};
outcome finish(gg::tape& tape, const recording& r) {
  outcome out;
  const std::vector<gg::real> xs{r.v[0], r.v[1]};
  out.gradient = tape.gradient(r.v.back(), xs).values();
  try {
    tape.gradient(r.v[5], {r.v[0], r.v[1], r.v[2]});  // a cut and a frozen variable
  } catch (const gg::missing_gradient& e) {
    out.missing = e.what();
  }
  out.size = tape.size();
  out.statistics = tape.statistics();
  return out;
}

TEST(TapeExceptionSafety, OutOfMemoryAtEveryAllocation) {
  for (const bool checked : {true, false}) {
    SCOPED_TRACE(checked ? "with check_finite" : "without check_finite");
    gg::tape reference_tape(gg::check_finite, checked);
    recording reference(reference_tape);
    reference.run();
    const outcome want = finish(reference_tape, reference);
    ASSERT_FALSE(want.missing.empty());
    int failures = 0;
    for (long k = 0;; ++k) {
      gg::tape tape(gg::check_finite, checked);
      recording r(tape);
      allocations_until_failure = k;
      bool failed = false;
      try {
        r.run();
      } catch (const std::bad_alloc&) {
        failed = true;
      }
      allocations_until_failure = -1;
      if (!failed) break;  // k is past the last allocation of the recording
      ++failures;
      SCOPED_TRACE("bad_alloc at allocation " + std::to_string(k) + ", in step " +
                   std::to_string(r.v.size()));
      // the values recorded before are all there, and only they
      ASSERT_EQ(tape.size(), r.v.size() + 0) << "statements recorded before the failed one";
      if (r.v.size() > 3) {
        const auto g = tape.gradient(r.v[3], {r.v[0], r.v[1]});
        EXPECT_DOUBLE_EQ(g[0], -1.5 + std::exp(0.5));
        EXPECT_DOUBLE_EQ(g[1], 0.5);
      }
      // the same step succeeds now, and the recording ends as if nothing happened
      r.run();
      const outcome got = finish(tape, r);
      EXPECT_EQ(got.gradient, want.gradient);
      EXPECT_EQ(got.missing, want.missing);
      EXPECT_EQ(got.size, want.size);
      EXPECT_EQ(got.statistics.bytes, want.statistics.bytes);
    }
    std::cout << "bad_alloc injected at " << failures << " allocations of the recording"
              << (checked ? " (with check_finite)\n" : "\n");
    EXPECT_GE(failures, 10) << "the recording should allocate in many places";
  }
}

}  // namespace
