// gg::var<"n">(3) and gg::var<"n">(3.0) in one expression: one name, two
// value types. Even gg::depends_on, which reads only the types, refuses it.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(1.5);
  constexpr auto n = gg::var<"n">(3);
  static_assert(!gg::depends_on(x * n, n));
#ifdef GRADGUARD_COMPILE_FAIL
  constexpr auto f = x * n + gg::var<"n">(3.0);
  // expected-first-error: one_name_for_two_different_variables<.*\{"n"\}, gradguard::variable<.*int>, gradguard::variable<.*double>
  // expected-error: same name but different kinds
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] bool reaches = gg::depends_on(f, n);
#endif
}
