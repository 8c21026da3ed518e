// gg::value_and_grad with an integer argument: it becomes an integer
// variable, which has no derivative.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  auto fn = [](auto a, auto n) { return a * n; };
  [[maybe_unused]] auto ok = gg::value_and_grad(fn, 2.0, 3.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to_argument<2, gradguard::reason::integer_or_boolean>
  // expected-error: is an integer or bool, which has no derivative; fix: pass a floating value
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto r = gg::value_and_grad(fn, 2.0, 3);
#endif
}
