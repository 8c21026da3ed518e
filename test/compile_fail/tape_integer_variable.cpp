// tape.variable with an integer or bool value is a compile error, as an
// integer variable or argument is in the other engines (it was converted to
// a double and differentiated); a floating value is a variable.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  gg::tape tape;
  gg::real x = tape.variable("x", 2.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to_argument<2, gradguard::reason::integer_or_boolean>
  // expected-error: tape.variable\(name, value\): the value is an integer or bool, which has no derivative
  // diagnostic-lines-at-most: 25
  gg::real n = tape.variable("n", 3);
#else
  gg::real n = tape.variable("n", 3.0);
#endif
  gg::real y = gg::pow(x, n);
  return tape.gradient(y, {x, n})[x] == 12.0 ? 0 : 1;
}
