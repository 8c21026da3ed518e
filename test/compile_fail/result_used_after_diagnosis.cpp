// After a diagnosis the result is still a plain number, so code that goes on
// using it (`gg::derivative(f, w) > 0`) adds no errors of its own: the first
// error is still the one that names the variable, and nothing cascades.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto w = gg::var<"w">(0.5);
  constexpr auto f = x * gg::stop_gradient(w);
  static_assert(gg::derivative(f, x) > 0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::stop_gradient>
  // expected-error: goes through gg::stop_gradient
  // diagnostic-lines-at-most: 25
  return gg::derivative(f, w) > 0 ? 1 : 0;
#endif
}
