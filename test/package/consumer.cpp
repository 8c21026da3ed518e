// Uses the installed headers only (built by tools/check_package.py through
// the CMake package and through pkg-config): a static gradient, checked at
// compile time and printed.
#include <gradguard/gradguard.hpp>

#include <cstdio>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(3.0);
  constexpr auto y = gg::var<"y">(2.0);
  constexpr auto f = x * x * y;
  static_assert(gg::derivative(f, x) == 12.0);
  std::printf("df/dx = %g, df/dy = %g\n", gg::derivative(f, x), gg::derivative(f, y));
  return gg::derivative(f, y) == 9.0 ? 0 : 1;
}
