// Each thread records on its own tapes: several threads recording, clearing,
// creating and destroying tapes and taking gradients at once get the right
// numbers; a real of another thread's tape in an expression is a
// gg::tape_mismatch, and so is a tape used on a thread other than its own
// (GRADGUARD_CHECK_THREAD, on here whatever NDEBUG says).
#define GRADGUARD_CHECK_THREAD 1
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace gg = gradguard;

// A tape at namespace scope is destroyed at exit, in an order unrelated to
// the registry of live tapes that its destructor writes to: the registry
// holds only trivially destructible members (a std::vector of free slots was
// destroyed first with g++, and the tape's destructor wrote to freed memory;
// the sanitizer build catches that).
gg::tape namespace_scope_tape;
using registry = gg::detail::tape_registry<double>;
static_assert(std::is_trivially_destructible_v<decltype(registry::table)> &&
              std::is_trivially_destructible_v<decltype(registry::generation)> &&
              std::is_trivially_destructible_v<decltype(registry::free_slots)> &&
              std::is_trivially_destructible_v<decltype(registry::busy)> &&
              std::is_trivially_destructible_v<decltype(registry::epoch)> &&
              std::is_trivially_destructible_v<decltype(registry::last)>);

namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// GRADGUARD_CHECK_THREAD's thread numbers: one per thread, the same at every
// call on it, never another thread's.
TEST(ThreadNumber, IsOnePerThreadAndStable) {
  const auto here = gg::detail::this_thread_number();
  EXPECT_GT(here, 0u);
  EXPECT_EQ(gg::detail::this_thread_number(), here);
  std::vector<std::uint64_t> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&seen, i] {
      seen[i] = gg::detail::this_thread_number();
      EXPECT_EQ(gg::detail::this_thread_number(), seen[i]);
    });
  for (auto& t : threads) t.join();
  seen.push_back(here);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
}

struct result {
  double loss, dw, db;
};

// The loop of DESIGN.md on a tape, and by hand.
result taped(gg::tape& tape, double w0, double b0, const std::vector<double>& xs) {
  gg::real w = tape.variable("w", w0);
  gg::real b = tape.variable("b", b0);
  gg::real loss = 0.0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    gg::real r = w * xs[i] + b - 0.5;
    if (r > 0) loss += r * r + gg::exp(r * 0.1);
    else loss += gg::stop_gradient(r);
  }
  // (in some rounds no residual is positive: every path is cut, the gradient is 0)
  const auto g = tape.gradient(loss, {w, b}, gg::allow_unconnected);
  return {gg::value(loss), g[w], g[b]};
}

result by_hand(double w, double b, const std::vector<double>& xs) {
  result out{0, 0, 0};
  for (double x : xs) {
    const double r = w * x + b - 0.5;
    if (r > 0) {
      out.loss += r * r + std::exp(r * 0.1);
      const double d = 2 * r + 0.1 * std::exp(r * 0.1);
      out.dw += d * x;
      out.db += d;
    } else {
      out.loss += r;
    }
  }
  return out;
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * (1 + std::abs(b)); }

std::vector<double> data(int n) {
  std::vector<double> xs;
  for (int i = 0; i < n; ++i) xs.push_back(std::sin(0.37 * i) * 2);
  return xs;
}

TEST(TapeProcess, ATapeAtNamespaceScope) {
  namespace_scope_tape.clear();
  gg::real x = namespace_scope_tape.variable("x", 2.0);
  gg::real y = x * x;
  EXPECT_EQ(namespace_scope_tape.gradient(y, {x})[x], 4.0);
}

TEST(TapeThreads, EachThreadRecordsOnItsOwnTape) {
  constexpr int threads = 4, rounds = 5000;
  const auto xs = data(40);
  std::atomic<int> wrong{0}, done{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      gg::tape tape;  // reused with clear()
      for (int i = 0; i < rounds; ++i) {
        const double w = 0.5 * t - 0.8 + 0.001 * i, b = 0.25 - 0.0005 * i;
        tape.clear();
        const auto got = taped(tape, w, b, xs);
        const auto want = by_hand(w, b, xs);
        if (!close(got.loss, want.loss) || !close(got.dw, want.dw) || !close(got.db, want.db))
          ++wrong;
        ++done;
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(done.load(), threads * rounds);
  EXPECT_EQ(wrong.load(), 0);
}

// Tapes made and destroyed in every round, on every thread at once, two
// alive per thread: the tapes' ids (slots of a shared registry) stay apart.
TEST(TapeThreads, TapesMadeAndDestroyedConcurrently) {
  constexpr int threads = 4, rounds = 3000;
  const auto xs = data(10);
  std::atomic<int> wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < rounds; ++i) {
        gg::tape a;
        gg::tape b(gg::check_finite);
        const double w = 0.3 * t + 0.01 * i;
        const auto ra = taped(a, w, 0.1, xs);
        const auto rb = taped(b, -w, 0.2, xs);
        const auto wa = by_hand(w, 0.1, xs), wb = by_hand(-w, 0.2, xs);
        if (!close(ra.dw, wa.dw) || !close(ra.db, wa.db) || !close(rb.dw, wb.dw) ||
            !close(rb.db, wb.db))
          ++wrong;
      }
    });
  }
  for (auto& th : pool) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(TapeThreads, ARealOfAnotherThreadsTapeIsAMismatch) {
  std::promise<gg::real> made;
  std::promise<void> finish;
  std::shared_future<void> finished = finish.get_future().share();
  std::thread owner([&] {
    gg::tape theirs;
    made.set_value(theirs.variable("theirs", 1.5));
    finished.wait();  // the tape lives until the main thread is done with it
  });
  const gg::real foreign = made.get_future().get();
  gg::tape mine;
  gg::real w = mine.variable("w", 0.5);
  try {
    gg::real z = w * foreign + 1.0;
    static_cast<void>(z);
    ADD_FAILURE() << "no gg::tape_mismatch";
  } catch (const gg::tape_mismatch& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("'theirs' (created at thread_test.cpp:"),
                                HasSubstr("belongs to another tape"),
                                HasSubstr("each thread records on its own tape")));
  }
  gg::real acc = w;
  EXPECT_THROW(acc += foreign, gg::tape_mismatch);
  EXPECT_EQ(acc.index(), w.index());  // the failed statement changed nothing
  // as a requested variable it is a mismatch too, not a missing gradient
  gg::real y = w * 2.0;
  EXPECT_THROW(mine.gradient(y, {w, foreign}), gg::tape_mismatch);
  EXPECT_THROW(mine.gradient(y, {w, foreign}, gg::allow_unconnected), gg::tape_mismatch);
  EXPECT_EQ(mine.gradient(y, {w})[w], 2.0);
  finish.set_value();
  owner.join();
  // the other thread's tape is gone now
  try {
    gg::real z = w * foreign;
    static_cast<void>(z);
    ADD_FAILURE() << "no gg::tape_mismatch";
  } catch (const gg::tape_mismatch& e) {
    EXPECT_THAT(e.what(), HasSubstr("cleared or destroyed"));
  }
}

// A tape used on another thread is reported at its entry points (a tape
// used by two threads at once corrupted its memory, with no diagnosis).
// Nothing is recorded by the refused calls.
TEST(TapeThreads, ATapeUsedOnAnotherThreadIsReported) {
  gg::tape tape;
  gg::real x = tape.variable("x", 2.0);
  gg::real y = x * x;
  const std::size_t recorded = tape.size();
  std::vector<std::string> messages;
  std::thread other([&] {
    const auto refused = [&](auto&& f) {
      try {
        f();
        messages.emplace_back("no exception");
      } catch (const gg::tape_mismatch& e) {
        messages.emplace_back(e.what());
      }
    };
    refused([&] { tape.variable("w", 1.0); });
    refused([&] { tape.variables("v", std::vector<double>{1.0, 2.0}); });
    refused([&] { tape.gradient(y, {x}); });
    refused([&] { tape.jacobian(std::vector<gg::real>{y}, std::vector<gg::real>{x}); });
    refused([&] { tape.clear(); });
  });
  other.join();
  ASSERT_EQ(messages.size(), 5u);
  const char* calls[] = {"tape.variable on thread", "tape.variables on thread",
                         "tape.gradient on thread", "tape.jacobian on thread",
                         "tape.clear() on thread"};
  // The threads by their numbers: this one made the tape, the other used it.
  const std::string here = "#" + std::to_string(gg::detail::this_thread_number());
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_THAT(messages[i], AllOf(StartsWith(std::string("gradguard: ") + calls[i]),
                                   HasSubstr("was made on thread " + here + ","),
                                   HasSubstr("fix: use one tape per thread")));
    EXPECT_THAT(messages[i], Not(HasSubstr(calls[i] + (" " + here + ":"))));
  }
  EXPECT_EQ(tape.size(), recorded);
  EXPECT_EQ(tape.gradient(y, {x})[x], 4.0);  // its own thread: fine
}

}  // namespace
