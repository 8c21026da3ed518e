// A constant passed where a variable is expected: derivatives are taken with
// respect to variables only (TensorFlow: the source is a tf.constant).
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto c = gg::constant(1.5);
  constexpr auto f = c * x;
  static_assert(gg::derivative(f, x) == 1.5);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: gradient_argument_is_not_a_variable<2, gradguard::literal<double> ?>
  // expected-error: is a constant, a plain number or an expression
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto g = gg::gradient(f, x, c);
#endif
}
