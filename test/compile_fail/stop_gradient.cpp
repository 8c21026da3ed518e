// Every path from the variable to the result goes through gg::stop_gradient.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto w = gg::var<"w">(0.5);
  // w reaches f twice, and both paths are cut.
  constexpr auto f = x * gg::stop_gradient(w) + gg::stop_gradient(w * w);
  static_assert(gg::derivative(f, x) == 0.5);
  static_assert(!gg::depends_on(f, w));
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::stop_gradient>
  // expected-error: goes through gg::stop_gradient
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto g = gg::gradient(f, x, w);
#endif
}
