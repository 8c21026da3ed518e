// gg::value_and_grad<gg::forward> with an integer argument is a compile error
// naming its position, the same error and message as with the static engine
// and the tape; gg::nondiff passes it.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  auto power = [](auto x, auto n) { return gg::pow(x, n); };
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to_argument<2, gradguard::reason::integer_or_boolean>
  // expected-error: is an integer or bool, which has no derivative; fix: pass a floating value .* or pass it as gg::nondiff\(arg\)
  // diagnostic-lines-at-most: 25
  auto r = gg::value_and_grad<gg::forward>(power, 2.0, 3);
#else
  auto r = gg::value_and_grad<gg::forward>(power, 2.0, gg::nondiff(3));
#endif
  return r.gradient[0] == 12.0 ? 0 : 1;
}
