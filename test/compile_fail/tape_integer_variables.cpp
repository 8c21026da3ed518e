// tape.variables with integer or bool values is a compile error, as
// tape.variable("n", 3) is (each was converted to a double and differentiated).
#include <gradguard/gradguard.hpp>

#include <vector>

namespace gg = gradguard;

int main() {
  gg::tape tape;
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to_argument<2, gradguard::reason::integer_or_boolean>
  // expected-error: the value is an integer or bool, which has no derivative
  // diagnostic-lines-at-most: 25
  const auto xs = tape.variables("x", std::vector<bool>{true, false});
#else
  const auto xs = tape.variables("x", std::vector<double>{1.0, 0.0});
#endif
  gg::real y = xs[0] * xs[1];
  return tape.gradient(y, xs)[0] == 0.0 ? 0 : 1;
}
