// Every path from the variable to the result goes through floor, whose
// derivative is zero almost everywhere: the error names the operation.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto w = gg::var<"w">(0.5);
  constexpr auto f = x * gg::floor(w * 10.0);
  static_assert(gg::derivative(f, x) == 5.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::non_differentiable<gradguard::rules::floor_rule> ?>
  // expected-error: non-differentiable operation
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dw = gg::derivative(f, w);
#endif
}
