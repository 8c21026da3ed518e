// The Gaussian mixture model objective of ADBench / GradBench with its
// Wishart prior (bench/gmm.hpp), d = 10, k = 25, n = 1000 (family
// gmm_d10_k25_n1000): 1650 parameters (alphas, means, icf), generated data
// (fixed seed).
//
// The objective is written once (gmm::objective, plain loops templated on the
// scalar) and instantiated for double, gg::real, ADOL-C's adouble and Sacado's
// ADvar.
//
// Variants (columns of tools/bench_report.py), one timed iteration each:
//   double       gmm::objective on double: the value only.
//   hand         gmm::objective_and_gradient: value + full gradient written by
//                hand, one pass over the data (bench/gmm.hpp).
//   tape         gradguard's gg::tape: RECORDS inside the timed loop: clear()
//                (the memory is kept), theta as variables, gmm::objective on
//                gg::real (one statement per assignment), gradient() into a
//                preallocated buffer. Release builds define NDEBUG, so
//                gg::check_finite is off.
//   adolcretape  ADOL-C: RECORDS inside the timed loop: trace_on, <<= theta,
//                gmm::objective on adouble, >>= the value, trace_off; then
//                gradient(). (No replay column: the log-sum-exp branches on
//                its inputs to find the largest term.)
//   sacado       Sacado::Rad::ADvar<double>: RECORDS inside the timed loop:
//                assigning theta starts a new recording, gmm::objective on
//                ADvar builds it, ADvar::Gradcomp() sweeps it back.
//
// theta cycles through 4 points generated at start-up; the data stay fixed.
// Results go through benchmark::DoNotOptimize; buffers are allocated before
// the timed loop (except ADOL-C's adoubles, which must not be alive at
// trace_on).
//
// Correctness, before anything is timed:
//  * main() checks the hand-written gradient against central finite
//    differences (4-point stencil) on every coordinate of a small instance
//    (d = 3, k = 4, n = 10) and on 20 random coordinates of the full one, and
//    the hand-written value against gmm::objective<double>;
//  * once per benchmark, every AD column's value and full gradient are
//    compared with the hand-written ones at every theta of the table.
// A mismatch prints the numbers and aborts; the largest errors go to stderr.
//
// Adding a column: write
//   double <column>_gradient(const problem&, <state>&, const double* theta, double* g)
// (returns the value) and a bench_<column>(benchmark::State&, benchmark_case&)
// that runs check() on it and then times it (bench_tape is the model), and
// add {"<column>", bench_<column>} to the table in register_benchmarks().

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <gradguard/eigen.hpp>

#include "gmm.hpp"

#if defined(GRADGUARD_HAVE_ADOLC) && GRADGUARD_HAVE_ADOLC
#include <adolc/adolc.h>
#define GG_ADOLC 1
#else
#define GG_ADOLC 0
#endif

#if defined(GRADGUARD_HAVE_SACADO) && GRADGUARD_HAVE_SACADO
#include <Sacado_trad.hpp>
#define GG_SACADO 1
#else
#define GG_SACADO 0
#endif

namespace {

namespace gg = gradguard;

// ---------------------------------------------------------------------------
// Problems: the data and a table of parameter points.

struct gmm_size {
  int d, k, n;
};

struct problem {
  gmm::problem pb;
  std::size_t dim = 0;  // parameters
  std::size_t rows = 0;
  std::vector<double> table;  // rows x dim
  const double* row(std::size_t r) const { return table.data() + r * dim; }
};

std::string family_name(const gmm_size& s) {
  return "gmm_d" + std::to_string(s.d) + "_k" + std::to_string(s.k) + "_n" + std::to_string(s.n);
}

const problem& problem_for(const gmm_size& s) {
  static std::map<std::string, problem> cache;
  const std::string key = family_name(s);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  problem p;
  p.rows = 4;
  for (std::size_t r = 0; r < p.rows; ++r) {
    gmm::instance in = gmm::make_instance(s.d, s.k, s.n, static_cast<std::uint32_t>(2024 + r));
    if (r == 0) p.pb = in.pb;  // the data of the first seed, for every row
    p.table.insert(p.table.end(), in.theta.begin(), in.theta.end());
  }
  p.dim = p.pb.parameters();
  return cache.emplace(key, std::move(p)).first->second;
}

// ---------------------------------------------------------------------------
// The hand-written gradient against finite differences (run by main()).

// 4-point central difference of f along coordinate j: O(h^4) truncation.
double finite_difference(const gmm::problem& pb, std::vector<double> theta, std::size_t j,
                         gmm::workspace<double>& w) {
  const double h = 1e-4 * std::max(1.0, std::abs(theta[j]));
  const double t = theta[j];
  const auto at = [&](double step) {
    theta[j] = t + step;
    return gmm::objective(pb, theta.data(), w);
  };
  return (8.0 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12.0 * h);
}

// Checks the hand-written gradient at coordinates `coords` of the instance.
void check_hand_by_finite_differences(const char* what, const gmm::instance& in,
                                      const std::vector<std::size_t>& coords) {
  const gmm::problem& pb = in.pb;
  gmm::workspace<double> w(pb);
  gmm::hand_workspace hw(pb);
  std::vector<double> g(pb.parameters());
  const double f_hand = gmm::objective_and_gradient(pb, in.theta.data(), g.data(), hw);
  const double f = gmm::objective(pb, in.theta.data(), w);
  if (std::abs(f_hand - f) > 1e-12 * std::max(1.0, std::abs(f))) {
    std::fprintf(stderr,
                 "bench_gmm: %s: hand-written value %.17g != gmm::objective<double> %.17g\n", what,
                 f_hand, f);
    std::abort();
  }
  // Rounding in the difference quotient is about eps |f| / h; the tolerance
  // leaves room for it and for the O(h^4) truncation.
  double worst = 0.0;
  for (std::size_t j : coords) {
    const double fd = finite_difference(pb, in.theta, j, w);
    const double scale = std::max({std::abs(g[j]), std::abs(fd), 1.0});
    const double err = std::abs(g[j] - fd) / scale;
    worst = std::max(worst, err);
    if (err > 1e-6) {
      std::fprintf(stderr,
                   "bench_gmm: %s: hand-written gradient[%zu] = %.17g, finite difference %.17g "
                   "(error %.3g > 1e-6, relative to max(|g|, 1))\n",
                   what, j, g[j], fd, err);
      std::abort();
    }
  }
  std::fprintf(stderr,
               "checked hand-written gradient of %s (f = %.6g) against finite differences at %zu "
               "coordinates (largest error %.2g, relative to max(|g|, 1))\n",
               what, f, coords.size(), worst);
}

void check_hand() {
  {
    const gmm::instance small = gmm::make_instance(3, 4, 10, 7);
    std::vector<std::size_t> all(small.pb.parameters());
    for (std::size_t j = 0; j < all.size(); ++j) all[j] = j;
    check_hand_by_finite_differences("gmm_d3_k4_n10 (every coordinate)", small, all);
  }
  {
    const gmm::instance full = gmm::make_instance(10, 25, 1000, 2024);
    std::mt19937 pick(99);
    std::vector<std::size_t> some(20);
    // The first alpha, the first mean, the first icf entries of both kinds, then random.
    some[0] = 0;
    some[1] = full.pb.means_offset();
    some[2] = full.pb.icf_offset();
    some[3] = full.pb.icf_offset() + static_cast<std::size_t>(full.pb.d);
    for (std::size_t j = 4; j < some.size(); ++j) some[j] = pick() % full.pb.parameters();
    check_hand_by_finite_differences("gmm_d10_k25_n1000 (20 coordinates)", full, some);
  }
}

// ---------------------------------------------------------------------------
// The start-up check: an AD column against the hand-written gradient.

struct benchmark_case {
  gmm_size size;
  int size_index;
  std::string name;      // BM_<family>_<variant>
  bool checked = false;  // the check runs on the first call only
};

constexpr double tolerance = 1e-9;

// Relative to max(|expected|, 1): a few alpha gradients are a difference of
// two sums of ~n terms.
double error(double got, double expected) {
  return std::abs(got - expected) / std::max({std::abs(expected), std::abs(got), 1.0});
}

template <class AD>
void check(benchmark_case& c, const problem& p, AD ad) {
  if (c.checked) return;
  gmm::hand_workspace hw(p.pb);
  std::vector<double> gh(p.dim), ga(p.dim);
  double worst = 0.0;
  for (std::size_t r = 0; r < p.rows; ++r) {
    const double* theta = p.row(r);
    const double fh = gmm::objective_and_gradient(p.pb, theta, gh.data(), hw);
    std::fill(ga.begin(), ga.end(), std::numeric_limits<double>::quiet_NaN());
    const double fa = ad(theta, ga.data());
    const auto fail = [&](const char* what, std::size_t i, double got, double expected) {
      std::fprintf(stderr,
                   "bench_gmm: %s: %s mismatch at theta row %zu, component %zu: got %.17g, "
                   "hand-written %.17g (error %.3g > %.0e, relative to max(|g|, 1))\n",
                   c.name.c_str(), what, r, i, got, expected, error(got, expected), tolerance);
      std::abort();
    };
    if (!(error(fa, fh) <= tolerance)) fail("value", 0, fa, fh);
    worst = std::max(worst, error(fa, fh));
    for (std::size_t i = 0; i < p.dim; ++i) {
      if (!(error(ga[i], gh[i]) <= tolerance)) fail("gradient", i, ga[i], gh[i]);
      worst = std::max(worst, error(ga[i], gh[i]));
    }
  }
  std::fprintf(stderr,
               "checked %s: value and %zu gradient components = hand-written at %zu points "
               "(largest error %.2g)\n",
               c.name.c_str(), p.dim, p.rows, worst);
  c.checked = true;
}

// ---------------------------------------------------------------------------
// The timed loops.

void finish(benchmark::State& state, const problem& p) {
  state.counters["parameters"] = static_cast<double>(p.dim);
  // Point-component pairs (the work unit of the objective).
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.pb.n) * p.pb.k);
}

void bench_double(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.size);
  gmm::workspace<double> w(p.pb);
  std::size_t r = 0;
  for (auto _ : state) {
    double f = gmm::objective(p.pb, p.row(r), w);
    benchmark::DoNotOptimize(f);
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

void bench_hand(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.size);
  gmm::hand_workspace w(p.pb);
  std::vector<double> g(p.dim);
  std::size_t r = 0;
  for (auto _ : state) {
    double f = gmm::objective_and_gradient(p.pb, p.row(r), g.data(), w);
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

struct tape_state {
  gg::tape tape;
  std::vector<gg::real> theta;
  gmm::workspace<gg::real> w;
  explicit tape_state(const problem& p) : theta(p.dim), w(p.pb) {}
};

double tape_gradient(const problem& p, tape_state& s, const double* theta, double* g) {
  const std::size_t m = p.pb.means_offset(), i = p.pb.icf_offset();
  s.tape.clear();
  s.tape.variables("alphas", std::span<const double>(theta, m),
                   std::span<gg::real>(s.theta).first(m));
  s.tape.variables("means", std::span<const double>(theta + m, i - m),
                   std::span<gg::real>(s.theta).subspan(m, i - m));
  s.tape.variables("icf", std::span<const double>(theta + i, p.dim - i),
                   std::span<gg::real>(s.theta).subspan(i));
  const gg::real y = gmm::objective(p.pb, s.theta.data(), s.w);
  s.tape.gradient(y, s.theta, std::span<double>(g, p.dim));
  return gg::value(y);
}

void bench_tape(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.size);
  tape_state s(p);
  std::vector<double> g(p.dim);
  check(c, p, [&](const double* theta, double* grad) { return tape_gradient(p, s, theta, grad); });
  std::size_t r = 0;
  for (auto _ : state) {
    double f = tape_gradient(p, s, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
  // The recording of the last iteration, per point-component pair.
  const gg::tape_statistics stats = s.tape.statistics();
  const double pairs = static_cast<double>(p.pb.n) * p.pb.k;
  state.counters["tape_statements_per_pair"] = static_cast<double>(stats.statements) / pairs;
  state.counters["tape_bytes_per_pair"] = static_cast<double>(stats.bytes) / pairs;
}

// realmatrix: gradguard's matrix-valued tape variables, recording inside
// the timed loop. Per component c: Q_c from icf (d exps and a copy of d^2
// reals), Z = Q_c (X - mu_c 1^T) as one product block, the squared column
// norms, the main term as a 1 x n row; then the rows stacked (k x n), their
// column log-sum-exp, and the scalar terms. About 10 blocks and 120 scalar
// statements per component, independent of n.
struct matrix_state {
  gg::tape tape;
  std::vector<gg::real_matrix> mains;
  explicit matrix_state(const problem& p) : mains(static_cast<std::size_t>(p.pb.k)) {}
};

double matrix_gradient(const problem& p, matrix_state& s, const double* theta, double* g) {
  const gmm::problem& pb = p.pb;
  const int d = pb.d, k = pb.k, n = pb.n, q = pb.icf_size();
  using matrix = Eigen::MatrixXd;
  s.tape.clear();
  // x is n x d row-major: the same memory as X, d x n column-major (a point
  // per column). theta's means (k x d row-major) are d x k column-major, a
  // mean per column; icf likewise q x k.
  const Eigen::Map<const matrix> X(pb.x.data(), d, n);
  gg::real_vector alphas = s.tape.variable("alphas", Eigen::Map<const Eigen::VectorXd>(theta, k));
  gg::real_matrix means =
      s.tape.variable("means", Eigen::Map<const matrix>(theta + pb.means_offset(), d, k));
  gg::real_matrix icf =
      s.tape.variable("icf", Eigen::Map<const matrix>(theta + pb.icf_offset(), q, k));
  gg::real wishart = 0.0;
  Eigen::Matrix<gg::real, Eigen::Dynamic, Eigen::Dynamic> Q(d, d);
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
    s.mains[static_cast<std::size_t>(c)] = gg::colwise_sum(gg::square(z)) * -0.5 + sum_q;
  }
  const gg::real slse = gg::sum(gg::colwise_log_sum_exp(gg::vstack(s.mains)));
  const gg::real f = slse - n * gg::log_sum_exp(alphas) + 0.5 * pb.gamma * pb.gamma * wishart +
                     gmm::constant_terms(pb);
  auto grad = s.tape.gradient(f, {alphas, means, icf});
  Eigen::Map<Eigen::VectorXd>(g, k) = grad[alphas];
  Eigen::Map<matrix>(g + pb.means_offset(), d, k) = grad[means];
  Eigen::Map<matrix>(g + pb.icf_offset(), q, k) = grad[icf];
  return gg::value(f);
}

void bench_realmatrix(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.size);
  matrix_state s(p);
  std::vector<double> g(p.dim);
  check(c, p,
        [&](const double* theta, double* grad) { return matrix_gradient(p, s, theta, grad); });
  std::size_t r = 0;
  for (auto _ : state) {
    double f = matrix_gradient(p, s, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

#if GG_ADOLC

// ADOL-C keeps its tapes in memory when they fit the buffer sizes given to
// trace_on (else it writes ./ADOLC-*.tap files): sizes per point-component
// pair, from tapestats (printed at start-up), with margin.
struct adolc_sizes {
  unsigned ops, locs, vals, taylors;
};

adolc_sizes adolc_sizes_for(const gmm::problem& pb) {
  const auto fit = [&pb](unsigned per_pair) {
    return static_cast<unsigned>(per_pair * pb.n * pb.k + 64 * pb.parameters() + 4096);
  };
  return {fit(120), fit(300), fit(40), fit(150)};
}

// Empties ADOL-C's location store (see bench/tape_peers.cpp): no adouble may
// be alive.
void adolc_reset_store() {
  setStoreManagerType(ADOLC_LOCATION_SINGLETONS);
  setStoreManagerType(ADOLC_LOCATION_BLOCKS);
}

short adolc_tag(const benchmark_case& c) { return static_cast<short>(1 + c.size_index); }

// Records the objective at theta on tape `tag`, in memory; returns the value.
// Every adouble lives only between trace_on and trace_off.
double adolc_record(const problem& p, short tag, const adolc_sizes& s, const double* theta) {
  double f = 0.0;
  trace_on(tag, 0, s.ops, s.locs, s.vals, s.taylors);
  {
    std::vector<adouble> at(p.dim);
    for (std::size_t j = 0; j < p.dim; ++j) at[j] <<= theta[j];
    gmm::workspace<adouble> w(p.pb);
    adouble y = gmm::objective(p.pb, at.data(), w);
    y >>= f;
  }
  trace_off();
  return f;
}

void adolc_check_in_memory(const benchmark_case& c, short tag, const problem& p) {
  std::size_t s[STAT_SIZE];
  tapestats(tag, s);
  const bool files = s[OP_FILE_ACCESS] || s[LOC_FILE_ACCESS] || s[VAL_FILE_ACCESS];
  const bool taylor_spill = s[TAY_STACK_SIZE] > s[TAY_BUFFER_SIZE];
  const double pairs = static_cast<double>(p.pb.n) * p.pb.k;
  std::fprintf(stderr,
               "adolc tape %d (%s): %zu operations, %zu locations, %zu values, Taylor stack "
               "%zu (per point-component pair %.2f / %.2f / %.2f / %.2f)\n",
               tag, c.name.c_str(), s[NUM_OPERATIONS], s[NUM_LOCATIONS], s[NUM_VALUES],
               s[TAY_STACK_SIZE], s[NUM_OPERATIONS] / pairs, s[NUM_LOCATIONS] / pairs,
               s[NUM_VALUES] / pairs, s[TAY_STACK_SIZE] / pairs);
  if (files || taylor_spill) {
    std::fprintf(stderr,
                 "bench_gmm: %s: ADOL-C tape %d does not fit its buffers (operations %zu/%zu, "
                 "locations %zu/%zu, values %zu/%zu, Taylor %zu/%zu); enlarge adolc_sizes_for\n",
                 c.name.c_str(), tag, s[NUM_OPERATIONS], s[OP_BUFFER_SIZE], s[NUM_LOCATIONS],
                 s[LOC_BUFFER_SIZE], s[NUM_VALUES], s[VAL_BUFFER_SIZE], s[TAY_STACK_SIZE],
                 s[TAY_BUFFER_SIZE]);
    removeTape(tag, ADOLC_REMOVE_COMPLETELY);  // deletes the tape files
    std::abort();
  }
}

void bench_adolcretape(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.size);
  const short tag = adolc_tag(c);
  const adolc_sizes sizes = adolc_sizes_for(p.pb);
  const int dim = static_cast<int>(p.dim);
  std::vector<double> g(p.dim);
  adolc_reset_store();
  if (!c.checked) {
    adolc_record(p, tag, sizes, p.row(0));
    adolc_check_in_memory(c, tag, p);
    check(c, p, [&](const double* theta, double* grad) {
      const double f = adolc_record(p, tag, sizes, theta);
      if (gradient(tag, dim, theta, grad) < 0) std::abort();
      return f;
    });
  }
  std::size_t r = 0;
  for (auto _ : state) {
    const double* theta = p.row(r);
    double f = adolc_record(p, tag, sizes, theta);
    gradient(tag, dim, theta, g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
}

#endif  // GG_ADOLC

#if GG_SACADO

using sacado_var = Sacado::Rad::ADvar<double>;

struct sacado_state {
  std::vector<sacado_var> theta;
  gmm::workspace<sacado_var> w;
  explicit sacado_state(const problem& p) : theta(p.dim), w(p.pb) {}
};

double sacado_gradient(const problem& p, sacado_state& s, const double* theta, double* g) {
  for (std::size_t j = 0; j < p.dim; ++j) s.theta[j] = theta[j];  // starts a new recording
  sacado_var y = gmm::objective(p.pb, s.theta.data(), s.w);
  sacado_var::Gradcomp();  // sweeps back from the last operation recorded: y
  for (std::size_t j = 0; j < p.dim; ++j) g[j] = s.theta[j].adj();
  return y.val();
}

void bench_sacado(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.size);
  sacado_state s(p);
  std::vector<double> g(p.dim);
  check(c, p,
        [&](const double* theta, double* grad) { return sacado_gradient(p, s, theta, grad); });
  std::size_t r = 0;
  for (auto _ : state) {
    double f = sacado_gradient(p, s, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

#endif  // GG_SACADO

// ---------------------------------------------------------------------------
// Registration: BM_gmm_d<d>_k<k>_n<n>_<variant>, in the report's column order.

constexpr gmm_size sizes[] = {{10, 25, 1000}};

std::deque<benchmark_case>& cases() {
  static std::deque<benchmark_case> all;  // stable addresses
  return all;
}

void register_benchmarks() {
  using bench_fn = void (*)(benchmark::State&, benchmark_case&);
  struct variant {
    const char* name;
    bench_fn fn;
  };
  const variant variants[] = {
    {"double", bench_double},
    {"hand", bench_hand},
    {"tape", bench_tape},
    {"realmatrix", bench_realmatrix},
#if GG_ADOLC
    {"adolcretape", bench_adolcretape},
#endif
#if GG_SACADO
    {"sacado", bench_sacado},
#endif
  };
  for (int s = 0; s < static_cast<int>(std::size(sizes)); ++s) {
    for (const variant& v : variants) {
      benchmark_case& c = cases().emplace_back(
          benchmark_case{sizes[s], s, "BM_" + family_name(sizes[s]) + "_" + v.name});
      auto* b = benchmark::RegisterBenchmark(c.name.c_str(),
                                             [fn = v.fn, &c](benchmark::State& st) { fn(st, c); });
      b->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  check_hand();
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
