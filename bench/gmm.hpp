// The Gaussian mixture model objective of ADBench / GradBench, with its
// Wishart prior: the function (templated on the scalar, so the same code runs
// on double and on every AD scalar) and a hand-written value + gradient.
//
// Parameters, packed in one array theta (and the gradient in the same layout):
//   alphas  k            mixture weights (log, unnormalised)
//   means   k x d        row c is mu_c
//   icf     k x d(d+1)/2 row c parametrises Q_c, lower triangular: its diagonal
//                        is exp(icf_c[0..d)), its strictly lower part is filled
//                        column by column from icf_c[d..] (Q(1,0), Q(2,0), ...,
//                        Q(d-1,0), Q(2,1), ...).
// Data: n points x_i in R^d (row i of x).
//
//   f = -n d/2 log(2 pi) + sum_i logsumexp_c(main_ic) - n logsumexp(alphas) + wishart
//   main_ic = alpha_c + sum(icf_c[0..d)) - 1/2 |Q_c (x_i - mu_c)|^2
//   wishart = sum_c [gamma^2/2 (|exp(icf_c[0..d))|^2 + |icf_c[d..]|^2) - m sum(icf_c[0..d))]
//             - k C,  C = n' d (log(gamma) - log(2)/2) - multigammaln(n'/2, d),
//   n' = d + m + 1; gamma = 1, m = 0 (ADBench's choice).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace gmm {

inline constexpr double pi = 3.14159265358979323846;

// The sizes and the data (a view: the caller owns the points).
struct problem {
  int d = 0, k = 0, n = 0;
  double gamma = 1.0;  // Wishart prior
  int m = 0;
  std::span<const double> x;  // n x d, row-major
  // Sizes and offsets in theta.
  int icf_size() const { return d * (d + 1) / 2; }
  std::size_t means_offset() const { return static_cast<std::size_t>(k); }
  std::size_t icf_offset() const { return static_cast<std::size_t>(k + k * d); }
  std::size_t parameters() const { return static_cast<std::size_t>(k + k * d + k * icf_size()); }
};

// log Gamma_p(a), the multivariate gamma function.
inline double multigammaln(double a, int p) {
  double r = 0.25 * p * (p - 1) * std::log(pi);
  for (int j = 1; j <= p; ++j) r += std::lgamma(a + 0.5 * (1 - j));
  return r;
}

// Everything of f that does not depend on theta.
inline double constant_terms(const problem& pb) {
  const double n_prime = pb.d + pb.m + 1;
  const double c = n_prime * pb.d * (std::log(pb.gamma) - 0.5 * std::log(2.0)) -
                   multigammaln(0.5 * n_prime, pb.d);
  return -pb.n * pb.d * 0.5 * std::log(2 * pi) - pb.k * c;
}

// A generated instance: the data and a point theta, from a fixed seed.
// x uniform in [0, 1)^d, alphas and icf standard normal, means uniform in
// [0, 1). (Box-Muller on mt19937's own output, so the numbers are the same
// with every standard library.)
struct instance {
  int d = 0, k = 0, n = 0;
  std::vector<double> x;  // n x d, row-major
  std::vector<double> theta;
  problem pb() const { return {.d = d, .k = k, .n = n, .x = x}; }
};

inline instance make_instance(int d, int k, int n, std::uint32_t seed) {
  std::mt19937 engine(seed);
  const auto uniform = [&engine] {
    return (static_cast<double>(engine() >> 5) + 0.5) / static_cast<double>(1u << 27);
  };
  const auto normal = [&] {
    return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2 * pi * uniform());
  };
  instance in;
  in.d = d;
  in.k = k;
  in.n = n;
  in.x.resize(static_cast<std::size_t>(n * d));
  for (double& v : in.x) v = uniform();
  const problem pb = in.pb();
  in.theta.resize(pb.parameters());
  for (int c = 0; c < k; ++c) in.theta[c] = normal();
  for (std::size_t j = pb.means_offset(); j < pb.icf_offset(); ++j) in.theta[j] = uniform();
  for (std::size_t j = pb.icf_offset(); j < in.theta.size(); ++j) in.theta[j] = normal();
  return in;
}

// ---------------------------------------------------------------------------
// The objective, for any scalar T (double, gg::real, adouble, ADvar, ...).

// Per-call temporaries, allocated once by the caller.
template <class T>
struct workspace {
  std::vector<T> qdiag;   // k x d: exp(icf_c[0..d))
  std::vector<T> sum_qs;  // k: sum(icf_c[0..d)) = log det Q_c
  std::vector<T> xc;      // d: x_i - mu_c
  std::vector<T> main;    // k: main_ic
  explicit workspace(const problem& pb)
      : qdiag(static_cast<std::size_t>(pb.k * pb.d)),
        sum_qs(static_cast<std::size_t>(pb.k)),
        xc(static_cast<std::size_t>(pb.d)),
        main(static_cast<std::size_t>(pb.k)) {}
};

// log(sum_j exp(v_j)), shifted by the largest v_j.
template <class T>
T log_sum_exp(const T* v, int size) {
  using std::exp;
  using std::log;
  T mx = v[0];
  for (int j = 1; j < size; ++j)
    if (v[j] > mx) mx = v[j];
  T s = 0.0;
  for (int j = 0; j < size; ++j) s += exp(v[j] - mx);
  return log(s) + mx;
}

template <class T>
T objective(const problem& pb, const T* theta, workspace<T>& w) {
  using std::exp;
  const int d = pb.d, k = pb.k, ic = pb.icf_size();
  const T* alphas = theta;
  const T* means = theta + pb.means_offset();
  const T* icf = theta + pb.icf_offset();

  for (int c = 0; c < k; ++c) {
    const T* q = icf + c * ic;
    T s = q[0];
    for (int r = 1; r < d; ++r) s += q[r];
    w.sum_qs[c] = s;
    for (int r = 0; r < d; ++r) w.qdiag[c * d + r] = exp(q[r]);
  }

  T slse = 0.0;
  for (int i = 0; i < pb.n; ++i) {
    const double* xi = pb.x.data() + i * d;
    for (int c = 0; c < k; ++c) {
      const T* mu = means + c * d;
      const T* qd = w.qdiag.data() + c * d;
      const T* l = icf + c * ic + d;  // strictly lower part, column by column
      for (int r = 0; r < d; ++r) w.xc[r] = xi[r] - mu[r];
      // |Q xc|^2, row by row: (Q xc)_r = qd_r xc_r + sum_{col < r} Q(r, col) xc_col.
      T sq = 0.0;
      for (int r = 0; r < d; ++r) {
        T row = qd[r] * w.xc[r];
        for (int col = 0, idx = r - 1; col < r; ++col, idx += d - col - 1)
          row += l[idx] * w.xc[col];
        sq += row * row;
      }
      w.main[c] = alphas[c] + w.sum_qs[c] - 0.5 * sq;
    }
    slse += log_sum_exp(w.main.data(), k);
  }

  const double g2 = 0.5 * pb.gamma * pb.gamma;
  T wishart = 0.0;
  for (int c = 0; c < k; ++c) {
    const T* qd = w.qdiag.data() + c * d;
    const T* l = icf + c * ic + d;
    T fro = qd[0] * qd[0];
    for (int r = 1; r < d; ++r) fro += qd[r] * qd[r];
    for (int j = 0; j < ic - d; ++j) fro += l[j] * l[j];
    wishart += g2 * fro - static_cast<double>(pb.m) * w.sum_qs[c];
  }
  const T lse_alphas = log_sum_exp(alphas, k);
  return slse - static_cast<double>(pb.n) * lse_alphas + wishart + constant_terms(pb);
}

// ---------------------------------------------------------------------------
// The hand-written value + gradient: one pass over the data. Per point, the
// forward part stores x_i - mu_c and Q_c (x_i - mu_c) for every c; with the
// posterior p_c = exp(main_ic - lse_i) (the derivative of the log-sum-exp),
//   d/d alpha_c          += p_c
//   d/d mu_c             += p_c Q_c^T Q_c (x_i - mu_c)
//   d/d icf_c[r], r < d  += p_c (1 - (Q_c xc)_r exp(icf_c[r]) xc_r)
//   d/d Q_c(r, col)      -= p_c (Q_c xc)_r xc_col     (strictly lower part)
// then -n softmax(alphas) and the prior: gamma^2 exp(2 icf_c[r]) - m on the
// diagonal, gamma^2 Q_c(r, col) below it.

struct hand_workspace {
  std::vector<double> qdiag, sum_qs, xc, qxc, main, tmp;
  explicit hand_workspace(const problem& pb)
      : qdiag(static_cast<std::size_t>(pb.k * pb.d)),
        sum_qs(static_cast<std::size_t>(pb.k)),
        xc(static_cast<std::size_t>(pb.k * pb.d)),
        qxc(static_cast<std::size_t>(pb.k * pb.d)),
        main(static_cast<std::size_t>(pb.k)),
        tmp(static_cast<std::size_t>(pb.d)) {}
};

inline double objective_and_gradient(const problem& pb, const double* theta, double* grad,
                                     hand_workspace& w) {
  const int d = pb.d, k = pb.k, ic = pb.icf_size();
  const double* alphas = theta;
  const double* means = theta + pb.means_offset();
  const double* icf = theta + pb.icf_offset();
  double* g_alphas = grad;
  double* g_means = grad + pb.means_offset();
  double* g_icf = grad + pb.icf_offset();
  for (std::size_t j = 0; j < pb.parameters(); ++j) grad[j] = 0.0;

  for (int c = 0; c < k; ++c) {
    const double* q = icf + c * ic;
    double s = 0.0;
    for (int r = 0; r < d; ++r) {
      s += q[r];
      w.qdiag[c * d + r] = std::exp(q[r]);
    }
    w.sum_qs[c] = s;
  }

  double slse = 0.0;
  for (int i = 0; i < pb.n; ++i) {
    const double* xi = pb.x.data() + i * d;
    // Forward: main_ic, keeping xc and Q xc of every component.
    double mx = -HUGE_VAL;
    for (int c = 0; c < k; ++c) {
      const double* mu = means + c * d;
      const double* qd = w.qdiag.data() + c * d;
      const double* l = icf + c * ic + d;
      double* xc = w.xc.data() + c * d;
      double* qxc = w.qxc.data() + c * d;
      for (int r = 0; r < d; ++r) xc[r] = xi[r] - mu[r];
      double sq = 0.0;
      for (int r = 0; r < d; ++r) {
        double row = qd[r] * xc[r];
        for (int col = 0, idx = r - 1; col < r; ++col, idx += d - col - 1) row += l[idx] * xc[col];
        qxc[r] = row;
        sq += row * row;
      }
      const double m = alphas[c] + w.sum_qs[c] - 0.5 * sq;
      w.main[c] = m;
      mx = m > mx ? m : mx;
    }
    double s = 0.0;
    for (int c = 0; c < k; ++c) {
      w.main[c] = std::exp(w.main[c] - mx);
      s += w.main[c];
    }
    slse += std::log(s) + mx;
    // Backward, weighted by the posterior.
    const double inv = 1.0 / s;
    for (int c = 0; c < k; ++c) {
      const double p = w.main[c] * inv;
      const double* qd = w.qdiag.data() + c * d;
      const double* l = icf + c * ic + d;
      const double* xc = w.xc.data() + c * d;
      double* pq = w.qxc.data() + c * d;  // becomes p Q xc
      double* gmu = g_means + c * d;
      double* gq = g_icf + c * ic;
      double* gl = gq + d;
      g_alphas[c] += p;
      for (int r = 0; r < d; ++r) {
        pq[r] *= p;
        gq[r] += p - pq[r] * qd[r] * xc[r];
        w.tmp[r] = qd[r] * pq[r];  // (Q^T p Q xc)_r, diagonal part
      }
      for (int col = 0, idx = 0; col < d; ++col) {
        double t = w.tmp[col];
        const double xcol = xc[col];
        for (int r = col + 1; r < d; ++r, ++idx) {
          gl[idx] -= pq[r] * xcol;
          t += l[idx] * pq[r];
        }
        gmu[col] += t;
      }
    }
  }

  // -n logsumexp(alphas).
  double amx = alphas[0];
  for (int c = 1; c < k; ++c) amx = alphas[c] > amx ? alphas[c] : amx;
  double as = 0.0;
  for (int c = 0; c < k; ++c) as += std::exp(alphas[c] - amx);
  const double lse_alphas = std::log(as) + amx;
  for (int c = 0; c < k; ++c) g_alphas[c] -= pb.n * std::exp(alphas[c] - lse_alphas);

  // The Wishart prior.
  const double g2 = pb.gamma * pb.gamma;
  double wishart = 0.0;
  for (int c = 0; c < k; ++c) {
    const double* qd = w.qdiag.data() + c * d;
    const double* l = icf + c * ic + d;
    double* gq = g_icf + c * ic;
    double fro = 0.0;
    for (int r = 0; r < d; ++r) {
      fro += qd[r] * qd[r];
      gq[r] += g2 * qd[r] * qd[r] - pb.m;
    }
    for (int j = 0; j < ic - d; ++j) {
      fro += l[j] * l[j];
      gq[d + j] += g2 * l[j];
    }
    wishart += 0.5 * g2 * fro - pb.m * w.sum_qs[c];
  }
  return slse - pb.n * lse_alphas + wishart + constant_terms(pb);
}

}  // namespace gmm
