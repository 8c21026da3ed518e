// gg::value_and_grad<Engine>(fn, args...) with a tag that is no engine: one
// error that lists the three engines.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  auto f = [](auto a, auto b) { return a * b; };
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: Engine is one of gg::static_expression \(the default\), gg::taped
  // diagnostic-lines-at-most: 15
  const auto r = gg::value_and_grad<gg::tape>(f, 2.0, 3.0);
#else
  const auto r = gg::value_and_grad<gg::taped>(f, 2.0, 3.0);
#endif
  return r.gradient[0] == 3.0 ? 0 : 1;
}
