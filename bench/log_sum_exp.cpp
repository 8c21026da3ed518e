// log_sum_exp: f(x) = log(sum_i exp(x_i)), written as a loop with no
// maximum shifted out (x_i uniform in [-1, 1], so nothing overflows),
// N = 1, 4, ..., 16384 (powers of 4). The hand-written gradient is the
// softmax: df/dx_i = exp(x_i) / sum_j exp(x_j).
//
// Columns: the loop on every scalar (gg::real (the tape), ADOL-C, Sacado,
// and the forward scalars for N <= 16); gradguard static: log(exp(x_1) +
// ... + exp(x_N)) as one static expression (N <= 16, the arguments of
// gg::value_and_grad); realmatrix: gg::log_sum_exp of a gg::real_vector (one
// block, which does shift the maximum out: the same value up to rounding).
// Columns and checks: bench/harness.hpp.

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

struct log_sum_exp {
  static constexpr const char* name = "log_sum_exp";
  static problem make(std::size_t n) {
    return bench::make_table(n, n, 17u,
                             [](bench::lcg& u, std::size_t) { return u.uniform(-1, 1); });
  }

  template <class T>
  static T f(const problem& p, const T* x) {
    using std::exp;
    using std::log;
    T s(0.0);
    for (std::size_t i = 0; i < p.n; ++i) s += exp(x[i]);
    return log(s);
  }

  static double hand(const problem& p, const double* x, double* g) {
    double s = 0.0;
    for (std::size_t i = 0; i < p.n; ++i) {
      g[i] = std::exp(x[i]);
      s += g[i];
    }
    const double inv = 1.0 / s;
    for (std::size_t i = 0; i < p.n; ++i) g[i] *= inv;
    return std::log(s);
  }

  static constexpr std::array<std::size_t, 3> static_sizes{1, 4, 16};
  template <std::size_t N>
  static double gradguard(const problem&, const double* x, double* g) {
    return bench::static_gradient<N>(x, g,
                                     [](const auto&... v) { return gg::log((gg::exp(v) + ...)); });
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    return bench::vector_reduction(p, tape, x, g, [](const auto& v) { return gg::log_sum_exp(v); });
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<log_sum_exp>({1, 4, 16, 64, 256, 1024, 4096, 16384});
  return bench::run_benchmarks(argc, argv);
}
