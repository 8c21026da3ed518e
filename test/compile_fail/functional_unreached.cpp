// gg::value_and_grad: an argument that does not reach the result of fn is an
// error naming its position; gg::nondiff(arg) is the way to pass it anyway.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  auto fn = [](auto w, [[maybe_unused]] auto scale) { return w * w; };
  constexpr auto ok = gg::value_and_grad(fn, 3.0, gg::nondiff(10.0));
  static_assert(ok.value == 9.0 && ok.gradient.size() == 1 && ok.gradient[0] == 6.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: cannot_differentiate_with_respect_to_argument<2, gradguard::reason::absent>
  // expected-error: does not reach the result of fn
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto r = gg::value_and_grad(fn, 3.0, 10.0);
#endif
}
