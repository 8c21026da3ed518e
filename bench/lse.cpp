// lse (GradBench's "lse"): f(x) = log(sum_i exp(x_i)), computed stably as
//   m = max_i x_i,   f(x) = m + log(sum_i exp(x_i - m)),
// x_i uniform in [-2, 2] (bench::lcg), n = 10, 100, ..., 10^6 inputs.
// The gradient is the softmax: df/dx_i = exp(x_i - m) / sum_j exp(x_j - m).
//
// The shift m is taken without gradient, as a user of a tape writes it
// (GradBench's reference takes std::max of the active scalars instead): f is
// exact for any constant m, so its derivative through m is zero either way.
// In f<T>, m is a plain double read from the inputs' values (bench::passive:
// gg::value for a gg::real, getValue() for an adouble, ...), and the sum is
// the loop acc += exp(x[i] - m): one tape statement per input.
//
// Columns (bench/harness.hpp): double, hand (the softmax), tape, adolcretape,
// adolcreplay, sacado, and the forward columns at n = 10; plus
//   realmatrix   gg::log_sum_exp of the inputs as one gg::real_vector: one
//                block, the maximum shifted out inside the library.
// ADOL-C's replay re-evaluates the tape at a new input with the m recorded at
// the first one: still exactly f (the shift cancels) and exactly its softmax
// gradient, and with x in [-2, 2] every x_i - m stays in [-4, 4], so no
// overflow; the start-up check compares it with the hand-written gradient.

#include "harness.hpp"

namespace {

using bench::problem;
namespace gg = gradguard;

struct lse {
  static constexpr const char* name = "lse";

  static problem make(std::size_t n) {
    return bench::make_table(n, n, 23u,
                             [](bench::lcg& u, std::size_t) { return u.uniform(-2, 2); });
  }

  template <class T>
  static T f(const problem& p, const T* x) {
    using std::exp;
    using std::log;
    double m = bench::passive(x[0]);
    for (std::size_t i = 1; i < p.n; ++i) m = std::max(m, bench::passive(x[i]));
    T acc(0.0);
    for (std::size_t i = 0; i < p.n; ++i) acc += exp(x[i] - m);
    return m + log(acc);
  }

  // The softmax: the exponentials go to g, then are divided by their sum.
  static double hand(const problem& p, const double* x, double* g) {
    double m = x[0];
    for (std::size_t i = 1; i < p.n; ++i) m = std::max(m, x[i]);
    double sum = 0.0;
    for (std::size_t i = 0; i < p.n; ++i) {
      g[i] = std::exp(x[i] - m);
      sum += g[i];
    }
    const double inv = 1.0 / sum;
    for (std::size_t i = 0; i < p.n; ++i) g[i] *= inv;
    return m + std::log(sum);
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    return bench::vector_reduction(p, tape, x, g, [](const auto& v) { return gg::log_sum_exp(v); });
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<lse>({10, 100, 1000, 10000, 100000, 1000000});
  return bench::run_benchmarks(argc, argv);
}
