// Mixing an expression with something that is neither an expression nor a
// number: the operators are constrained, so the error is a short "no match"
// at the user's line, not a failure deep inside the library.
#include <string>

#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  constexpr auto x = gg::var<"x">(2.0);
  static_assert(gg::value(x * 2) == 4.0);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error[gcc]: non_expression_operand\.cpp:\d+:\d+: error: no match for 'operator\*'
  // expected-first-error[clang]: non_expression_operand\.cpp:\d+:\d+: error: invalid operands to binary expression
  // expected-error: are_expression_operands_v<.*basic_string<char
  // diagnostic-lines-at-most[gcc]: 20
  // diagnostic-lines-at-most[clang]: 15
  [[maybe_unused]] auto f = x * std::string("a");
#endif
}
