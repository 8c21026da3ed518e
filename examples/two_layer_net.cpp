// A two-layer network (Dense 10 relu, Dense 1) fitted by plain gradient
// descent on generated data, with matrix-valued tape variables: each layer is
// a few recorded matrix operations, not one statement per multiply-add.
//
//   ./two_layer_net            prints the loss every 100 steps
//   exit status 0 when the final loss is at most 1/10 of the first
#include <cmath>
#include <cstdio>
#include <random>

#include <gradguard/eigen.hpp>

namespace gg = gradguard;

int main() {
  // 256 samples of 3 features; the target is a smooth nonlinear function.
  constexpr int features = 3, hidden = 10, samples = 256;
  std::mt19937 rng(7);
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::MatrixXd X(features, samples);
  Eigen::MatrixXd Y(1, samples);
  for (int j = 0; j < samples; ++j) {
    for (int i = 0; i < features; ++i) X(i, j) = normal(rng);
    Y(0, j) = std::sin(X(0, j)) + 0.5 * X(1, j) * X(2, j) + 0.1 * normal(rng);
  }

  // Parameters live in plain Eigen matrices between steps.
  Eigen::MatrixXd W1 = Eigen::MatrixXd::NullaryExpr(
      hidden, features, [&] { return normal(rng) / std::sqrt(double(features)); });
  Eigen::VectorXd b1 = Eigen::VectorXd::Zero(hidden);
  Eigen::MatrixXd W2 = Eigen::MatrixXd::NullaryExpr(
      1, hidden, [&] { return normal(rng) / std::sqrt(double(hidden)); });
  double b2 = 0.0;

  gg::tape tape;  // cleared every step; its memory is kept
  double first = 0, last = 0;
  const double rate = 0.05;
  for (int step = 0; step <= 1000; ++step) {
    tape.clear();
    gg::real_matrix w1 = tape.variable("W1", W1);
    gg::real_vector c1 = tape.variable("b1", b1);
    gg::real_matrix w2 = tape.variable("W2", W2);
    gg::real c2 = tape.variable("b2", b2);

    gg::real_matrix h = gg::relu(gg::colwise_add(w1 * X, c1));  // 10 x 256
    gg::real_matrix out = w2 * h + c2;                          // 1 x 256
    gg::real loss = gg::mean(gg::square(out - Y));

    auto g = tape.gradient(loss, {w1, c1, w2, c2});
    W1 -= rate * g[w1];
    b1 -= rate * g[c1];
    W2 -= rate * g[w2];
    b2 -= rate * g[c2];

    last = gg::value(loss);
    if (step == 0) first = last;
    if (step % 100 == 0) std::printf("step %4d  loss %.5f\n", step, last);
  }
  const bool fell = last <= first / 10;
  std::printf("loss fell from %.4f to %.4f (%.1fx): %s\n", first, last, first / last,
              fell ? "ok" : "NOT by the required 10x");
  return fell ? 0 : 1;
}
