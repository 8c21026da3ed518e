// The tape's memory: clear() and reuse give identical results with the same
// statement data, a steady-state recording and sweep allocate nothing (the
// arena is kept), and the bytes one statement costs.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include "replaced_new.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <span>
#include <string>
#include <vector>

namespace gg = gradguard;

using replaced_new::allocations;  // counted for the steady-state test

namespace {

// Every test runs with and without gg::check_finite: the two have separate sweeps.
class TapeMemory : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Sweep, TapeMemory, ::testing::Bool(), [](const auto& info) {
  return std::string(info.param ? "check_finite" : "unchecked");
});

// A recording with variables, sums, products, functions, a branch and a cut.
struct recorded {
  gg::real w, b, loss;
};
recorded record_program(gg::tape& tape, double w0) {
  gg::real w = tape.variable("w", w0);
  gg::real b = tape.variable("b", 0.25);
  gg::real loss = 0.0;
  for (int i = 0; i < 20; ++i) {
    gg::real r = w * static_cast<double>(i) * 0.1 - b;
    if (r > 0) loss += gg::log1p(r * r);
    else loss -= gg::stop_gradient(r) * gg::tanh(b);
  }
  return {w, b, loss};
}

TEST_P(TapeMemory, ClearAndReuseGiveIdenticalResults) {
  gg::tape tape(gg::check_finite, GetParam());
  auto first = record_program(tape, 0.75);
  const auto g_first = tape.gradient(first.loss, {first.w, first.b}).values();
  const auto stats_first = tape.statistics();
  const std::size_t size_first = tape.size();
  EXPECT_EQ(stats_first.statements, size_first);
  EXPECT_GT(size_first, 20u);
  for (int round = 0; round < 5; ++round) {
    tape.clear();
    EXPECT_EQ(tape.size(), 0u);
    EXPECT_EQ(tape.statistics().statements, 0u);
    EXPECT_EQ(tape.statistics().bytes, 0u);
    auto again = record_program(tape, 0.75);
    EXPECT_EQ(tape.size(), size_first);
    EXPECT_EQ(tape.statistics().bytes, stats_first.bytes);
    EXPECT_EQ(tape.statistics().operands, stats_first.operands);
    EXPECT_EQ(tape.statistics().unit_operands, stats_first.unit_operands);
    EXPECT_EQ(gg::value(again.loss), gg::value(first.loss));
    EXPECT_EQ(tape.gradient(again.loss, {again.w, again.b}).values(), g_first);
  }
  // a fresh tape gives the same numbers as the reused one
  gg::tape fresh(gg::check_finite, GetParam());
  auto other = record_program(fresh, 0.75);
  EXPECT_EQ(fresh.gradient(other.loss, {other.w, other.b}).values(), g_first);
}

// Once a tape has grown, recording, clear() and gradients into caller
// storage allocate nothing: the arena is kept.
TEST_P(TapeMemory, SteadyStateAllocatesNothing) {
  gg::tape tape(gg::check_finite, GetParam());
  std::array<gg::real, 3> x;
  std::array<double, 3> out{};
  const std::array<double, 3> x0{0.5, -0.25, 1.5};
  auto run = [&] {
    tape.clear();
    tape.variables("x", x0, std::span<gg::real>(x));
    gg::real k = tape.variable("k", 2.0);
    gg::real s = 0.0;
    for (int i = 0; i < 500; ++i) {
      gg::real t = x[static_cast<std::size_t>(i) % 3] * k + gg::exp(x[1] * 0.01);
      if (t > 0.5) s += t * x[0];
      else s -= gg::stop_gradient(t) + gg::select(x[2] > 0, x[2], 0.0);
    }
    std::array<gg::real, 3> request = x;
    tape.gradient(s, request, std::span<double>(out));
  };
  run();  // grows
  run();
  const auto before = out;
  const long start = allocations.load();
  for (int i = 0; i < 10; ++i) run();
  const long used = allocations.load() - start;
  EXPECT_EQ(used, 0) << "allocations in 10 steady-state recordings and sweeps";
  EXPECT_EQ(out, before);
}

// statistics() counts what a variable really costs: its statement (4 B) and
// a record of its name and line (32 B on x86-64) with the name's characters;
// tape.variables shares one record among its elements (it said 4 B for all).
TEST_P(TapeMemory, BytesPerVariable) {
  gg::tape tape(gg::check_finite, GetParam());
  const std::size_t info = GetParam() ? 24 : 0;  // check_finite: text, line
  const auto empty = tape.statistics();
  [[maybe_unused]] gg::real w = tape.variable("w", 1.0);
  const auto one = tape.statistics();
  EXPECT_EQ(one.bytes - empty.bytes, 4 + 32 + 1 + info);
  [[maybe_unused]] const auto xs = tape.variables("xs", std::vector<double>(1000, 0.5));
  const auto many = tape.statistics();
  EXPECT_EQ(many.bytes - one.bytes, (4 + info) * 1000 + 32 + 2);
}

// 4-byte statement + two 4-byte unit operands (the running sum and x[i]).
TEST_P(TapeMemory, BytesPerOperationOfASum) {
  gg::tape tape(gg::check_finite, GetParam());
  const std::vector<gg::real> x = tape.variables("x", std::vector<double>(1001, 0.5));
  gg::real s = x[0];
  s += x[1];  // s is a recorded value from here on
  const auto before = tape.statistics();
  for (std::size_t i = 2; i < x.size(); ++i) s += x[i];
  const auto after = tape.statistics();
  const std::size_t n = x.size() - 2;
  EXPECT_EQ(after.statements - before.statements, n);
  EXPECT_EQ(after.unit_operands - before.unit_operands, 2 * n);
  EXPECT_EQ(after.operands - before.operands, 0u);
  // with check_finite: per statement, its text, line and first operand (24 B)
  // and the values of its two operands
  EXPECT_EQ(after.bytes - before.bytes, 12 * n + (GetParam() ? (24 + 16) * n : 0));
  EXPECT_EQ(gg::value(s), 500.5);
  EXPECT_EQ(tape.gradient(s, x).values(), std::vector<double>(x.size(), 1.0));
}

// 4-byte statement + two (4-byte index, 8-byte partial) operands.
TEST_P(TapeMemory, BytesPerOperationOfAProduct) {
  gg::tape tape(gg::check_finite, GetParam());
  const std::vector<gg::real> x = tape.variables("x", std::vector<double>(101, 1.0));
  gg::real p = x[0];
  p *= x[1];
  const auto before = tape.statistics();
  for (std::size_t i = 2; i < x.size(); ++i) p *= x[i];
  const auto after = tape.statistics();
  const std::size_t n = x.size() - 2;
  EXPECT_EQ(after.statements - before.statements, n);
  EXPECT_EQ(after.unit_operands - before.unit_operands, 0u);
  EXPECT_EQ(after.operands - before.operands, 2 * n);
  EXPECT_EQ(after.bytes - before.bytes, 28 * n + (GetParam() ? (24 + 16) * n : 0));
  EXPECT_EQ(tape.gradient(p, x).values(), std::vector<double>(x.size(), 1.0));
}

}  // namespace
