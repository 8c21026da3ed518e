// gg::check_gradient with an integer argument is a compile error naming its
// position (finite differences cannot perturb an integer); gg::nondiff passes it.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  auto scaled_square = [](auto x, auto n) { return x * x * static_cast<double>(n); };
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: check_gradient_argument_is_not_a_double_or_a_vector_of_double<2, int>
  // expected-error: pass an integer or anything not differentiated as gg::nondiff\(a\)
  // diagnostic-lines-at-most: 25
  const auto r = gg::check_gradient(scaled_square, 2.0, 3);
#else
  const auto r = gg::check_gradient(scaled_square, 2.0, gg::nondiff(3));
#endif
  return r ? 0 : 1;
}
