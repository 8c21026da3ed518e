// gradguard in one page: the gradient of a small model's loss, a derivative
// checked at compile time, a structural zero asked for on purpose, and
// gg::explain telling which variables reach the result and which are cut.
#include <cstdio>
#include <type_traits>

#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  // 1. A least-squares fit of y = w x + b to three points, with an L2 penalty
  //    whose strength is a frozen hyper-parameter (Keras' trainable=False).
  const auto w = gg::var<"w">(1.9);
  const auto b = gg::var<"b">(0.1);
  const auto lambda = gg::frozen<"lambda">(0.01);
  const auto loss = gg::square(w * 1.0 + b - 2.1) + gg::square(w * 2.0 + b - 3.9) +
                    gg::square(w * 3.0 + b - 6.2) + lambda * gg::square(w);
  const auto [value, dw, db] = gg::value_and_gradient(loss, w, b);
  std::printf("loss = %.4f   d/dw = %.4f   d/db = %.4f\n", value, dw, db);

  // 2. Derivatives of constant expressions are constant expressions.
  constexpr auto x = gg::var<"x">(2.0);
  constexpr auto y = gg::var<"y">(3.0);
  constexpr auto f = x * x * y + y / x;
  static_assert(gg::derivative(f, x) == 2 * 2.0 * 3.0 - 3.0 / (2.0 * 2.0));  // 2xy - y/x^2
  std::printf("d/dx (x^2 y + y/x) at (2, 3) = %g, checked by static_assert\n",
              gg::derivative(f, x));

  // 3. lambda is frozen: asking for its derivative does not compile (see
  //    examples/missing_gradient.cpp), unless a structural zero is asked for.
  const auto g = gg::gradient(loss, w, lambda, gg::allow_unconnected);
  static_assert(std::is_same_v<decltype(g[lambda]), gg::zero>);
  std::printf("with gg::allow_unconnected: d/dw = %.4f, d/dlambda has type %s (value %g)\n", g[w],
              std::is_same_v<decltype(g[lambda]), gg::zero> ? "gg::zero" : "double",
              static_cast<double>(g[lambda]));

  // 4. Why a variable has no gradient: stop_gradient, frozen, integer.
  const auto t = gg::var<"t">(0.5);
  const auto k = gg::frozen<"k">(4.0);
  const auto n = gg::var<"n">(3);  // an integer: a value, never a gradient
  const auto h = gg::sin(t) * gg::stop_gradient(gg::exp(y)) + k * t + n * t;
  std::printf("\n%s", gg::explain(h).c_str());
}
