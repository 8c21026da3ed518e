// sum and sum_iter (Stan Math / FastAD microbenchmarks): f(x) = sum_i x_i,
// x_i uniform in [-1, 1], N = 1, 4, ..., 16384 (powers of 4).
//
//   sum        the vectorised form, one call on the whole vector:
//              gradguard static: the fold x_1 + ... + x_N as one static
//              expression (N <= 16, the arguments of gg::value_and_grad);
//              realmatrix: gg::sum of a gg::real_vector (one block).
//   sum_iter   the loop acc += x[i], on every scalar: gg::real (the tape),
//              ADOL-C, Sacado, and the forward scalars for N <= 16.
// Columns and checks: bench/harness.hpp.

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

problem make_sum(std::size_t n) {
  return bench::make_table(n, n, 11u, [](bench::lcg& u, std::size_t) { return u.uniform(-1, 1); });
}

template <class T>
T sum_loop(const T* x, std::size_t n) {
  T acc(0.0);
  for (std::size_t i = 0; i < n; ++i) acc += x[i];
  return acc;
}

double sum_hand(const problem& p, const double* x, double* g) {
  double acc = 0.0;
  for (std::size_t i = 0; i < p.n; ++i) {
    acc += x[i];
    g[i] = 1.0;
  }
  return acc;
}

struct sum_iter {
  static constexpr const char* name = "sum_iter";
  static problem make(std::size_t n) { return make_sum(n); }
  template <class T>
  static T f(const problem& p, const T* x) {
    return sum_loop(x, p.n);
  }
  static double hand(const problem& p, const double* x, double* g) { return sum_hand(p, x, g); }
};

// The same function, its vectorised columns (the loop's are sum_iter's).
struct sum : sum_iter {
  static constexpr const char* name = "sum";
  static constexpr bool scalar_tape = false;
  static constexpr std::size_t forward_max = 0;

  static constexpr std::array<std::size_t, 3> static_sizes{1, 4, 16};
  template <std::size_t N>
  static double gradguard(const problem&, const double* x, double* g) {
    return bench::static_gradient<N>(x, g, [](const auto&... v) { return (v + ...); });
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    return bench::vector_reduction(p, tape, x, g, [](const auto& v) { return gg::sum(v); });
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::initializer_list<std::size_t> sizes{1, 4, 16, 64, 256, 1024, 4096, 16384};
  bench::register_workload<sum>(sizes);
  bench::register_workload<sum_iter>(sizes);
  return bench::run_benchmarks(argc, argv);
}
