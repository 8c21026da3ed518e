// The variable reaches the result only through the condition of gg::select:
// a comparison has no derivative, so the error names it (<).
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto w = gg::var<"w">(0.5);
  constexpr auto f = gg::select(w < 1.0, x * x, 3.0 * x);
  static_assert(gg::value(f) == 4.0);
  static_assert(gg::derivative(f, x) == 4.0);  // the gradient flows into the chosen branch
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::non_differentiable<gradguard::rules::less_rule> ?>
  // expected-error: non-differentiable operation
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dw = gg::derivative(f, w);
#endif
}
