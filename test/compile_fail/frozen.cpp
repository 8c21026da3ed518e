// A frozen parameter (Keras' trainable=False) is not differentiated.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto w = gg::frozen<"w">(0.5);
  constexpr auto f = w * x * x;
  static_assert(gg::derivative(f, x) == 2.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::frozen>
  // expected-error: the variable is frozen
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dw = gg::derivative(f, w);
#endif
}
