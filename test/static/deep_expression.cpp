// A 200-node static expression (Horner's scheme, p = p * x + c, 100 steps,
// nested 200 deep) must compile in linear time: this file took 200 s and
// 1.9 GB with g++ 12 when the sweeps were quadratic in the depth, and takes a
// few seconds now (docs/design.md, "Compile cost"). A slow build of this test
// is the regression. The derivative is checked against the
// exact forward recurrence (every number is a small integer at x = -1).
#include <gradguard/gradguard.hpp>

#include <cstddef>

namespace gg = gradguard;

namespace {

template <int N, class X>
constexpr auto horner(const X& x) {
  if constexpr (N == 0) return x;
  else return horner<N - 1>(x) * x + double(N);
}

// The same polynomial and its derivative by the forward recurrence
// p' = p' x + p, at a point where every number is a small integer (exact).
struct reference {
  double value = 0, derivative = 0;
};
constexpr reference horner_reference(int n, double x) {
  reference r{x, 1};
  for (int k = 1; k <= n; ++k) r = {r.value * x + k, r.derivative * x + r.value};
  return r;
}

// 100 steps (200 deep) with g++; clang++'s bound is 128 levels: 64 steps.
constexpr int steps = gg::max_static_depth >= 200 ? 100 : 64;
using horner_t = decltype(horner<steps>(gg::var<"x">(1.0)));
static_assert(gg::depth_v<horner_t> == 2 * steps);
static_assert(gg::detail::argument_is_active_v<horner_t, gg::variable<"x", double>>);

// The deepest expression allowed; one more level is the error of
// test/compile_fail/too_deep.cpp.
template <std::size_t N, class X>
constexpr auto nested_sin(const X& x) {
  if constexpr (N == 0) return x;
  else return gg::sin(nested_sin<N - 1>(x));
}
static_assert(gg::depth_v<decltype(nested_sin<gg::max_static_depth>(gg::var<"y">(0.5)))> ==
              gg::max_static_depth);

}  // namespace

int main() {
  // Evaluated at run time: a constant evaluation nests a few calls per level,
  // past g++'s -fconstexpr-depth=512 at this depth.
  int failures = 0;
  const auto x = gg::var<"x">(-1.0);
  const auto p = horner<steps>(x);
  constexpr auto expected = horner_reference(steps, -1.0);
  const auto [value, dx] = gg::value_and_gradient(p, x);
  failures += value != expected.value || gg::value(p) != expected.value;
  failures += dx != expected.derivative || gg::derivative(p, x) != expected.derivative;
  // gg::d copies the polynomial's prefixes into the derivative's tree (n^2
  // leaves by nature): a shorter chain
  const auto q = horner<25>(x);
  failures += gg::value(gg::d(q, x)) != horner_reference(25, -1.0).derivative;
  failures += !gg::depends_on(p, x) || !(gg::active_variables(p) == gg::variable_set{"x"});

  // the deepest expression allowed: sin(sin(...sin(y))), 0 < value < y, 0 < d/dy < 1
  const auto y = gg::var<"y">(0.5);
  const auto s = nested_sin<gg::max_static_depth>(y);
  const auto [sy, dy] = gg::value_and_gradient(s, y);
  failures += !(sy > 0 && sy < 0.5 && dy > 0 && dy < 1);
  return failures;
}
