// A vjp that returns fewer cotangents than the primal has inputs is a
// compile error.
#include <gradguard/gradguard.hpp>

#include <tuple>

namespace gg = gradguard;

int main() {
  constexpr auto mul = gg::custom_gradient([](auto a, auto b) { return a * b; },
#ifdef GRADGUARD_COMPILE_FAIL
                                           [](auto g, auto, auto b) { return g * b; });
#else
                                           [](auto g, auto a, auto b) {
                                             return std::tuple{g * b, g * a};
                                           });
#endif
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto y = gg::var<"y">(3.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-error: the vjp must return one cotangent per input
  // diagnostic-lines-at-most: 40
#endif
  static_assert(gg::derivative(mul(x, y), x) == 3.0);
}
