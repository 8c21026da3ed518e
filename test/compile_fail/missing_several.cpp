// Several variables without a derivative: one diagnosis names every one of
// them with its reason, the operation that cut the path included.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  [[maybe_unused]] constexpr auto w = gg::var<"w">(0.5);
  constexpr auto z = gg::var<"z">(1.5);
  constexpr auto f = x * gg::floor(z) + x;
  static_assert(gg::derivative(f, x) == 2.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"w"\}, gradguard::reason::absent, gradguard::and_to<.*\{"z"\}, gradguard::reason::non_differentiable<gradguard::rules::floor_rule> ?> ?>
  // expected-error: the variable does not appear in the expression
  // expected-error: non-differentiable operation named in reason::non_differentiable
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto g = gg::gradient(f, x, w, z);
#endif
}
