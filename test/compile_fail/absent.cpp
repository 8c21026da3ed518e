// A variable that does not appear in the expression has no derivative:
// TensorFlow's "the variable never reaches the loss" (gradient None).
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  [[maybe_unused]] constexpr auto w = gg::var<"w">(0.5);
  constexpr auto f = x * x;
  static_assert(gg::derivative(f, x) == 4.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::absent>
  // expected-error: the variable does not appear in the expression
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dw = gg::derivative(f, w);
#endif
}
