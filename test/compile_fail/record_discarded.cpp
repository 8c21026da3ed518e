// tape.record() returns the scope that clears the tape when it ends: a call
// whose result is dropped ends that scope at once. It is a [[nodiscard]]
// warning that says so (an error with -Werror; made one here by the pragma).
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  gg::tape tape;
#ifdef GRADGUARD_COMPILE_FAIL
#pragma GCC diagnostic error "-Wunused-result"
  // expected-first-error: tape.record\(\) returns the scope that clears the tape when it ends: name it, as in auto step = tape.record\(\);, or the scope ends at once
  // diagnostic-lines-at-most: 15
  tape.record();
#else
  auto step = tape.record();
#endif
  gg::real x = tape.variable("x", 2.0);
  gg::real y = x * x;
  return tape.gradient(y, {x})[x] == 4.0 ? 0 : 1;
}
