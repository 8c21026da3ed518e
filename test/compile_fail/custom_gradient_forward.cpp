// Forward mode refuses a custom_gradient whose vjp is not declared linear in
// g: a vjp may clip or square its cotangent, which gives no tangent.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto twice = gg::custom_gradient([](auto x) { return 2 * x; },
#ifdef GRADGUARD_COMPILE_FAIL
                                             [](auto g, auto) { return 2 * g; });
#else
                                             [](auto g, auto) { return 2 * g; }, gg::linear_vjp);
#endif
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-error: forward mode .* needs the derivative itself, which a vjp gives only when it is linear
  // expected-error: gg::linear_vjp
  // diagnostic-lines-at-most: 30
#endif
  constexpr auto r = gg::value_and_grad<gg::forward>([&](auto x) { return twice(x); }, 1.5);
  static_assert(r.value == 3.0 && r.gradient[0] == 2.0);
}
