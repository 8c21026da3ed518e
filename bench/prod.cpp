// prod and prod_iter: f(x) = prod_i x_i, x_i = 1 + 1e-3 u with u uniform in
// [-1, 1] (so the product stays near 1 at every N), N = 1, 4, ..., 16384
// (powers of 4). The hand-written gradient is df/dx_i = prod_{j != i} x_j,
// the prefix product before i times the suffix product after it (no
// division, so it holds at a zero x_i too).
//
//   prod       the vectorised form, one call on the whole vector:
//              gradguard static: the fold x_1 * ... * x_N as one static
//              expression (N <= 16, the arguments of gg::value_and_grad);
//              realmatrix: gg::prod of a gg::real_vector (one block; its
//              adjoint rule uses prefix and suffix products too).
//   prod_iter  the loop acc *= x[i], on every scalar: gg::real (the tape),
//              ADOL-C, Sacado, and the forward scalars for N <= 16.
// Columns and checks: bench/harness.hpp.

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

problem make_prod(std::size_t n) {
  return bench::make_table(
      n, n, 13u, [](bench::lcg& u, std::size_t) { return 1.0 + 1e-3 * u.uniform(-1, 1); });
}

template <class T>
T prod_loop(const T* x, std::size_t n) {
  T acc(1.0);
  for (std::size_t i = 0; i < n; ++i) acc *= x[i];
  return acc;
}

// Prefix products forward, suffix products backward: no division.
double prod_hand(const problem& p, const double* x, double* g) {
  double prefix = 1.0;
  for (std::size_t i = 0; i < p.n; ++i) {
    g[i] = prefix;
    prefix *= x[i];
  }
  double suffix = 1.0;
  for (std::size_t i = p.n; i-- > 0;) {
    g[i] *= suffix;
    suffix *= x[i];
  }
  return prefix;
}

struct prod_iter {
  static constexpr const char* name = "prod_iter";
  static problem make(std::size_t n) { return make_prod(n); }
  template <class T>
  static T f(const problem& p, const T* x) {
    return prod_loop(x, p.n);
  }
  static double hand(const problem& p, const double* x, double* g) { return prod_hand(p, x, g); }
};

// The same function, its vectorised columns (the loop's are prod_iter's).
struct prod : prod_iter {
  static constexpr const char* name = "prod";
  static constexpr bool scalar_tape = false;
  static constexpr std::size_t forward_max = 0;

  static constexpr std::array<std::size_t, 3> static_sizes{1, 4, 16};
  template <std::size_t N>
  static double gradguard(const problem&, const double* x, double* g) {
    return bench::static_gradient<N>(x, g, [](const auto&... v) { return (v * ...); });
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    return bench::vector_reduction(p, tape, x, g, [](const auto& v) { return gg::prod(v); });
  }
};

}  // namespace

int main(int argc, char** argv) {
  const std::initializer_list<std::size_t> sizes{1, 4, 16, 64, 256, 1024, 4096, 16384};
  bench::register_workload<prod>(sizes);
  bench::register_workload<prod_iter>(sizes);
  return bench::run_benchmarks(argc, argv);
}
