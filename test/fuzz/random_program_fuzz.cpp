// libFuzzer target: the fuzzer's input chooses a random program
// (test/unit/tape/random_program.hpp, two bytes per choice); the program runs
// on doubles (finite differences), on the tape and in forward mode, and the
// gradients must agree (random_program_check.hpp). A disagreement, an
// exception or a sanitizer report stops the fuzzer with the program printed.
// Built with clang++ and -Dfuzz=enabled; the `fuzz` suite runs it for a
// bounded time from the seed corpus in test/fuzz/corpus.
#include "../unit/tape/random_program_check.hpp"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace random_programs;
  static gg::tape checked_tape(gg::check_finite);
  static gg::tape plain_tape(gg::check_finite, false);
  static tally t;
  generator<byte_choices> gen{{data, size}};
  const program p = gen.make();
  const std::string failure = check_program(p, size % 2 ? checked_tape : plain_tape, t);
  if (!failure.empty()) {
    std::fprintf(stderr, "gradients disagree:\n%s", failure.c_str());
    std::abort();
  }
  return 0;
}
