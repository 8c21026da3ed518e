// An expression nested deeper than gg::max_static_depth is one error at the
// operation that crosses the bound, naming the bound and the tape as the fix,
// not the compiler's template depth limit or minutes of compilation.
#include <gradguard/gradguard.hpp>

#include <cstddef>

namespace gg = gradguard;

template <std::size_t N, class X>
constexpr auto nested_sin(const X& x) {
  if constexpr (N == 0) return x;
  else return gg::sin(nested_sin<N - 1>(x));
}

int main() {
  const auto x = gg::var<"x">(0.5);
  // The deepest expression allowed is made here; test/static/deep_expression.cpp
  // also differentiates it (here that took ~10 s of g++ per compile, twice).
  [[maybe_unused]] const auto ok = nested_sin<gg::max_static_depth>(x);
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-first-error: static_expression_is_deeper_than<(256|128)>
  // expected-error: deeper than gg::max_static_depth levels
  // expected-error: use the tape \(gg::real on a gg::tape\) for deeper expressions
  // diagnostic-lines-at-most: 25
  // clang++ also prints ten frames of this test's own recursion (nested_sin),
  // two lines each: the library's part is within 25.
  // diagnostic-lines-at-most[clang]: 40
  const auto f = nested_sin<400>(x) * x + 1.0;  // the error is reported once
  [[maybe_unused]] const auto [v, dx] = gg::value_and_gradient(f, x);
  [[maybe_unused]] const auto d = gg::value(gg::d(f, x));
#endif
}
