// regression (Stan Math / FastAD microbenchmark): the log density of a
// Bayesian linear regression, M = 1000 observations, N = 10, 50, 100, 150
// features; N + 2 inputs (w_1 .. w_N, b, sigma):
//
//   f(w, b, sigma) = sum_{i < M} normal_lpdf(y_i | X_i w + b, sigma)
//                  + sum_{j < N} normal_lpdf(w_j | 0, 1) + normal_lpdf(b | 0, 1)
//   normal_lpdf(y | m, s) = -0.5 ((y - m) / s)^2 - log(s) - 0.5 log(2 pi)
//
// (sigma has a flat prior). Data, fixed per N (bench::lcg, seed 23): X is
// M x N with entries uniform in [-1, 1]; w*_j and b* uniform in [-1, 1];
// y_i = X_i w* + b* + e_i with e_i uniform in [-0.5, 0.5]. Inputs: w_j and b
// uniform in [-1, 1], sigma uniform in [0.5, 1.5].
//
// f is written as a user writes it: for each row, `T mu = b;` then
// `mu += X[i][j] * w[j]` (one tape statement per multiply-add), then the
// normal_lpdf term with log(sigma) inside the loop. Columns (bench/harness.hpp):
// double, hand (plain loops: the residuals r_i = (y_i - mu_i) / sigma,
// dw = X^T r / sigma - w, db = sum r / sigma - b, dsigma = (sum r^2 - M) / sigma),
// tape, adolcretape, adolcreplay, sacado, and the forward columns for N = 10
// (12 inputs, width 16).
//
//   realmatrix  X a constant Eigen matrix, w a gg::real_vector variable, b and
//               sigma gg::real variables: z = (y - (X w + b)) / sigma as three
//               blocks (the product, the broadcast add, the subtraction from
//               y) and a quotient, then f = -0.5 squared_norm(z)
//               - M log(sigma) - 0.5 squared_norm(w) - 0.5 b^2 + constant.
//               The product copies X onto the tape (its adjoint rule reads it).
//
// problem::data holds X row-major (M * N, the scalar loop's X[i][j]), y (M),
// and X column-major (M * N, as an Eigen::MatrixXd for realmatrix);
// problem::shape = {N, M}.

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

constexpr std::size_t observations = 1000;
constexpr double half_log_two_pi = 0.91893853320467274178;  // 0.5 log(2 pi)

struct regression_data {
  std::size_t n, m;
  const double* x_rows;  // m x n row-major
  const double* y;       // m
  const double* x_cols;  // m x n column-major
  explicit regression_data(const problem& p)
      : n(p.shape[0]), m(p.shape[1]), x_rows(p.data.data()), y(x_rows + n * m), x_cols(y + m) {}
};

struct regression {
  static constexpr const char* name = "regression";

  static problem make(std::size_t n) {
    problem p = bench::make_table(n, n + 2, 29u, [n](bench::lcg& u, std::size_t i) {
      return i <= n ? u.uniform(-1, 1) : u.uniform(0.5, 1.5);
    });
    const std::size_t m = observations;
    p.shape = {n, m};
    p.data.resize(2 * m * n + m);
    bench::lcg u{23u + static_cast<std::uint32_t>(n)};
    std::vector<double> w(n);
    for (double& v : w) v = u.uniform(-1, 1);
    const double b = u.uniform(-1, 1);
    double* x = p.data.data();
    double* y = x + m * n;
    double* x_cols = y + m;
    for (std::size_t i = 0; i < m; ++i) {
      double mu = b;
      for (std::size_t j = 0; j < n; ++j) {
        x[i * n + j] = x_cols[j * m + i] = u.uniform(-1, 1);
        mu += x[i * n + j] * w[j];
      }
      y[i] = mu + u.uniform(-0.5, 0.5);
    }
    return p;
  }

  template <class T>
  static T f(const problem& p, const T* x) {
    using std::log;
    const regression_data d(p);
    const T* w = x;
    const T& b = x[d.n];
    const T& sigma = x[d.n + 1];
    T lp(0.0);
    for (std::size_t i = 0; i < d.m; ++i) {
      const double* xi = d.x_rows + i * d.n;
      T mu = b;
      for (std::size_t j = 0; j < d.n; ++j) mu += xi[j] * w[j];
      const T z = (d.y[i] - mu) / sigma;
      lp += -0.5 * z * z - log(sigma) - half_log_two_pi;
    }
    for (std::size_t j = 0; j < d.n; ++j) lp += -0.5 * w[j] * w[j] - half_log_two_pi;
    lp += -0.5 * b * b - half_log_two_pi;
    return lp;
  }

  static double hand(const problem& p, const double* x, double* g) {
    const regression_data d(p);
    const double* w = x;
    const double b = x[d.n], sigma = x[d.n + 1];
    double* gw = g;
    for (std::size_t j = 0; j < d.n; ++j) gw[j] = -w[j];
    double squares = 0.0, gb = 0.0;
    for (std::size_t i = 0; i < d.m; ++i) {
      const double* xi = d.x_rows + i * d.n;
      double mu = b;
      for (std::size_t j = 0; j < d.n; ++j) mu += xi[j] * w[j];
      const double z = (d.y[i] - mu) / sigma;
      squares += z * z;
      // d/dmu_i = z_i / sigma.
      const double dmu = z / sigma;
      gb += dmu;
      for (std::size_t j = 0; j < d.n; ++j) gw[j] += dmu * xi[j];
    }
    const double m = static_cast<double>(d.m);
    double prior = 0.0;
    for (std::size_t j = 0; j < d.n; ++j) prior += w[j] * w[j];
    g[d.n] = gb - b;
    // d/dsigma of -0.5 z^2 - log(sigma) = z^2 / sigma - 1 / sigma.
    g[d.n + 1] = (squares - m) / sigma;
    return -0.5 * squares - m * (std::log(sigma) + half_log_two_pi) - 0.5 * prior - 0.5 * b * b -
           static_cast<double>(d.n + 1) * half_log_two_pi;
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    const regression_data d(p);
    const auto n = static_cast<Eigen::Index>(d.n), m = static_cast<Eigen::Index>(d.m);
    const Eigen::Map<const Eigen::MatrixXd> X(d.x_cols, m, n);
    const Eigen::Map<const Eigen::VectorXd> y(d.y, m);
    tape.clear();
    const gg::real_vector w = tape.variable("w", Eigen::Map<const Eigen::VectorXd>(x, n));
    const gg::real b = tape.variable("b", x[n]);
    const gg::real sigma = tape.variable("sigma", x[n + 1]);
    const gg::real_vector z = (y - (X * w + b)) / sigma;
    const gg::real lp = -0.5 * gg::squared_norm(z) - static_cast<double>(m) * gg::log(sigma) -
                        0.5 * gg::squared_norm(w) - 0.5 * b * b -
                        static_cast<double>(m + n + 1) * half_log_two_pi;
    const auto grad = tape.gradient(lp, {w, b, sigma});
    Eigen::Map<Eigen::VectorXd>(g, n) = grad[w];
    g[n] = grad[b];
    g[n + 1] = grad[sigma];
    return gg::value(lp);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<regression>({10, 50, 100, 150});
  return bench::run_benchmarks(argc, argv);
}
