// A plain number passed where a variable is expected.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto f = x * x;
  static_assert(gg::derivative(f, x) == 4.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: gradient_argument_is_not_a_variable<1, double>
  // expected-error: is a constant, a plain number or an expression
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto dx = gg::derivative(f, 2.0);
#endif
}
