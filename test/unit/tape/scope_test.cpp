// tape.record(): the scope clears the tape however it ends, and one is open
// at a time; a tape that keeps growing across gradient calls without clear()
// says so once, through the handler (default: stderr).
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gg = gradguard;

namespace {

std::vector<std::string> scope_warnings;
void collect_scope_warning(std::string_view message) { scope_warnings.emplace_back(message); }

// Collects the tape's warnings for one test and restores the handler after it.
struct collected_warnings {
  gg::tape_warning_handler previous = gg::set_tape_warning_handler(&collect_scope_warning);
  collected_warnings() { scope_warnings.clear(); }
  ~collected_warnings() { gg::set_tape_warning_handler(previous); }
  collected_warnings(const collected_warnings&) = delete;
  collected_warnings& operator=(const collected_warnings&) = delete;
};

// d/dw (3 w^2 + sin w), recorded on tape without clearing it first.
double scope_loss_gradient(gg::tape& tape, double w0) {
  const gg::real w = tape.variable("w", w0);
  const gg::real y = 3.0 * w * w + gg::sin(w);
  return tape.gradient(y, {w})[0];
}
double scope_loss_derivative(double w) { return 6.0 * w + std::cos(w); }

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(TapeRecordScope, ClearsTheTapeWhenTheScopeEnds) {
  gg::tape tape;
  gg::real w;
  {
    auto step = tape.record();
    w = tape.variable("w", 2.0);
    const gg::real y = w * w;
    EXPECT_EQ(tape.gradient(y, {w})[0], 4.0);
    EXPECT_EQ(tape.size(), 2u);
  }
  EXPECT_EQ(tape.size(), 0u);
  // A real of the ended scope is stale: using it is an error, not a number.
  EXPECT_THROW((void)gg::real(w * 2.0), gg::tape_mismatch);
  EXPECT_THROW((void)tape.gradient(w, {w}), gg::tape_mismatch);
}

TEST(TapeRecordScope, ClearsTheTapeWhenAnExceptionLeavesTheScope) {
  gg::tape tape;
  try {
    auto step = tape.record();
    (void)tape.variable("w", 1.0);
    EXPECT_EQ(tape.size(), 1u);
    throw std::runtime_error("leaves the scope");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(tape.size(), 0u);
}

TEST(TapeRecordScope, ASecondScopeWhileOneIsOpenIsAnError) {
  gg::tape tape;
  {
    auto step = tape.record();
    (void)tape.variable("w", 1.0);
    try {
      auto inner = tape.record();
      FAIL() << "a second scope opened";
    } catch (const std::logic_error& e) {
      EXPECT_TRUE(has(e.what(),
                      "tape.record(): a recording scope of this tape is already open "
                      "(opened at scope_test.cpp:"))
          << e.what();
    }
    EXPECT_EQ(tape.size(), 1u);  // the failed scope cleared nothing
  }
  // Once the first has ended, the next one opens.
  for (int i = 0; i < 3; ++i) {
    auto step = tape.record();
    EXPECT_NEAR(scope_loss_gradient(tape, 0.5 + i), scope_loss_derivative(0.5 + i), 1e-12);
  }
  EXPECT_EQ(tape.size(), 0u);
}

// A tape destroyed inside its own scope: said and aborted, not a clear() of
// freed memory when the scope ends.
TEST(TapeRecordScopeDeathTest, ATapeDestroyedWhileItsScopeIsOpenAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto* tape = new gg::tape;
        auto step = tape->record();
        delete tape;
      },
      "gradguard: a gg::tape was destroyed while its tape.record\\(\\) scope \\(opened at "
      "scope_test.cpp:[0-9]+\\) was still open");
}

// A scope opened where the site is unknown (a default std::source_location):
// the message says nothing of where, rather than "(opened at )".
TEST(TapeRecordScopeDeathTest, AnUnknownSiteIsLeftOut) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto* tape = new gg::tape;
        auto step = tape->record(std::source_location());
        delete tape;
      },
      "gradguard: a gg::tape was destroyed while its tape.record\\(\\) scope was still open; "
      "make the scope inside");
  gg::tape tape;
  auto step = tape.record(std::source_location());
  try {
    auto inner = tape.record();
    FAIL() << "a second scope opened";
  } catch (const std::logic_error& e) {
    EXPECT_TRUE(has(e.what(), "a recording scope of this tape is already open; its end"))
        << e.what();
  }
}

TEST(TapeGrowthWarning, ALoopThatForgetsClearIsToldOnce) {
  const collected_warnings collected;
  gg::tape tape;
  for (int i = 0; i < 30; ++i) {
    const double w = 0.5 + 0.1 * i;
    EXPECT_NEAR(scope_loss_gradient(tape, w), scope_loss_derivative(w), 1e-12);
    // Warned at the 9th gradient (the 8th to find the tape grown), and only then.
    EXPECT_EQ(scope_warnings.size(), i < 8 ? 0u : 1u) << "after gradient " << i + 1;
  }
  ASSERT_EQ(scope_warnings.size(), 1u);
  const std::string& m = scope_warnings[0];
  EXPECT_TRUE(has(m,
                  "gradguard: warning: a gg::tape has grown between gradient calls 8 times "
                  "without clear(); it holds 18 values ("))
      << m;
  EXPECT_TRUE(has(m, "The variable 'w' (created at scope_test.cpp:")) << m;
  EXPECT_TRUE(has(m, ") has been created 9 times in this recording.")) << m;
  EXPECT_TRUE(has(m,
                  "Call tape.clear() at the start of each iteration, or make it a scope: "
                  "auto step = tape.record();"))
      << m;
  EXPECT_TRUE(has(m, "gg::set_tape_warning_handler")) << m;
  // Once per tape: a clear() and another forgetful loop do not repeat it.
  tape.clear();
  for (int i = 0; i < 20; ++i) (void)scope_loss_gradient(tape, 1.0);
  EXPECT_EQ(scope_warnings.size(), 1u);
  // Another tape is told again.
  gg::tape other;
  for (int i = 0; i < 9; ++i) (void)scope_loss_gradient(other, 1.0);
  EXPECT_EQ(scope_warnings.size(), 2u);
}

TEST(TapeGrowthWarning, NoWarningWhenEachIterationClears) {
  const collected_warnings collected;
  gg::tape tape;
  for (int i = 0; i < 30; ++i) {
    tape.clear();
    EXPECT_NEAR(scope_loss_gradient(tape, 0.1 * i), scope_loss_derivative(0.1 * i), 1e-12);
  }
  gg::tape scoped;
  for (int i = 0; i < 30; ++i) {
    auto step = scoped.record();
    EXPECT_NEAR(scope_loss_gradient(scoped, 0.1 * i), scope_loss_derivative(0.1 * i), 1e-12);
  }
  EXPECT_TRUE(scope_warnings.empty());
}

TEST(TapeGrowthWarning, NoWarningForManyGradientsOfOneRecording) {
  const collected_warnings collected;
  gg::tape tape;
  const gg::real w = tape.variable("w", 1.5);
  std::vector<gg::real> ys;
  for (int k = 1; k <= 30; ++k) ys.push_back(w * static_cast<double>(k) + gg::exp(w));
  for (int k = 1; k <= 30; ++k)
    EXPECT_NEAR(tape.gradient(ys[k - 1], {w})[0], k + std::exp(1.5), 1e-12);
  const std::vector<gg::real> xs{w};
  (void)tape.jacobian(ys, xs);
  EXPECT_TRUE(scope_warnings.empty());
}

TEST(TapeGrowthWarning, TheDefaultHandlerWritesToStderr) {
  // nullptr restores the default; the test's own handler comes back after.
  const gg::tape_warning_handler previous = gg::set_tape_warning_handler(nullptr);
  testing::internal::CaptureStderr();
  {
    gg::tape tape;
    for (int i = 0; i < 9; ++i) (void)scope_loss_gradient(tape, 1.0);
  }
  const std::string err = testing::internal::GetCapturedStderr();
  gg::set_tape_warning_handler(previous);
  EXPECT_TRUE(has(err, "gradguard: warning: a gg::tape has grown between gradient calls 8 times"))
      << err;
  EXPECT_EQ(err.back(), '\n');
}

}  // namespace
