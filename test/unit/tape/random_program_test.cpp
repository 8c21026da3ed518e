// Ten thousand seeded random programs (random_program.hpp) checked on the
// tape and in forward mode against finite differences
// (random_program_check.hpp). The libFuzzer target test/fuzz/ runs the same
// check on programs its input chooses.
#include "random_program_check.hpp"

#include <gtest/gtest.h>

#include <iostream>

namespace {

using namespace random_programs;

TEST(TapeRandomPrograms, GradientsMatchFiniteDifferences) {
  tally t;
  const std::uint64_t seeds[] = {1, 2, 3, 4};
  for (const std::uint64_t seed : seeds) {
    generator<seeded_choices> gen{{std::mt19937_64(seed)}};
    gg::tape checked_tape(gg::check_finite);
    gg::tape plain_tape(gg::check_finite, false);
    for (int i = 0; i < 2500; ++i) {
      const program p = gen.make();
      SCOPED_TRACE("seed " + std::to_string(seed) + ", program " + std::to_string(i));
      const std::string failure = check_program(p, i % 2 ? checked_tape : plain_tape, t);
      if (!failure.empty() && t.failures <= 5) ADD_FAILURE() << failure;
    }
  }
  std::cout << "random programs: " << t.generated << " generated, " << t.checked
            << " checked against finite differences on the tape and forward (" << t.active
            << " with a derivative of magnitude > 1e-3, " << t.missing_checked
            << " with a missing gradient), skipped: " << t.branch_flips
            << " branch changes within the step, " << t.huge << " too large, " << t.curved
            << " curving too much for the step; largest error / tolerance " << t.worst
            << "; missing gradients by reason (unused, stop_gradient, non_differentiable, "
               "untaken_branch):";
  for (std::size_t r = 0; r < 4; ++r) std::cout << " " << t.reasons[r];
  std::cout << "\n";
  RecordProperty("programs_checked", t.checked);
  RecordProperty("programs_with_a_nonzero_gradient", t.active);
  EXPECT_EQ(t.failures, 0);
  EXPECT_GE(t.checked, 2000);
  EXPECT_GE(t.active, 2000);
  EXPECT_GE(t.missing_checked, 20);
  // the control flow and the diagnoses were exercised
  EXPECT_GE(t.if_taken, 500);
  EXPECT_GE(t.if_not_taken, 500);
  EXPECT_GE(t.no_trip, 500);
  EXPECT_GE(t.trips, 500);
  EXPECT_GE(t.reasons[static_cast<std::size_t>(gg::missing_reason::absent)], 100);
  EXPECT_GE(t.reasons[static_cast<std::size_t>(gg::missing_reason::non_differentiable)], 20);
  EXPECT_GE(t.reasons[static_cast<std::size_t>(gg::missing_reason::untaken_branch)], 20);
  for (std::size_t k = 0; k < t.kinds.size(); ++k)
    EXPECT_GE(t.kinds[k], 100) << "statement kind or control " << k << " is rarely checked";
}

}  // namespace
