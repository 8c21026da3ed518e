// llsq (GradBench's linear least squares): m = 128 sample points
//   t_i = -1 + 2 i / (m - 1),   s_i = sign(t_i)  (0 at t_i = 0),   i < m,
// and n inputs x_j, the coefficients of a polynomial fitted to the step s:
//   f(x) = 0.5 * sum_{i<m} (s_i - sum_{j<n} x_j t_i^j)^2,
// x_j uniform in [-1, 1] (bench::lcg), n = 2, 8, 32, 128, 512, 2048, 8192,
// 16384. With A_ij = t_i^j and r = s - A x: f = 0.5 |r|^2, grad f = -A^T r.
//
// The data t, s and A (m x n, row-major, A_ij = std::pow(t_i, j): the
// numbers GradBench's reference multiplies by) are computed once per size.
// f<T> is GradBench's loop with pow(t_i, j) read from A:
//   for i < m: { T r(s_i); for j < n: r -= x[j] * A_ij; acc += r * r; }
//   return 0.5 * acc;
// one tape statement per term, m * n in all. (A running product
// tp *= t_i in place of A_ij gets stuck at +-4.9e-324 instead of
// underflowing to 0 when |t_i| > 0.5: a third of the terms at n = 16384
// were subnormal, and double and hand ran 15-25x slower on them, the AD
// columns 2-4x. With pow, 0.6% are.)
//
// Columns (bench/harness.hpp): double, hand (r = s - A x, g = -A^T r with
// Eigen on A), tape, adolcretape, adolcreplay (f has no branch on x), sacado,
// and the forward columns for n <= 16 (n = 2, 8); plus
//   realmatrix   A a constant Eigen matrix (m x n), x one gg::real_vector:
//                r = s - A * x (two blocks), f = 0.5 * gg::squared_norm(r).

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

struct llsq {
  static constexpr const char* name = "llsq";
  static constexpr std::size_t m = 128;

  using row_major = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  // data: t (m), s (m), then A (m x n, row-major).
  static const double* s_of(const problem& p) { return p.data.data() + m; }
  static const double* a_data(const problem& p) { return p.data.data() + 2 * m; }
  static Eigen::Map<const row_major> a_of(const problem& p) {
    return {a_data(p), static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(p.n)};
  }

  static problem make(std::size_t n) {
    problem p =
        bench::make_table(n, n, 37u, [](bench::lcg& u, std::size_t) { return u.uniform(-1, 1); });
    p.data.resize(2 * m + m * n);
    double* t = p.data.data();
    double* s = t + m;
    double* a = s + m;
    for (std::size_t i = 0; i < m; ++i) {
      t[i] = -1.0 + 2.0 * static_cast<double>(i) / static_cast<double>(m - 1);
      s[i] = t[i] > 0.0 ? 1.0 : t[i] < 0.0 ? -1.0 : 0.0;
      for (std::size_t j = 0; j < n; ++j) a[i * n + j] = std::pow(t[i], static_cast<double>(j));
    }
    return p;
  }

  template <class T>
  static T f(const problem& p, const T* x) {
    const double* s = s_of(p);
    T acc(0.0);
    for (std::size_t i = 0; i < m; ++i) {
      const double* a = a_data(p) + i * p.n;
      T r(s[i]);
      for (std::size_t j = 0; j < p.n; ++j) r -= x[j] * a[j];
      acc += r * r;
    }
    return 0.5 * acc;
  }

  static double hand(const problem& p, const double* x, double* g) {
    const auto a = a_of(p);
    const Eigen::Map<const Eigen::VectorXd> xv(x, static_cast<Eigen::Index>(p.n));
    Eigen::Matrix<double, m, 1> r = Eigen::Map<const Eigen::Matrix<double, m, 1>>(s_of(p));
    r.noalias() -= a * xv;
    Eigen::Map<Eigen::VectorXd> gv(g, static_cast<Eigen::Index>(p.n));
    gv.setZero();
    gv.noalias() -= a.transpose() * r;
    return 0.5 * r.squaredNorm();
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    tape.clear();
    const auto xv = tape.variable("x", Eigen::Map<const Eigen::VectorXd>(x, p.dim));
    const Eigen::Map<const Eigen::Matrix<double, m, 1>> s(s_of(p));
    const gg::real_vector r = s - a_of(p) * xv;
    const gg::real y = 0.5 * gg::squared_norm(r);
    const auto grad = tape.gradient(y, {xv});
    Eigen::Map<Eigen::VectorXd>(g, p.dim) = grad[xv];
    return gg::value(y);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<llsq>({2, 8, 32, 128, 512, 2048, 8192, 16384});
  return bench::run_benchmarks(argc, argv);
}
