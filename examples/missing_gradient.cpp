// A missing gradient is a compile error, not a silent zero. As written this
// file compiles; with -DGRADGUARD_SHOW_ERROR it asks for the derivative with
// respect to a frozen parameter and the compiler says which and why:
//   g++ -std=c++20 -Iinclude -fsyntax-only -DGRADGUARD_SHOW_ERROR examples/missing_gradient.cpp
#include <cstdio>

#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  const auto w = gg::var<"w">(0.8);
  const auto scale = gg::frozen<"scale">(2.0);  // not trainable
  const auto loss = gg::square(scale * w - 1.0);

  const auto [value, dw] = gg::value_and_gradient(loss, w);
  std::printf("loss = %g, d/dw = %g\n", value, dw);
#ifdef GRADGUARD_SHOW_ERROR
  // TensorFlow would return None here; other C++ libraries, 0.
  const auto dscale = gg::derivative(loss, scale);
  std::printf("d/dscale = %g\n", dscale);
#endif
}
