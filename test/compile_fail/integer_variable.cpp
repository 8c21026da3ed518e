// An integer variable carries a value but never a derivative.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto n = gg::var<"n">(3);
  constexpr auto f = x * n;
  static_assert(gg::value(f) == 6.0);
  static_assert(gg::derivative(f, x) == 3.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to<.*\{"n"\}, gradguard::reason::integer_or_boolean>
  // expected-error: holds an integer or bool
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dn = gg::derivative(f, n);
#endif
}
