// A gg::dual does not convert to a number, which would drop its tangent
// without a trace; gg::value(d) reads the value on purpose.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  const auto x = gg::dual<double, 2>::variable(1.5, 0);
  const gg::dual<double, 2> y = x * x;
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-error: a gg::dual does not convert to a number, which would drop its tangent; read the value on purpose with gg::value\(d\)
  // diagnostic-lines-at-most: 12
  double v = y;
#else
  double v = gg::value(y);
#endif
  return v == 2.25 ? 0 : 1;
}
