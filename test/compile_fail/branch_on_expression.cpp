// `if (x < y)` on a static expression: a branch on its value would be
// invisible to the derivative, so it does not compile; gg::select does.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto y = gg::var<"y">(3.0);
  constexpr auto f = gg::select(x < y, x * y, y);
  static_assert(gg::derivative(f, x) == 3.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: static assertion failed.*cannot steer run-time control flow
  // expected-error: gg::select\(cond, a, b\)
  // diagnostic-lines-at-most: 25
  if (x < y) return 1;
#endif
}
