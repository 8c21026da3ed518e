// One name for two kinds of variable in one expression (a gg::var and a
// gg::frozen named "w") cannot be told apart: the types say so, a compile
// error names "w" and both variables.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(1.5);
  constexpr auto w = gg::frozen<"w">(0.5);
  constexpr auto ok = x * w + w;
  static_assert(gg::derivative(ok, x) == 0.5);
#ifdef GRADGUARD_COMPILE_FAIL
  constexpr auto f = x * w + gg::var<"w">(0.5);
  // expected-first-error: one_name_for_two_different_variables<.*\{"w"\}, gradguard::frozen_variable<.*double>, gradguard::variable<.*double>
  // expected-error: same name but different kinds
  // diagnostic-lines-at-most: 25
  [[maybe_unused]] auto g = gg::derivative(f, x);
#endif
}
