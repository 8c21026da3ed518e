// stochastic_volatility (Stan's benchmark model; Stan Math / FastAD
// microbenchmarks): T = 2, 8, 32, 128, 512, 2048, 8192 time steps; T + 3
// inputs (h_std_0 .. h_std_{T-1}, phi, sigma, mu):
//
//   h_t = sigma h_std_t                                (h = h_std * sigma)
//   h_0 = h_0 / sqrt(1 - phi^2) + mu                   (h[0] /= sqrt(1 - phi^2); h += mu)
//   h_t = h_t + mu + phi (h_{t-1} - mu),  t >= 1       (the recurrence, in order)
//   f = sum_t normal_lpdf(y_t | 0, exp(h_t / 2)) + sum_t normal_lpdf(h_std_t | 0, 1)
//     + cauchy_lpdf(sigma | 0, 5) + cauchy_lpdf(mu | 0, 10)
//   normal_lpdf(y | m, s) = -0.5 ((y - m) / s)^2 - log(s) - 0.5 log(2 pi)
//   cauchy_lpdf(x | 0, s) = -log(pi) - log(s) - log(1 + (x / s)^2)
//
// phi's uniform(-1, 1) prior is a constant and left out. Data, fixed per T
// (bench::lcg, seed 31, normals by Box-Muller): y simulated from the model
// with phi* = 0.9, sigma* = 0.3, mu* = -1: y_t = exp(h*_t / 2) e_t with
// h_std*_t and e_t standard normal. Inputs: h_std_t uniform in [-1, 1], phi
// in [0.1, 0.8], sigma in [0.5, 1.5], mu in [-1, 1].
//
// f is written as a user writes it: one loop over t computing h_t on the fly
// from h_{t-1} (five tape statements per step: h_t, the scale exp(h_t / 2),
// z = y_t / scale, the likelihood's sum, the h_std prior's sum). Columns
// (bench/harness.hpp): double, hand, tape, realmatrix, adolcretape,
// adolcreplay, sacado, and the forward columns for T = 2, 8 (5 and 11
// inputs). hand reverses the recurrence: with a_t = d/dh_t of the
// likelihood term = 0.5 y_t^2 exp(-h_t) - 0.5, the adjoint of h_t is
// hbar_t = a_t + phi hbar_{t+1}; then, with q = 1 / sqrt(1 - phi^2),
// dh_std_t = sigma hbar_t - h_std_t (sigma q hbar_0 - h_std_0 at t = 0),
// dphi = sum_{t>=1} hbar_t (h_{t-1} - mu) + hbar_0 sigma h_std_0 phi q^3,
// dsigma = sum_{t>=1} hbar_t h_std_t + hbar_0 h_std_0 q + the prior's,
// dmu = hbar_0 + (1 - phi) sum_{t>=1} hbar_t + the prior's.
//
//   realmatrix  The recurrence is sequential and there is no scan or
//               triangular-solve operation on a gg::real_vector, so h is
//               built with scalar statements (one per step, from the
//               elements of h_std as a gg::real_vector variable) and copied
//               into a gg::real_vector (one copy statement per element).
//               Everything after h is blocks: the likelihood
//               -0.5 dot(y^2, exp(-h)) - 0.5 sum(h), the prior
//               -0.5 squared_norm(h_std), and the scalar Cauchy terms.
//               (A fully vectorised h = L(phi)^{-1} c needs a solve with a
//               bidiagonal matrix whose entries are variables.)

#include <numbers>

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

constexpr double half_log_two_pi = 0.91893853320467274178;  // 0.5 log(2 pi)
constexpr double log_pi = 1.14472988584940017414;           // log(pi)

template <class T>
T cauchy_lpdf(const T& x, double scale) {
  using std::log;
  const T u = x / scale;
  return -log_pi - std::log(scale) - log(1.0 + u * u);
}

// d/dx cauchy_lpdf(x | 0, s) = -2 x / (s^2 + x^2).
double cauchy_lpdf_derivative(double x, double scale) { return -2.0 * x / (scale * scale + x * x); }

double standard_normal(bench::lcg& u) {
  const double r = std::sqrt(-2.0 * std::log(1.0 - u.next()));
  return r * std::cos(2.0 * std::numbers::pi * u.next());
}

struct stochastic_volatility {
  static constexpr const char* name = "stochastic_volatility";

  static problem make(std::size_t n) {
    problem p = bench::make_table(n, n + 3, 37u, [n](bench::lcg& u, std::size_t i) {
      if (i < n) return u.uniform(-1, 1);
      if (i == n) return u.uniform(0.1, 0.8);      // phi
      if (i == n + 1) return u.uniform(0.5, 1.5);  // sigma
      return u.uniform(-1, 1);                     // mu
    });
    const double phi = 0.9, sigma = 0.3, mu = -1.0;
    bench::lcg u{31u + static_cast<std::uint32_t>(n)};
    p.data.resize(n);
    double h = 0.0;
    for (std::size_t t = 0; t < n; ++t) {
      const double h_std = standard_normal(u);
      h = t == 0 ? mu + sigma * h_std / std::sqrt(1.0 - phi * phi)
                 : mu + sigma * h_std + phi * (h - mu);
      p.data[t] = std::exp(h / 2.0) * standard_normal(u);
    }
    return p;
  }

  template <class T>
  static T f(const problem& p, const T* x) {
    using std::exp;
    using std::log;
    using std::sqrt;
    const std::size_t n = p.n;
    const double* y = p.data.data();
    const T* h_std = x;
    const T& phi = x[n];
    const T& sigma = x[n + 1];
    const T& mu = x[n + 2];
    T lp = cauchy_lpdf(sigma, 5.0) + cauchy_lpdf(mu, 10.0);
    T h = h_std[0] * sigma / sqrt(1.0 - phi * phi) + mu;
    for (std::size_t t = 0; t < n; ++t) {
      if (t > 0) h = h_std[t] * sigma + mu + phi * (h - mu);
      const T scale = exp(h / 2.0);
      const T z = y[t] / scale;
      lp += -0.5 * z * z - log(scale) - half_log_two_pi;
      lp += -0.5 * h_std[t] * h_std[t] - half_log_two_pi;
    }
    return lp;
  }

  static double hand(const problem& p, const double* x, double* g) {
    const std::size_t n = p.n;
    const double* y = p.data.data();
    const double* h_std = x;
    const double phi = x[n], sigma = x[n + 1], mu = x[n + 2];
    const double q = 1.0 / std::sqrt(1.0 - phi * phi);
    // Forward: h_t into g (overwritten by the reverse pass, back to front).
    double* h = g;
    double lp = cauchy_lpdf(sigma, 5.0) + cauchy_lpdf(mu, 10.0);
    for (std::size_t t = 0; t < n; ++t) {
      h[t] = t == 0 ? h_std[0] * sigma * q + mu : h_std[t] * sigma + mu + phi * (h[t - 1] - mu);
      // -0.5 y^2 exp(-h) - h / 2 is -0.5 (y / exp(h / 2))^2 - log(exp(h / 2)).
      lp += -0.5 * y[t] * y[t] * std::exp(-h[t]) - 0.5 * h[t] - 0.5 * h_std[t] * h_std[t] -
            2.0 * half_log_two_pi;
    }
    // Reverse: hbar_t = a_t + phi hbar_{t+1}.
    double hbar = 0.0, dphi = 0.0, dsigma = 0.0, dmu = 0.0;
    for (std::size_t t = n; t-- > 1;) {
      hbar = 0.5 * y[t] * y[t] * std::exp(-h[t]) - 0.5 + phi * hbar;
      dphi += hbar * (h[t - 1] - mu);
      dsigma += hbar * h_std[t];
      dmu += hbar * (1.0 - phi);
      g[t] = hbar * sigma - h_std[t];
    }
    hbar = 0.5 * y[0] * y[0] * std::exp(-h[0]) - 0.5 + phi * hbar;
    // d/dphi of 1 / sqrt(1 - phi^2) = phi q^3.
    dphi += hbar * sigma * h_std[0] * phi * q * q * q;
    dsigma += hbar * h_std[0] * q;
    dmu += hbar;
    g[0] = hbar * sigma * q - h_std[0];
    g[n] = dphi;
    g[n + 1] = dsigma + cauchy_lpdf_derivative(sigma, 5.0);
    g[n + 2] = dmu + cauchy_lpdf_derivative(mu, 10.0);
    return lp;
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    using vector = Eigen::VectorXd;
    const auto n = static_cast<Eigen::Index>(p.n);
    const Eigen::Map<const vector> y(p.data.data(), n);
    tape.clear();
    const gg::real_vector h_std = tape.variable("h_std", Eigen::Map<const vector>(x, n));
    const gg::real phi = tape.variable("phi", x[n]);
    const gg::real sigma = tape.variable("sigma", x[n + 1]);
    const gg::real mu = tape.variable("mu", x[n + 2]);
    Eigen::Matrix<gg::real, Eigen::Dynamic, 1> hs(n);
    hs(0) = h_std(0) * sigma / gg::sqrt(1.0 - phi * phi) + mu;
    for (Eigen::Index t = 1; t < n; ++t) hs(t) = h_std(t) * sigma + mu + phi * (hs(t - 1) - mu);
    const gg::real_vector h(hs);
    const gg::real lp = -0.5 * gg::dot(y.array().square().matrix(), gg::exp(-h)) -
                        0.5 * gg::sum(h) - 0.5 * gg::squared_norm(h_std) + cauchy_lpdf(sigma, 5.0) +
                        cauchy_lpdf(mu, 10.0) - 2.0 * static_cast<double>(n) * half_log_two_pi;
    const auto grad = tape.gradient(lp, {h_std, phi, sigma, mu});
    Eigen::Map<vector>(g, n) = grad[h_std];
    g[n] = grad[phi];
    g[n + 1] = grad[sigma];
    g[n + 2] = grad[mu];
    return gg::value(lp);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<stochastic_volatility>({2, 8, 32, 128, 512, 2048, 8192});
  return bench::run_benchmarks(argc, argv);
}
