// Nonlinear least squares: fit y = a exp(-b t) + c to noisy samples with
// Levenberg-Marquardt, where the Jacobian of the residuals comes from
// gg::jacobian (40 residuals, 3 parameters: forward mode, chosen by shape).
//
//   ./least_squares      prints each step
//   exit status 0 when the fit recovers a, b, c within 0.05
#include <cmath>
#include <cstdio>
#include <random>

#include <Eigen/Cholesky>

#include <gradguard/eigen.hpp>

namespace gg = gradguard;

int main() {
  const Eigen::Vector3d truth(2.0, 0.7, 0.3);
  constexpr int m = 40;
  Eigen::VectorXd t(m), y(m);
  std::mt19937 rng(11);
  std::normal_distribution<double> noise(0.0, 0.01);
  for (int i = 0; i < m; ++i) {
    t[i] = 0.2 * i;
    y[i] = truth[0] * std::exp(-truth[1] * t[i]) + truth[2] + noise(rng);
  }

  // Generic in the scalar: gg::jacobian calls it with duals (or gg::real).
  auto residuals = [&](const auto& p) {
    using std::exp;
    using scalar = typename std::decay_t<decltype(p)>::Scalar;
    Eigen::Matrix<scalar, Eigen::Dynamic, 1> r(m);
    for (int i = 0; i < m; ++i) r[i] = p[0] * exp(-p[1] * t[i]) + p[2] - y[i];
    return r;
  };

  Eigen::VectorXd p(3);
  p << 1.0, 1.5, 0.0;  // a poor start
  double lambda = 1e-2;
  double cost = residuals(p).squaredNorm() / 2;
  for (int step = 0; step < 50 && cost > 1e-12; ++step) {
    const Eigen::MatrixXd J = gg::jacobian(residuals, p);  // 40 x 3
    const Eigen::VectorXd r = residuals(p);
    Eigen::MatrixXd A = J.transpose() * J;
    A.diagonal() *= 1 + lambda;
    const Eigen::VectorXd delta = A.ldlt().solve(-J.transpose() * r);
    const Eigen::VectorXd next = p + delta;
    const double next_cost = residuals(next).squaredNorm() / 2;
    if (next_cost < cost) {
      p = next;
      lambda /= 3;
      std::printf("step %2d  cost %.3e  a %.4f  b %.4f  c %.4f\n", step, next_cost, p[0], p[1],
                  p[2]);
      if (cost - next_cost < 1e-14) break;
      cost = next_cost;
    } else {
      lambda *= 4;
    }
  }
  const double error = (p - truth).cwiseAbs().maxCoeff();
  std::printf("recovered a %.4f b %.4f c %.4f (truth 2, 0.7, 0.3): %s\n", p[0], p[1], p[2],
              error <= 0.05 ? "ok" : "NOT within 0.05");
  return error <= 0.05 ? 0 : 1;
}
