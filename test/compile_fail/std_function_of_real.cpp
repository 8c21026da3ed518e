// std::exp(r) on a gg::real (or a gg::dual) would convert it to a number and
// cut its gradient: the error is the library's sentence, not "call of
// overloaded 'exp(gradguard::real&)' is ambiguous" (it was: one conversion
// per arithmetic type made std::exp(float), (double) and (long double) tie).
// gg::exp(r), or exp(r) found by argument-dependent lookup, records it.
#include <gradguard/gradguard.hpp>

#include <cmath>

namespace gg = gradguard;

int main() {
  gg::tape tape;
  const gg::real r = tape.variable("r", 0.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-error: a gg::real does not convert to a number, which would cut its gradient; .*std::exp does not
  // diagnostic-lines-at-most: 12
  const gg::real y = std::exp(r);
#else
  const gg::real y = exp(r) + gg::exp(r);
#endif
  return gg::value(y) == 2.0 ? 0 : 1;
}
