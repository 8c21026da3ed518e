// gg::value_and_grad(fn, ...) where fn returns a plain number (gg::value cut
// the path): one error, not a cascade from the code after it.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto ok = gg::value_and_grad([](auto w) { return w * 2.0; }, 3.0);
  static_assert(ok.value == 6.0 && ok.gradient[0] == 2.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: fn must return a gradguard expression built from its arguments
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto r = gg::value_and_grad([](auto w) { return gg::value(w) * 2.0; }, 3.0);
#endif
}
