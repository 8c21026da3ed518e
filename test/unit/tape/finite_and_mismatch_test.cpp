// The tape's run-time diagnoses besides missing gradients, checked against
// their messages: gg::tape_mismatch (two tapes, or a real used after its tape
// was cleared or destroyed) and gg::check_finite's report of the first NaN or
// infinite adjoint (gg::non_finite_adjoint); an untaken select branch cannot
// make NaN. (Split from diagnostics_test.cpp to keep each under 15 s to compile.)
// Every gg::tape made without arguments checks finiteness here.
#define GRADGUARD_CHECK_FINITE 1
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "messages.hpp"

#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace gg = gradguard;

namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::StartsWith;

using tape_messages::created;
using tape_messages::missing;
using tape_messages::site;

template <class F>
std::optional<gg::tape_mismatch> mismatch(F&& f) {
  try {
    f();
  } catch (const gg::tape_mismatch& e) {
    return e;
  }
  return std::nullopt;
}

void dense_matrix_check(const gg::dense_matrix<double>& j, const std::vector<double>& column) {
  ASSERT_EQ(j.rows, column.size());
  ASSERT_EQ(j.cols, 1u);
  for (std::size_t r = 0; r < j.rows; ++r) EXPECT_NEAR(j(r, 0), column[r], 1e-12) << r;
}

template <class F>
std::optional<gg::non_finite_adjoint> non_finite(F&& f) {
  try {
    f();
  } catch (const gg::non_finite_adjoint& e) {
    return e;
  }
  return std::nullopt;
}

static_assert(std::is_base_of_v<std::logic_error, gg::tape_mismatch>);
static_assert(std::is_base_of_v<std::runtime_error, gg::non_finite_adjoint>);

// ---- Two tapes in one computation ----------------------------------------------

TEST(TapeRuntimeDiagnostics, OneExpressionMixingTwoTapes) {
  gg::tape tape;
  gg::tape other;
  gg::real w = tape.variable("w", 0.5);
  const int o_line = __LINE__ + 1;  // the next line
  gg::real o = other.variable("o", 1.0);
  const auto e = mismatch([&] { [[maybe_unused]] gg::real z = w * o; });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), AllOf(StartsWith("gradguard: a computation mixes gg::real values of two "),
                               HasSubstr("'o'" + created(o_line) + " belongs to another tape"),
                               HasSubstr("each thread records on its own tape")));
  gg::real acc = w;
  EXPECT_TRUE(mismatch([&] { acc += o * 2.0; }));
  EXPECT_TRUE(mismatch([&] { acc = gg::select(o > 0, w, 1.0); }));
  EXPECT_TRUE(mismatch([&] { [[maybe_unused]] gg::real z = gg::exp(w) + gg::sin(o); }));
  // each tape alone still records
  gg::real y = w * 2.0;
  gg::real z = o * 3.0;
  EXPECT_EQ(tape.gradient(y, {w})[w], 2.0);
  EXPECT_EQ(other.gradient(z, {o})[o], 3.0);
}

TEST(TapeRuntimeDiagnostics, TheGradientOfAResultOfAnotherTape) {
  gg::tape tape;
  gg::tape other;
  gg::real w = tape.variable("w", 0.5);
  gg::real o = other.variable("o", 1.0);
  gg::real z = o * 3.0;
  const auto e = mismatch([&] { tape.gradient(z, {w}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("y was not recorded by this tape"));
}

TEST(TapeRuntimeDiagnostics, ARealUsedAfterItsTapeWasCleared) {
  gg::tape tape;
  gg::real old = tape.variable("w", 0.5);
  tape.clear();
  gg::real w = tape.variable("w", 0.5);
  auto e = mismatch([&] { [[maybe_unused]] gg::real z = old * 2.0; });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("after its tape was cleared or destroyed"));
  e = mismatch([&] { [[maybe_unused]] gg::real z = w * old; });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("was recorded on this tape before tape.clear()"));
  EXPECT_TRUE(mismatch([&] { [[maybe_unused]] gg::real z = gg::floor(old); }));
  gg::real y = w * 2.0;
  // a requested variable recorded before the clear: a mismatch, not a
  // missing gradient, and never a silent 0
  for (const bool allow : {false, true}) {
    const auto m = mismatch([&] {
      if (allow) tape.gradient(y, {w, old}, gg::allow_unconnected);
      else tape.gradient(y, {w, old});
    });
    ASSERT_TRUE(m);
    EXPECT_THAT(m->what(), AllOf(StartsWith("gradguard: tape.gradient(y, xs): a gg::real"),
                                 HasSubstr("before tape.clear()")));
  }
  // an output recorded before the clear
  const auto o = mismatch([&] { tape.gradient(old, {w}); });
  ASSERT_TRUE(o);
  EXPECT_THAT(o->what(), AllOf(HasSubstr("y was not recorded by this tape since its last clear()"),
                               HasSubstr("before tape.clear()")));
}

TEST(TapeRuntimeDiagnostics, ARealOfADestroyedTape) {
  gg::real old;
  {
    gg::tape gone;
    old = gone.variable("w", 0.5);
  }
  const auto e = mismatch([&] { [[maybe_unused]] gg::real z = old * 2.0; });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("after its tape was cleared or destroyed"));
  EXPECT_EQ(old.tape(), nullptr);
}

// The active tape (the calling thread's last tape found, tape_registry::last)
// must not outlive a clear() or its tape: a real that found its tape a
// statement before either is looked up again, and found stale. Without the
// epoch these recorded silently onto the new recording (clear) or onto the
// tape built at the same address (destruction).
TEST(TapeRuntimeDiagnostics, TheActiveTapeIsForgottenAtClear) {
  gg::tape tape;
  gg::real old = tape.variable("w", 0.5);
  gg::real before = old * 3.0;  // old's tape is now the active one
  EXPECT_EQ(before.tape(), &tape);
  tape.clear();
  gg::real w = tape.variable("w", 0.25);
  gg::real v = tape.variable("v", 0.75);  // old's index is inside the new recording
  ASSERT_LT(old.index(), tape.size());
  const auto e = mismatch([&] { [[maybe_unused]] gg::real z = old * 2.0; });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("after its tape was cleared or destroyed"));
  EXPECT_EQ(old.tape(), nullptr);
  gg::real y = w * v;  // the live recording still records and sweeps
  EXPECT_EQ(tape.gradient(y, {w, v})[w], 0.75);
}

TEST(TapeRuntimeDiagnostics, TheActiveTapeIsForgottenWhenItsTapeIsDestroyed) {
  std::optional<gg::tape> slot;  // the next tape is built at the same address
  slot.emplace();
  gg::real old = slot->variable("w", 0.5);
  gg::real before = old * 3.0;
  const gg::tape* first = before.tape();
  slot.reset();
  slot.emplace();
  ASSERT_EQ(&*slot, first);
  gg::real w = slot->variable("w", 0.25);
  ASSERT_LT(old.index(), slot->size());
  const auto e = mismatch([&] { [[maybe_unused]] gg::real z = old * 2.0; });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), HasSubstr("after its tape was cleared or destroyed"));
  EXPECT_EQ(old.tape(), nullptr);
  EXPECT_EQ(slot->gradient(w * w, {w})[w], 0.5);
}

// ---- gg::check_finite ------------------------------------------------------------

TEST(TapeRuntimeDiagnostics, CheckFiniteNamesTheStatementItsLineAndItsOperands) {
  gg::tape tape(gg::check_finite);
  const int q_line = __LINE__ + 1;  // the next line
  gg::real q = tape.variable("q", 0.0);
  gg::real w = tape.variable("w", 2.0);
  const int line = __LINE__ + 1;  // the next line
  gg::real y = gg::sqrt(q) * w;
  const auto e = non_finite([&] { tape.gradient(y, {q, w}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), AllOf(StartsWith("gradguard: the adjoint of 'q'" + created(q_line) +
                                          " became inf in the reverse sweep"),
                               HasSubstr("`sqrt(a) * b` recorded at " + site(line)),
                               HasSubstr("with operand values a = 0, b = 2"),
                               HasSubstr("the partial derivative with respect to 'q' is inf"),
                               HasSubstr("gg::select")));
}

TEST(TapeRuntimeDiagnostics, CheckFiniteInACompoundAssignmentAndForNaN) {
  gg::tape tape(gg::check_finite);
  gg::real q = tape.variable("q", -1.0);
  gg::real y = q * 2.0;
  const int line = __LINE__ + 1;
  y += gg::sqrt(q);
  const auto e = non_finite([&] { tape.gradient(y, {q}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(),
              AllOf(ContainsRegex("became -?nan in the reverse sweep"), HasSubstr("`a + sqrt(b)`"),
                    HasSubstr("recorded at " + site(line)), HasSubstr("a = -2, b = -1")));
}

TEST(TapeRuntimeDiagnostics, CheckFiniteReportsAnOverflowingProduct) {
  gg::tape tape(gg::check_finite);
  gg::real w = tape.variable("w", 1e-300);
  const int t_line = __LINE__ + 1;  // the next line
  gg::real t = w * 1e300;           // 1
  gg::real y = t * 1e300;
  ASSERT_TRUE(std::isfinite(gg::value(y)));
  const auto e = non_finite([&] { tape.gradient(y, {w}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(),
              AllOf(HasSubstr("the adjoint of 'w'"), HasSubstr("became inf"),
                    HasSubstr("`a * k` recorded at " + site(t_line)),
                    HasSubstr("the incoming adjoint is 1e+300"), HasSubstr("product overflowed")));
}

TEST(TapeRuntimeDiagnostics, GradguardCheckFiniteTurnsItOnByDefault) {
  gg::tape tape;
  EXPECT_TRUE(tape.checks_finite());
  gg::real q = tape.variable("q", 0.0);
  gg::real y = gg::sqrt(q) * 2.0;
  EXPECT_THROW(tape.gradient(y, {q}), gg::non_finite_adjoint);
}

TEST(TapeRuntimeDiagnostics, WithoutCheckFiniteTheInfiniteGradientIsReturned) {
  gg::tape tape(gg::check_finite, false);
  gg::real q = tape.variable("q", 0.0);
  gg::real y = gg::sqrt(q) * 2.0;
  std::optional<gg::tape_gradient<double>> g;
  ASSERT_NO_THROW(g = tape.gradient(y, {q}));
  EXPECT_TRUE(std::isinf((*g)[q]));
  EXPECT_GT((*g)[q], 0);
}

// select sends no adjoint into the branch it did not take: log(x) at x <= 0,
// whose value and partial are not finite there, cannot make NaN.
// Only adjoints that reach a requested variable are reported: 'c' is not
// requested, and the gradient with respect to 'x' is finite and right.
TEST(TapeRuntimeDiagnostics, CheckFiniteIgnoresANonFiniteAdjointThatReachesNoRequestedVariable) {
  gg::tape tape(gg::check_finite);
  gg::real x = tape.variable("x", 3.0);
  gg::real c = tape.variable("c", 0.0);
  gg::real y = x * x + gg::sqrt(c);  // d/dc is inf: not asked for
  gg::real u = gg::sqrt(c);          // in a statement of its own
  gg::real z = gg::exp(x) + u * 2.0;
  std::optional<gg::tape_gradient<double>> g;
  ASSERT_NO_THROW(g = tape.gradient(y, {x}));
  EXPECT_EQ((*g)[x], 6.0);
  ASSERT_NO_THROW(g = tape.gradient(z, {x}));
  EXPECT_NEAR((*g)[x], std::exp(3.0), 1e-12);
  const std::vector<gg::real> ys{y, z};
  const std::vector<gg::real> xs{x};
  dense_matrix_check(tape.jacobian(ys, xs), {6.0, std::exp(3.0)});
  // asked for: reported, at the statement that made it
  const auto e = non_finite([&] { tape.gradient(z, {x, c}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), AllOf(HasSubstr("the adjoint of 'c'"), HasSubstr("`sqrt(a)`")));
  EXPECT_TRUE(non_finite([&] { tape.gradient(y, {c, x}, gg::allow_unconnected); }));
}

// A NaN value on a differentiable path to the result is reported even when
// every adjoint is finite (log(-1) has the partial -1); one that does not
// reach the result (the branch a select did not take, a value not used) is not.
TEST(TapeRuntimeDiagnostics, CheckFiniteReportsANonFiniteValueOnThePathToTheResult) {
  gg::tape tape(gg::check_finite);
  gg::real x = tape.variable("x", -1.0);
  const int line = __LINE__ + 1;  // the next line
  gg::real q = gg::log(x) * 2.0;
  gg::real y = gg::max(q, 1.0);  // max(NaN, 1) is NaN
  auto e = non_finite([&] { tape.gradient(y, {x}); });
  ASSERT_TRUE(e);
  EXPECT_THAT(e->what(), AllOf(StartsWith("gradguard: the value of statement #1 `log(a) * k` "
                                          "recorded at " +
                                          site(line)),
                               ContainsRegex("a = -1 is -?nan, and it reaches the result"),
                               HasSubstr("keep its input inside the domain")));
  e = non_finite([&] { tape.gradient(q, {x}); });
  ASSERT_TRUE(e);
  // not on the path: no report, the gradient is right
  gg::real w = tape.variable("w", 2.0);
  [[maybe_unused]] gg::real unused = gg::log(x);
  gg::real s = gg::select(x > 0, gg::log(x), w * w);
  std::optional<gg::tape_gradient<double>> g;
  ASSERT_NO_THROW(g = tape.gradient(s, {w}));
  EXPECT_EQ((*g)[w], 4.0);
  // without check_finite: the number comes back, as documented
  gg::tape plain(gg::check_finite, false);
  gg::real px = plain.variable("x", -1.0);
  gg::real py = gg::log(px) * 2.0;
  EXPECT_EQ(plain.gradient(py, {px})[px], -2.0);
}

TEST(TapeRuntimeDiagnostics, AnUntakenBranchCannotMakeNaN) {
  for (const double x0 : {-1.0, 0.0}) {
    SCOPED_TRACE(x0);
    gg::tape tape(gg::check_finite);
    gg::real x = tape.variable("x", x0);
    gg::real y = gg::select(x > 0, gg::log(x), 0.0) + x;  // one statement
    gg::real l = gg::log(x);                              // its own statement
    gg::real z = gg::select(x > 0, l, 0.0) + x * 2.0;
    EXPECT_EQ(gg::value(y), x0);
    std::optional<gg::tape_gradient<double>> g;
    ASSERT_NO_THROW(g = tape.gradient(y, {x}));
    EXPECT_EQ((*g)[x], 1.0);
    ASSERT_NO_THROW(g = tape.gradient(z, {x}));
    EXPECT_EQ((*g)[x], 2.0);
    // alone, x reaches it only through the untaken branch and the condition
    gg::real s = gg::select(x > 0, gg::log(x), 0.0);
    const auto e = missing([&] { tape.gradient(s, {x}); });
    ASSERT_TRUE(e);
    // (it is in the condition too: either reason is right)
    EXPECT_THAT(e->variables().at(0).reason,
                ::testing::AnyOf(gg::missing_reason::untaken_branch,
                                 gg::missing_reason::non_differentiable));
    ASSERT_NO_THROW(g = tape.gradient(s, {x}, gg::allow_unconnected));
    EXPECT_EQ((*g)[x], 0.0);
  }
}

// A real outlives 65536 clear()s (once the number at which a 16-bit
// generation came round again), its index past the new recording: it is
// recognised as stale, never read past the arrays.
TEST(TapeRuntimeDiagnostics, AStaleRealAfterTheGenerationWrapsIsRejected) {
  gg::tape tape;
  gg::real w = tape.variable("w", 1.0);
  for (int i = 0; i < 9; ++i) w = w * 1.5;
  for (int i = 0; i < 65536; ++i) tape.clear();
  gg::real v = tape.variable("v", 2.0);
  try {
    [[maybe_unused]] gg::real y = v * w;
    FAIL() << "expected gg::tape_mismatch";
  } catch (const gg::tape_mismatch& e) {
    EXPECT_THAT(e.what(), HasSubstr("is used after its tape was cleared or destroyed"));
  }
  try {
    tape.gradient(w, {v});
    FAIL() << "expected gg::tape_mismatch";
  } catch (const gg::tape_mismatch& e) {
    EXPECT_THAT(e.what(), HasSubstr("was recorded on this tape before tape.clear()"));
  }
}

// A real outlives 65536 clear()s at the same index as a variable of the new
// recording. With 16-bit generations the id came round again: the stale 3.0
// aliased 'v' and the gradient of v * v with respect to it came back as 4,
// silently. No id is reissued within a process.
TEST(TapeRuntimeDiagnostics, AStaleRealAtALiveIndexIsRejectedAfterManyClears) {
  gg::tape tape;
  const gg::real w = tape.variable("w", 3.0);
  const auto check = [&](int clears) {
    SCOPED_TRACE(clears);
    gg::real v = tape.variable("v", 2.0);  // index 0, as w
    ASSERT_EQ(v.index(), w.index());
    EXPECT_NE(v.tape_id(), w.tape_id());
    EXPECT_EQ(w.tape(), nullptr);
    gg::real y = v * v;
    EXPECT_TRUE(mismatch([&] { tape.gradient(y, {w}); }));
    EXPECT_TRUE(mismatch([&] { tape.gradient(y, {w}, gg::allow_unconnected); }));
    const auto e = mismatch([&] { [[maybe_unused]] gg::real z = v * w; });
    ASSERT_TRUE(e);
    EXPECT_THAT(e->what(), HasSubstr("was recorded on this tape before tape.clear()"));
  };
  for (int i = 1; i <= 70000; ++i) {
    tape.clear();
    if (i == 65536 || i == 70000) check(i);
  }
}

// The last generation of a slot: clear() moves the tape to a fresh slot and
// retires this one (never given out again), so the reals of the last
// recording are stale, not aliases of a later one.
TEST(TapeRuntimeDiagnostics, ASlotWhoseGenerationsRunOutIsRetired) {
  using registry = gg::detail::tape_registry<double>;
  std::optional<gg::tape> tape(std::in_place);
  gg::detail::tape_test_access::set_generation(*tape, registry::last_generation - 1);
  const auto slot = registry::slot_of(tape->id());
  tape->clear();  // the last generation
  EXPECT_EQ(registry::generation_of(tape->id()), registry::last_generation);
  const gg::real w = tape->variable("w", 3.0);
  ASSERT_EQ(w.tape(), &*tape);
  tape->clear();  // past it
  EXPECT_NE(registry::slot_of(tape->id()), slot);
  gg::real v = tape->variable("v", 2.0);
  gg::real y = v * v;
  EXPECT_EQ(w.tape(), nullptr);
  EXPECT_TRUE(mismatch([&] { tape->gradient(y, {w}); }));
  EXPECT_TRUE(mismatch([&] { tape->gradient(y, {w}, gg::allow_unconnected); }));
  EXPECT_TRUE(mismatch([&] { [[maybe_unused]] gg::real z = v * w; }));
  // Destroyed and made again: the retired slot is not among the free ones.
  tape.reset();
  const gg::tape other;
  EXPECT_NE(registry::slot_of(other.id()), slot);
  EXPECT_EQ(w.tape(), nullptr);
}

}  // namespace
