// The tape: a fit whose loss has a run-time branch (a hinge), trained by
// gradient descent with one gg::tape reused across steps, then the run-time
// diagnosis of a frozen parameter and of a variable cut by stop_gradient.
#include <cstdio>
#include <vector>

#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

int main() {
  const std::vector<double> xs{0.5, 1.0, 1.5, 2.0, 2.5, 3.0};
  const std::vector<double> ys{1.4, 2.1, 2.4, 3.1, 3.4, 4.1};  // about 0.9 + 1.05 x
  double w0 = 0.0, b0 = 0.0;
  gg::tape tape;  // its memory is kept across steps
  for (int step = 0; step <= 200; ++step) {
    tape.clear();
    gg::real w = tape.variable("w", w0);
    gg::real b = tape.variable("b", b0);
    gg::real loss = 0.0;
    for (std::size_t i = 0; i < xs.size(); ++i) {
      gg::real r = w * xs[i] + b - ys[i];  // one statement
      if (r > 0) loss += r * r;            // over-predictions cost more
      else loss += 0.5 * r * r;
    }
    const auto g = tape.gradient(loss, {w, b});
    if (step % 50 == 0)
      std::printf("step %3d  loss %.5f  w %.4f  b %.4f\n", step, gg::value(loss), w0, b0);
    w0 -= 0.05 * g[w];
    b0 -= 0.05 * g[b];
  }

  // A frozen scale and a stop_gradient: the tape says which, why and where.
  tape.clear();
  gg::real w = tape.variable("w", w0);
  gg::real k = tape.variable("k", 2.0, gg::trainable::no);
  gg::real b = tape.variable("b", b0);
  gg::real y = k * w + gg::stop_gradient(b);
  try {
    tape.gradient(y, {w, k, b});
  } catch (const gg::missing_gradient& e) {
    std::printf("\n%s\n", e.what());
  }
}
