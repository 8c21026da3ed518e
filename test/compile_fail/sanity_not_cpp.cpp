// Sanity check of the harness: the negative branch is not C++ at all, so it
// must fail. If this test fails, the macro is not reaching the compiler.
#include <gradguard/gradguard.hpp>

int main() {
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: sanity_not_cpp\.cpp:\d+:\d+: error:
  // diagnostic-lines-at-most: 10
  This line is not C++ at all.
#endif
}
