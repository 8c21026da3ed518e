// Forward mode against its peers: the value and full gradient of one
// 20-input function, one pass with 20 tangents (family forward, size 20).
//
//   f(x) = sum_i [exp(0.1 x_i) sin(x_{i+1}) + log(1 + x_i^2) x_{i+1}]
//          + prod_i (1 + 0.05 x_i),              i + 1 taken mod 20, x_i in [-1, 1]
//
// written once, templated on the scalar (the way a user writes a Ceres cost
// functor). Columns (bench/harness.hpp): double, hand (each exp/sin/cos/log
// once; the product's partials as P / (1 + 0.05 x_k)), tape, and the forward
// columns with exactly 20 tangents: dual (gg::dual<double, 20>), jet
// (ceres::Jet<double, 20>), autodiffscalar (Eigen::AutoDiffScalar of a
// 20-vector), sacadofad (Sacado::Fad::SFad<double, 20>); the reverse-mode
// peers too. One more column here:
//   dualdynamic     gg::dual<double, gg::dynamic>: 20 tangents sized at run time.
// Nothing is recorded by the forward columns: each runs the function once per
// iteration, seeding its 20 inputs inside the timed loop.

#include <array>

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

constexpr std::size_t n = 20;

struct forward20 {
  static constexpr const char* name = "forward";
  static constexpr std::size_t forward_width = n;

  static problem make(std::size_t size) {
    return bench::make_table(size, n, 20u,
                             [](bench::lcg& u, std::size_t) { return u.uniform(-1, 1); });
  }

  template <class S>
  static S f(const problem&, const S* x) {
    using std::exp, std::log, std::sin;
    S acc(0.0);
    S p(1.0);
    for (std::size_t i = 0; i < n; ++i) {
      const S& a = x[i];
      const S& b = x[(i + 1) % n];
      acc += exp(0.1 * a) * sin(b) + log(1.0 + a * a) * b;
      p *= 1.0 + 0.05 * a;
    }
    return acc + p;
  }

  static double hand(const problem&, const double* x, double* g) {
    std::array<double, n> e, s, c, l, q;
    double p = 1, f = 0;
    for (std::size_t i = 0; i < n; ++i) {
      e[i] = std::exp(0.1 * x[i]);
      s[i] = std::sin(x[i]);
      c[i] = std::cos(x[i]);
      l[i] = std::log(1.0 + x[i] * x[i]);
      q[i] = 1.0 + 0.05 * x[i];
      p *= q[i];
    }
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t j = (i + 1) % n, k = (i + n - 1) % n;
      f += e[i] * s[j] + l[i] * x[j];
      g[i] = 0.1 * e[i] * s[j] + 2 * x[i] / (1.0 + x[i] * x[i]) * x[j]  // as a_i
             + e[k] * c[i] + l[k]                                       // as a_{i+1} of term k
             + 0.05 * p / q[i];
    }
    return f + p;
  }
};

void bench_dual_dynamic(benchmark::State& state, bench::benchmark_case& c) {
  using D = gg::dual<double, gg::dynamic>;
  bench::bench_forward<forward20, D>(
      state, c, n, [](double v, std::size_t i) { return D::variable(v, i, n); },
      [](const D& y, double* g, std::size_t dim) {
        for (std::size_t i = 0; i < dim; ++i) g[i] = gg::detail::component(y.tangent, i);
        return y.value;
      });
}

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<forward20>({n});
  bench::add(forward20::name, std::to_string(n), "dualdynamic", bench_dual_dynamic);
  return bench::run_benchmarks(argc, argv);
}
