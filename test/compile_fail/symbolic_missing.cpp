// gg::d(f, v), the symbolic derivative, diagnoses a missing variable like
// gg::derivative does.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto y = gg::var<"y">(3.0);
  [[maybe_unused]] constexpr auto z = gg::var<"z">(1.0);
  constexpr auto f = x * x * y;
  static_assert(gg::value(gg::d(gg::d(f, x), y)) == 4.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"z"\}, gradguard::reason::absent>
  // expected-error: the variable does not appear in the expression
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dz = gg::d(f, z);
#endif
}
