// A vjp whose parameters do not match the primal's inputs is a compile error.
#include <gradguard/gradguard.hpp>

#include <cmath>

namespace gg = gradguard;

int main() {
  constexpr auto mul = gg::custom_gradient([](auto a, auto b) { return a * b; },
#ifdef GRADGUARD_COMPILE_FAIL
                                           // the cotangent g is missing
                                           [](auto a, auto b) {
                                             return std::tuple{b, a};
                                           });
#else
                                           [](auto g, auto a, auto b) {
                                             return std::tuple{g * b, g * a};
                                           });
#endif
  gg::tape tape;
  gg::real x = tape.variable("x", 2.0);
  gg::real y = tape.variable("y", 3.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-error: the vjp is called as vjp\(g, x1, \.\.\., xN\)
  // diagnostic-lines-at-most: 40
#endif
  gg::real z = mul(x, y);
  return tape.gradient(z, {x})[x] == 3.0 ? 0 : 1;
}
