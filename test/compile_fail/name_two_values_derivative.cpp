// Two variables named "w" with different values in one expression (a weight
// made anew on each call of a function) have no consistent value or
// derivative: in a constant expression, a compile error that names "w".
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

constexpr auto layer(double weight, const auto& input) { return gg::var<"w">(weight) * input; }

int main() {
  constexpr auto x = gg::var<"x">(1.5);
  [[maybe_unused]] constexpr auto w = gg::var<"w">(0.5);
  constexpr auto ok = layer(0.5, x) + layer(0.5, x);  // one w, used twice
  static_assert(gg::derivative(ok, x) == 1.0);
#ifdef GRADGUARD_COMPILE_FAIL
  constexpr auto f = layer(0.5, x) * layer(2.0, x);  // w is 0.5 and 2.0
  // expected-error: variable_has_two_values_in_one_expression.*\{"w"\}
  // expected-error[gcc]: non-.constexpr. function
  // expected-error[clang]: non-constexpr function
  // diagnostic-lines-at-most: 25
  static_assert(gg::derivative(f, x) > 0);
#endif
}
