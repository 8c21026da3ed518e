// normal_log_pdf: the log density of N fixed data points under a normal
// distribution, as a function of its two parameters (mu, sigma):
//   f(mu, sigma) = sum_i [-0.5 ((y_i - mu) / sigma)^2 - log(sigma) - 0.5 log(2 pi)],
// y_i uniform in [-1, 1] (data, not differentiated), mu uniform in [0.5, 1.5],
// sigma uniform in [0.5, 0.9]; N = 1, 4, ..., 16384 (powers of 4). Two inputs
// at every N: the forward columns (width 2) run at every size.
//
// f is written as a user writes it: a loop, with log(sigma) inside it (each
// AD scalar records or computes it N times). The hand-written gradient hoists
// it: with z_i = (y_i - mu) / sigma,
//   f = -0.5 sum z^2 - N (log sigma + 0.5 log 2 pi),
//   df/dmu = sum z / sigma,  df/dsigma = (sum z^2 - N) / sigma.
//
// Columns: the loop on every scalar (gg::real (the tape), ADOL-C, Sacado,
// and the forward scalars); realmatrix: the vectorised form on gradguard's
// tape, mu and sigma gg::real variables, the data y a constant Eigen vector:
//   z = (y - mu) / sigma                      two elementwise blocks (broadcast)
//   f = -0.5 squared_norm(z) - N (log(sigma) + 0.5 log 2 pi)
// Columns and checks: bench/harness.hpp.

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

constexpr double half_log_2pi = 0.91893853320467274178;  // 0.5 log(2 pi)

struct normal_log_pdf {
  static constexpr const char* name = "normal_log_pdf";
  static problem make(std::size_t n) {
    problem p = bench::make_table(n, 2, 19u, [](bench::lcg& u, std::size_t i) {
      return i == 0 ? u.uniform(0.5, 1.5) : u.uniform(0.5, 0.9);
    });
    bench::lcg u{23u + static_cast<std::uint32_t>(n) * 2654435761u};
    p.data.resize(n);
    for (double& y : p.data) y = u.uniform(-1, 1);
    return p;
  }

  template <class T>
  static T f(const problem& p, const T* x) {
    using std::log;
    const T& mu = x[0];
    const T& sigma = x[1];
    const double* y = p.data.data();
    T acc(0.0);
    for (std::size_t i = 0; i < p.n; ++i) {
      T z = (y[i] - mu) / sigma;
      acc += -0.5 * z * z - log(sigma) - half_log_2pi;
    }
    return acc;
  }

  static double hand(const problem& p, const double* x, double* g) {
    const double mu = x[0], sigma = x[1];
    const double inv = 1.0 / sigma;
    double s1 = 0.0, s2 = 0.0;
    for (std::size_t i = 0; i < p.n; ++i) {
      const double z = (p.data[i] - mu) * inv;
      s1 += z;
      s2 += z * z;
    }
    const double n = static_cast<double>(p.n);
    g[0] = s1 * inv;
    g[1] = (s2 - n) * inv;
    return -0.5 * s2 - n * (std::log(sigma) + half_log_2pi);
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    tape.clear();
    const std::array<gg::real, 2> params{tape.variable("mu", x[0]), tape.variable("sigma", x[1])};
    const gg::real& mu = params[0];
    const gg::real& sigma = params[1];
    const Eigen::Map<const Eigen::VectorXd> y(p.data.data(), static_cast<Eigen::Index>(p.n));
    const gg::real_vector z = (y - mu) / sigma;
    const gg::real f =
        -0.5 * gg::squared_norm(z) - static_cast<double>(p.n) * (gg::log(sigma) + half_log_2pi);
    tape.gradient(f, params, std::span<double>(g, 2));
    return gg::value(f);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<normal_log_pdf>({1, 4, 16, 64, 256, 1024, 4096, 16384});
  return bench::run_benchmarks(argc, argv);
}
