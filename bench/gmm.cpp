// gmm: the Gaussian mixture model objective of ADBench / GradBench with its
// Wishart prior (bench/gmm.hpp: the formula, gmm::objective and the
// hand-written gmm::objective_and_gradient), at (d, k, n) = (10, 25, 1000)
// and (64, 10, 1000): k (1 + d + d (d + 1) / 2) = 1650 and 21450 parameters
// (alphas, means, icf), benchmarks BM_gmm_<d>x<k>x<n>_<column>.
//
// Data: n points uniform in [0, 1)^d (gmm::make_instance, seed 2024), fixed.
// Parameter rows (bench::make_table, the harness's lcg): alphas and icf
// standard normal (Box-Muller), means uniform in [0, 1).
//
// The objective is written once (gmm::objective, plain loops templated on the
// scalar). Columns (bench/harness.hpp): double, hand, tape (gg::real: one
// statement per assignment), adolcretape, sacado; no ADOL-C replay (the
// log-sum-exp branches on its inputs to find the largest term) and no forward
// columns (too many inputs); plus
//   realmatrix   gradguard's matrix-valued tape variables. Per component c:
//                Q_c from icf (d exps and a copy of d^2 reals), Z = Q_c (X -
//                mu_c 1^T) as one product block, the squared column norms, the
//                main term as a 1 x n row; then the rows stacked (k x n), their
//                column log-sum-exp, and the scalar terms. About 10 blocks and
//                O(d^2) scalar statements per component, independent of n.
//
// The harness's `n` of a size is its index in `sizes` below (the problem's
// `n`, in the counters, is the number of points).
//
// Checks, before anything is timed: main() checks the hand-written gradient
// against 4-point central differences on every coordinate of a small instance
// (d = 3, k = 4, n = 10); the harness checks it against central differences on
// 32 coordinates of each benchmarked size, then every AD column against it.

#include <string>

#include "gmm.hpp"
#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

struct gmm_size {
  int d, k, n;
};

constexpr gmm_size sizes[] = {{10, 25, 1000}, {64, 10, 1000}};

// The gmm::problem of a harness problem: shape = {d, k, n}, data = the points.
gmm::problem view(const problem& p) {
  return {.d = static_cast<int>(p.shape[0]),
          .k = static_cast<int>(p.shape[1]),
          .n = static_cast<int>(p.shape[2]),
          .x = p.data};
}

struct gmm_objective {
  static constexpr const char* name = "gmm";

  static problem make(std::size_t index) {
    const gmm_size s = sizes[index];
    gmm::instance in = gmm::make_instance(s.d, s.k, s.n, 2024);
    const gmm::problem pb = in.pb();
    const std::size_t means = pb.means_offset(), icf = pb.icf_offset();
    problem p = bench::make_table(index, pb.parameters(), 2024u, [&](bench::lcg& u, std::size_t j) {
      if (j >= means && j < icf) return u.next();
      const double r = std::sqrt(-2.0 * std::log(1.0 - u.next()));  // 1 - u in (0, 1]
      return r * std::cos(2 * gmm::pi * u.next());
    });
    p.n = static_cast<std::size_t>(s.n);
    p.data = std::move(in.x);
    p.shape = {static_cast<std::size_t>(s.d), static_cast<std::size_t>(s.k),
               static_cast<std::size_t>(s.n)};
    return p;
  }

  template <class T>
  static T f(const problem& p, const T* theta) {
    const gmm::problem pb = view(p);
    gmm::workspace<T> w(pb);
    return gmm::objective(pb, theta, w);
  }

  static double hand(const problem& p, const double* theta, double* g) {
    const gmm::problem pb = view(p);
    gmm::hand_workspace w(pb);
    return gmm::objective_and_gradient(pb, theta, g, w);
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* theta, double* g) {
    const gmm::problem pb = view(p);
    const int d = pb.d, k = pb.k, n = pb.n, q = pb.icf_size();
    using matrix = Eigen::MatrixXd;
    tape.clear();
    // x is n x d row-major: the same memory as X, d x n column-major (a point
    // per column). theta's means (k x d row-major) are d x k column-major, a
    // mean per column; icf likewise q x k.
    const Eigen::Map<const matrix> X(pb.x.data(), d, n);
    const gg::real_vector alphas =
        tape.variable("alphas", Eigen::Map<const Eigen::VectorXd>(theta, k));
    const gg::real_matrix means =
        tape.variable("means", Eigen::Map<const matrix>(theta + pb.means_offset(), d, k));
    const gg::real_matrix icf =
        tape.variable("icf", Eigen::Map<const matrix>(theta + pb.icf_offset(), q, k));
    gg::real wishart = 0.0;
    Eigen::Matrix<gg::real, Eigen::Dynamic, Eigen::Dynamic> Q(d, d);
    std::vector<gg::real_matrix> mains(static_cast<std::size_t>(k));
    for (int c = 0; c < k; ++c) {
      gg::real sum_q = alphas(c);
      Q.setZero();
      int next = d;
      for (int j = 0; j < d; ++j) {
        const gg::real diagonal = gg::exp(icf(j, c));
        Q(j, j) = diagonal;
        sum_q += icf(j, c);
        wishart += diagonal * diagonal;
        for (int i = j + 1; i < d; ++i, ++next) {
          Q(i, j) = icf(next, c);
          wishart += Q(i, j) * Q(i, j);
        }
      }
      const gg::real_matrix Qc(Q);
      const gg::real_matrix z = Qc * gg::colwise_add(X, means.col(c) * -1.0);
      mains[static_cast<std::size_t>(c)] = gg::colwise_sum(gg::square(z)) * -0.5 + sum_q;
    }
    const gg::real slse = gg::sum(gg::colwise_log_sum_exp(gg::vstack(mains)));
    const gg::real f = slse - n * gg::log_sum_exp(alphas) + 0.5 * pb.gamma * pb.gamma * wishart +
                       gmm::constant_terms(pb);
    const auto grad = tape.gradient(f, {alphas, means, icf});
    Eigen::Map<Eigen::VectorXd>(g, k) = grad[alphas];
    Eigen::Map<matrix>(g + pb.means_offset(), d, k) = grad[means];
    Eigen::Map<matrix>(g + pb.icf_offset(), q, k) = grad[icf];
    return gg::value(f);
  }
};

// The hand-written gradient of a small instance against 4-point central
// differences (O(h^4) truncation) on every coordinate, and its value against
// gmm::objective<double>.
void check_hand_small() {
  const gmm::instance in = gmm::make_instance(3, 4, 10, 7);
  const gmm::problem pb = in.pb();
  gmm::workspace<double> w(pb);
  gmm::hand_workspace hw(pb);
  std::vector<double> theta = in.theta, g(pb.parameters());
  const double f_hand = gmm::objective_and_gradient(pb, theta.data(), g.data(), hw);
  const double f = gmm::objective(pb, theta.data(), w);
  if (std::abs(f_hand - f) > 1e-12 * std::max(1.0, std::abs(f))) {
    std::fprintf(stderr, "bench_gmm: d3_k4_n10: hand-written value %.17g != objective %.17g\n",
                 f_hand, f);
    std::abort();
  }
  // Rounding in the difference quotient is about eps |f| / h; the tolerance
  // leaves room for it and for the truncation.
  double worst = 0.0;
  for (std::size_t j = 0; j < theta.size(); ++j) {
    const double t = theta[j], h = 1e-4 * std::max(1.0, std::abs(t));
    const double fd = gradguard::central_difference(
                          [&](double tj) {
                            theta[j] = tj;
                            return gmm::objective(pb, theta.data(), w);
                          },
                          t, h)
                          .derivative;
    theta[j] = t;
    const double err = std::abs(g[j] - fd) / std::max({std::abs(g[j]), std::abs(fd), 1.0});
    worst = std::max(worst, err);
    if (err > 1e-6) {
      std::fprintf(stderr,
                   "bench_gmm: d3_k4_n10: hand-written gradient[%zu] = %.17g, finite difference "
                   "%.17g (error %.3g > 1e-6, relative to max(|g|, 1))\n",
                   j, g[j], fd, err);
      std::abort();
    }
  }
  std::fprintf(stderr,
               "checked hand-written gradient of gmm d3_k4_n10 against finite differences at "
               "every coordinate (%zu; largest error %.2g, relative to max(|g|, 1))\n",
               theta.size(), worst);
}

// BM_gmm_<d>x<k>x<n>_<column>: the harness's columns, registered here because
// register_workload names a size by its number. Listed by hand, so the
// workload declares no `replay = false` (no adolcreplay column: the
// log-sum-exp branches) nor `forward_max` (no forward columns).
void register_sizes() {
  using W = gmm_objective;
  for (std::size_t i = 0; i < std::size(sizes); ++i) {
    const std::string size = std::to_string(sizes[i].d) + "x" + std::to_string(sizes[i].k) + "x" +
                             std::to_string(sizes[i].n);
    const auto bind = [i](auto fn) {
      return [fn, i](benchmark::State& s, bench::benchmark_case& c) { fn(s, c, i); };
    };
    bench::add(W::name, size, "double", bind(bench::bench_double<W>));
    bench::add(W::name, size, "hand", bind(bench::bench_hand<W>));
    bench::add(W::name, size, "tape", bind(bench::bench_tape<W>));
    bench::add(W::name, size, "realmatrix", bind(bench::bench_realmatrix<W>));
#if GG_ADOLC
    bench::add(W::name, size, "adolcretape", bind(bench::bench_adolcretape<W>));
#endif
#if GG_SACADO
    bench::add(W::name, size, "sacado", bind(bench::bench_sacado<W>));
#endif
  }
}

}  // namespace

int main(int argc, char** argv) {
  check_hand_small();
  register_sizes();
  return bench::run_benchmarks(argc, argv);
}
