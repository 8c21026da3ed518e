// A cast to an integer cuts the path: the error names cast_rule<int>.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto w = gg::var<"w">(2.5);
  constexpr auto f = x * gg::cast<int>(w);
  static_assert(gg::value(f) == 4.0);
  static_assert(gg::derivative(f, x) == 2.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::non_differentiable<gradguard::rules::cast_rule<int> ?> ?>
  // expected-error: non-differentiable operation
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dw = gg::derivative(f, w);
#endif
}
