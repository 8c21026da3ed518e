// Forward mode against its peers: the value and full gradient of one
// 20-input function, one pass with 20 tangents.
//
//   f(x) = sum_i [exp(0.1 x_i) sin(x_{i+1}) + log(1 + x_i^2) x_{i+1}]
//          + prod_i (1 + 0.05 x_i),              i + 1 taken mod 20, x_i in [-1, 1]
//
// written once, templated on the scalar (the way a user writes a Ceres cost
// functor), and instantiated for:
//   double          the function on double: the value only.
//   hand            value + gradient written by hand (each exp/sin/cos/log once;
//                   the product's partials as P / (1 + 0.05 x_k)).
//   dual            gg::dual<double, 20>: the tangents are expression templates,
//                   evaluated in one loop per assignment.
//   dualdynamic     gg::dual<double, gg::dynamic>: 20 tangents sized at run time.
//   jet             ceres::Jet<double, 20> (header-only, with Eigen), if installed.
//   autodiffscalar  Eigen::AutoDiffScalar<Eigen::Matrix<double, 20, 1>>.
// Nothing is recorded: every variant runs the function once per iteration,
// seeding its 20 inputs inside the timed loop, and writes the value and the
// gradient into a preallocated buffer.
//
// Inputs cycle through a table of 64 rows filled at start-up, so nothing is
// constant-folded. Before timing, every variant's value and gradient are
// compared with the hand-written ones at every row (relative error <= 1e-12
// per component); the largest error goes to stderr, a mismatch prints the
// numbers and exits with status 1.
#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include <gradguard/gradguard.hpp>

#if defined(GRADGUARD_HAVE_CERES) && GRADGUARD_HAVE_CERES
#include <ceres/jet.h>
#define GG_CERES 1
#else
#define GG_CERES 0
#endif

namespace gg = gradguard;

namespace {

constexpr std::size_t n = 20;
constexpr std::size_t rows = 64;

template <class S>
S objective(const S* x) {
  using std::exp, std::log, std::sin;
  S f(0.0);
  S p(1.0);
  for (std::size_t i = 0; i < n; ++i) {
    const S& a = x[i];
    const S& b = x[(i + 1) % n];
    f += exp(0.1 * a) * sin(b) + log(1.0 + a * a) * b;
    p *= 1.0 + 0.05 * a;
  }
  return f + p;
}

// value + gradient by hand
double hand(const double* x, double* g) {
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

const std::vector<std::array<double, n>>& inputs() {
  static const auto table = [] {
    std::mt19937_64 rng(20);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<std::array<double, n>> t(rows);
    for (auto& r : t)
      for (auto& v : r) v = u(rng);
    return t;
  }();
  return table;
}

// ---- one pass of each variant: value into *value, gradient into g ------------

double run_double(const double* x, double*) { return objective(x); }

double run_dual(const double* x, double* g) {
  using D = gg::dual<double, n>;
  std::array<D, n> d;
  for (std::size_t i = 0; i < n; ++i) d[i] = D::variable(x[i], i);
  const D y = objective(d.data());
  for (std::size_t i = 0; i < n; ++i) g[i] = y.tangent[i];
  return y.value;
}

double run_dual_dynamic(const double* x, double* g) {
  using D = gg::dual<double, gg::dynamic>;
  thread_local std::vector<D> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = D::variable(x[i], i, n);
  const D y = objective(d.data());
  for (std::size_t i = 0; i < n; ++i) g[i] = gg::detail::component(y.tangent, i);
  return y.value;
}

#if GG_CERES
double run_jet(const double* x, double* g) {
  using J = ceres::Jet<double, static_cast<int>(n)>;
  std::array<J, n> d;
  for (std::size_t i = 0; i < n; ++i) d[i] = J(x[i], static_cast<int>(i));
  const J y = objective(d.data());
  for (std::size_t i = 0; i < n; ++i) g[i] = y.v[static_cast<int>(i)];
  return y.a;
}
#endif

double run_autodiffscalar(const double* x, double* g) {
  using A = Eigen::AutoDiffScalar<Eigen::Matrix<double, static_cast<int>(n), 1>>;
  std::array<A, n> d;
  for (std::size_t i = 0; i < n; ++i) d[i] = A(x[i], static_cast<int>(n), static_cast<int>(i));
  const A y = objective(d.data());
  for (std::size_t i = 0; i < n; ++i) g[i] = y.derivatives()[static_cast<int>(i)];
  return y.value();
}

using runner = double (*)(const double*, double*);

// Every variant against the hand-written gradient at every row.
bool check(const char* name, runner run, bool has_gradient) {
  double worst = 0;
  for (const auto& x : inputs()) {
    std::array<double, n> g{}, h{};
    const double v = run(x.data(), g.data());
    const double hv = hand(x.data(), h.data());
    auto rel = [](double a, double b) { return std::fabs(a - b) / std::max(1.0, std::fabs(b)); };
    worst = std::max(worst, rel(v, hv));
    if (rel(v, hv) > 1e-12) {
      std::fprintf(stderr, "%s: value %.17g, hand-written %.17g\n", name, v, hv);
      return false;
    }
    for (std::size_t i = 0; has_gradient && i < n; ++i) {
      worst = std::max(worst, rel(g[i], h[i]));
      if (rel(g[i], h[i]) > 1e-12) {
        std::fprintf(stderr, "%s: d f / d x_%zu = %.17g, hand-written %.17g\n", name, i, g[i],
                     h[i]);
        return false;
      }
    }
  }
  std::fprintf(stderr, "%s: largest relative error vs hand-written %.2e\n", name, worst);
  return true;
}

template <runner Run>
void timed(benchmark::State& state) {
  const auto& table = inputs();
  std::array<double, n> g{};
  std::size_t row = 0;
  for (auto _ : state) {
    const double v = Run(table[row].data(), g.data());
    benchmark::DoNotOptimize(v);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    row = (row + 1) % rows;
  }
}

void BM_forward20_double(benchmark::State& s) { timed<run_double>(s); }
void BM_forward20_hand(benchmark::State& s) { timed<hand>(s); }
void BM_forward20_dual(benchmark::State& s) { timed<run_dual>(s); }
void BM_forward20_dualdynamic(benchmark::State& s) { timed<run_dual_dynamic>(s); }
#if GG_CERES
void BM_forward20_jet(benchmark::State& s) { timed<run_jet>(s); }
#endif
void BM_forward20_autodiffscalar(benchmark::State& s) { timed<run_autodiffscalar>(s); }

}  // namespace

BENCHMARK(BM_forward20_double);
BENCHMARK(BM_forward20_hand);
BENCHMARK(BM_forward20_dual);
BENCHMARK(BM_forward20_dualdynamic);
#if GG_CERES
BENCHMARK(BM_forward20_jet);
#endif
BENCHMARK(BM_forward20_autodiffscalar);

int main(int argc, char** argv) {
  bool ok = check("double", run_double, false) && check("dual", run_dual, true) &&
            check("dualdynamic", run_dual_dynamic, true) &&
            check("autodiffscalar", run_autodiffscalar, true);
#if GG_CERES
  ok = ok && check("jet", run_jet, true);
#endif
  if (!ok) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
