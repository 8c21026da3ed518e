// A bool variable (a mask, a flag) carries a value but never a derivative.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto on = gg::var<"on">(true);
  constexpr auto f = gg::select(on, x * x, x);
  static_assert(gg::derivative(f, x) == 4.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"on"\}, gradguard::reason::integer_or_boolean>
  // expected-error: holds an integer or bool
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto g = gg::gradient(f, x, on);
#endif
}
