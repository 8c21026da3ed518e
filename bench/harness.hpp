// The benchmark suite's harness: one problem table per workload and size, the
// start-up check of every column against the hand-written gradient, the timed
// loop, and the columns every scalar workload gets for free.
//
// A workload is a struct W with
//   static constexpr const char* name;            the family name ("sum_iter")
//   static problem make(std::size_t n);           inputs (and data) for size n
//   template <class T> static T f(const problem&, const T* x);
//                                                 the function as a user writes
//                                                 it, on any scalar T
//   static double hand(const problem&, const double* x, double* g);
//                                                 value + gradient by hand
// and optionally
//   static double realmatrix(const problem&, gg::tape&, const double* x, double* g);
//                                                 gradguard's tape with
//                                                 matrix-valued variables
//   static constexpr std::array static_sizes{...}; and
//   template <std::size_t N> static double gradguard(const problem&, const double* x, double* g);
//                                                 gradguard's static expressions
//                                                 (straight-line, N inputs)
//   static constexpr bool scalar_tape = false;    no gg::real / ADOL-C / Sacado
//                                                 column (e.g. sum: the
//                                                 vectorised form is realmatrix)
//   static constexpr bool replay = false;         the function branches on its
//                                                 input: no ADOL-C replay column
//   static constexpr std::size_t forward_max = K; forward columns up to K inputs
//                                                 (default 16; 0: none)
//   static constexpr std::size_t forward_width = K; forward columns with exactly
//                                                 K tangents (K >= the inputs)
//
// register_workload<W>(sizes) registers BM_<name>_<n>_<column> for every size
// and every column this build has (tools/bench_report.py reads the names):
//   double          W::f<double>: the value only
//   hand            W::hand
//   gradguard       W::gradguard<N> (static expressions; nothing recorded)
//   tape            gg::tape: RECORDS inside the timed loop: clear() (memory
//                   kept), the inputs as variables, W::f<gg::real>, gradient()
//                   into a preallocated buffer. gradguard's tape records
//                   values; it has no replay at new inputs.
//   realmatrix      W::realmatrix: RECORDS inside the timed loop
//   dual            gg::dual<double, K> (forward; K the smallest of 1, 2, 4,
//                   8, 16 >= the number of inputs: one pass)
//   adolcretape     ADOL-C: RECORDS inside the timed loop (trace_on ...
//                   trace_off), then gradient() over the tape just written
//   adolcreplay     ADOL-C: REPLAYS a tape recorded once before the loop
//                   (zos_forward at the new input + fos_reverse)
//   sacado          Sacado::Rad::ADvar<double> (reverse): RECORDS inside the loop
//   sacadofad       Sacado::Fad::SFad<double, K> (forward, one pass)
//   jet             ceres::Jet<double, K> (forward, one pass)
//   autodiffscalar  Eigen::AutoDiffScalar<Eigen::Matrix<double, K, 1>> (forward)
//
// Inputs cycle through a table of rows filled at start-up, so nothing is
// constant-folded; results go through benchmark::DoNotOptimize; buffers are
// allocated before the timed loop.
//
// Before timing, once per benchmark, the column's value and gradient are
// compared with the hand-written ones at every row of the table (relative
// error <= 1e-9 per component, against the row's largest component for
// components near zero); a mismatch prints the numbers and aborts. The
// hand-written gradient itself is checked against central finite
// differences of W::f<double> once per size (up to 32 components and the
// last three).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <unsupported/Eigen/AutoDiff>

#include <gradguard/eigen.hpp>

#if defined(GRADGUARD_HAVE_ADOLC) && GRADGUARD_HAVE_ADOLC
#include <adolc/adolc.h>
#define GG_ADOLC 1
#else
#define GG_ADOLC 0
#endif

#if defined(GRADGUARD_HAVE_SACADO) && GRADGUARD_HAVE_SACADO
#include <Sacado_Fad_SFad.hpp>
#include <Sacado_trad.hpp>
#define GG_SACADO 1
#else
#define GG_SACADO 0
#endif

#if defined(GRADGUARD_HAVE_CERES) && GRADGUARD_HAVE_CERES
#include <ceres/jet.h>
#define GG_CERES 1
#else
#define GG_CERES 0
#endif

namespace bench {

namespace gg = gradguard;

// Uniform in [0, 1), the same sequence on every run.
struct lcg {
  std::uint32_t state;
  double next() {
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 8) / static_cast<double>(1u << 24);
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * next(); }
};

struct problem {
  std::size_t n = 0;               // the size in the benchmark's name
  std::size_t dim = 0;             // number of inputs (independent variables)
  std::size_t rows = 0;            // input vectors in the table
  std::vector<double> table;       // rows * dim inputs
  std::vector<double> data;        // the workload's data (not differentiated)
  std::vector<std::size_t> shape;  // the workload's dimensions, if it needs more than n
  const double* row(std::size_t r) const { return table.data() + r * dim; }
};

// A table of `rows(dim)` rows of dim inputs, each drawn by `draw(u, i)` (i:
// the component). Rows shrink with dim so that the table stays ~0.5 MB.
template <class Draw>
problem make_table(std::size_t n, std::size_t dim, std::uint32_t seed, Draw draw) {
  problem p;
  p.n = n;
  p.dim = dim;
  p.rows = std::clamp<std::size_t>(65536 / std::max<std::size_t>(dim, 1), 2, 64);
  p.table.resize(p.rows * dim);
  lcg u{seed + static_cast<std::uint32_t>(n) * 2654435761u};
  for (std::size_t r = 0; r < p.rows; ++r)
    for (std::size_t i = 0; i < dim; ++i) p.table[r * dim + i] = draw(u, i);
  return p;
}

// The value of any column's scalar, without its derivative (a shift such as
// log-sum-exp's maximum, or a branch on a value).
inline double passive(double v) { return v; }
inline double passive(const gg::real& v) { return gg::value(v); }
template <std::size_t N>
double passive(const gg::dual<double, N>& v) {
  return gg::value(v);
}
template <class D>
double passive(const Eigen::AutoDiffScalar<D>& v) {
  return v.value();
}
#if GG_ADOLC
inline double passive(const adouble& v) { return v.getValue(); }
#endif
#if GG_SACADO
inline double passive(const Sacado::Rad::ADvar<double>& v) { return v.val(); }
template <int K>
double passive(const Sacado::Fad::SFad<double, K>& v) {
  return v.val();
}
#endif
#if GG_CERES
template <int K>
double passive(const ceres::Jet<double, K>& v) {
  return v.a;
}
#endif

// ---------------------------------------------------------------------------
// Cases and registration.

struct benchmark_case {
  std::string name;  // BM_<family>_<size>_<column>
  bool checked = false;
};

inline std::deque<benchmark_case>& cases() {
  static std::deque<benchmark_case> all;  // stable addresses
  return all;
}

// Registers BM_<family>_<size>_<column>; body(state, case) runs it.
inline void add(const std::string& family, const std::string& size, const char* column,
                std::function<void(benchmark::State&, benchmark_case&)> body) {
  benchmark_case& c =
      cases().emplace_back(benchmark_case{"BM_" + family + "_" + size + "_" + column});
  benchmark::RegisterBenchmark(c.name.c_str(),
                               [body = std::move(body), &c](benchmark::State& st) { body(st, c); });
}

// The program's main: registration done by the caller, then Google Benchmark.
inline int run_benchmarks(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

// ---------------------------------------------------------------------------
// The start-up check.

constexpr double tolerance = 1e-9;

// |got - expected| relative to the larger of the two and of `scale` (the
// row's largest component: a component that is zero by cancellation is
// judged against the others).
inline double relative_error(double got, double expected, double scale = 0.0) {
  const double s = std::max({std::abs(got), std::abs(expected), scale});
  return s == 0.0 ? 0.0 : std::abs(got - expected) / s;
}

[[noreturn]] inline void mismatch(const std::string& name, const char* what, std::size_t row,
                                  std::size_t i, double got, double expected, double error,
                                  double allowed) {
  std::fprintf(stderr,
               "%s: %s mismatch at input row %zu, component %zu: got %.17g, expected %.17g "
               "(relative error %.3g > %.0e)\n",
               name.c_str(), what, row, i, got, expected, error, allowed);
  std::abort();
}

// How many table rows the start-up check compares: all of them, or at most
// GRADGUARD_BENCH_CHECK_ROWS (>= 1) where that is set. The bench-check suite
// sets it to 2, so that CI checks every column at every size without
// computing the largest gradients 64 times each.
inline std::size_t check_rows(const problem& p) {
  static const std::size_t cap = [] {
    const char* v = std::getenv("GRADGUARD_BENCH_CHECK_ROWS");
    const long n = v ? std::strtol(v, nullptr, 10) : 0;
    if (v && n < 1) {
      std::fprintf(stderr, "GRADGUARD_BENCH_CHECK_ROWS=%s: give a number of rows >= 1\n", v);
      std::abort();
    }
    return v ? static_cast<std::size_t>(n) : std::size_t(-1);
  }();
  return std::min(p.rows, cap);
}

// expected(x, out) and got(x, out) each fill `width` numbers (the value, then
// the gradient; or residuals then a Jacobian). Compared at every table row
// (check_rows).
template <class Expected, class Got>
void check_outputs(benchmark_case& c, const problem& p, std::size_t width, Expected expected,
                   Got got) {
  if (c.checked) return;
  std::vector<double> e(width), a(width);
  double worst = 0.0;
  const std::size_t rows = check_rows(p);
  for (std::size_t r = 0; r < rows; ++r) {
    std::fill(a.begin(), a.end(), std::nan(""));
    expected(p.row(r), e.data());
    got(p.row(r), a.data());
    double scale = 0.0;
    for (double v : e) scale = std::max(scale, std::abs(v));
    for (std::size_t i = 0; i < width; ++i) {
      const double err = relative_error(a[i], e[i], 1e-3 * scale);
      if (!(err <= tolerance)) mismatch(c.name, "value/gradient", r, i, a[i], e[i], err, tolerance);
      worst = std::max(worst, err);
    }
  }
  // stderr: stdout may carry the benchmark's JSON.
  std::fprintf(stderr,
               "checked %s: %zu numbers = hand-written at %zu inputs (largest error %.2g)\n",
               c.name.c_str(), width, rows, worst);
  c.checked = true;
}

// For a scalar workload: ad(x, g) returns the value and writes the gradient.
template <class W, class AD>
void check(benchmark_case& c, const problem& p, AD ad) {
  check_outputs(
      c, p, 1 + p.dim, [&](const double* x, double* out) { out[0] = W::hand(p, x, out + 1); },
      [&](const double* x, double* out) { out[0] = ad(x, out + 1); });
}

// The hand-written gradient against central differences of W::f<double> at
// the first row: up to 32 components spread over the inputs, and the last three.
template <class W>
void check_hand(const problem& p) {
  std::vector<double> x(p.row(0), p.row(0) + p.dim), g(p.dim);
  const double f = W::hand(p, x.data(), g.data());
  const double f0 = W::template f<double>(p, x.data());
  if (relative_error(f, f0) > 1e-12) {
    std::fprintf(stderr, "%s_%zu: hand-written value %.17g, function %.17g\n", W::name, p.n, f, f0);
    std::abort();
  }
  double gmax = 0.0;
  for (double v : g) gmax = std::max(gmax, std::abs(v));
  // Every stride-th input, and the last three (where workloads keep their
  // scalar parameters after a vector).
  std::vector<std::size_t> inputs;
  const std::size_t stride = std::max<std::size_t>(1, p.dim / 32);
  for (std::size_t i = 0; i < p.dim; i += stride) inputs.push_back(i);
  for (std::size_t i = p.dim - std::min<std::size_t>(3, p.dim); i < p.dim; ++i)
    if (i % stride != 0) inputs.push_back(i);
  for (const std::size_t i : inputs) {
    const double xi = x[i], h = 1e-6 * std::max(1.0, std::abs(xi));
    const double fd = gradguard::central_difference(
                          [&](double t) {
                            x[i] = t;
                            return W::template f<double>(p, x.data());
                          },
                          xi, h, false)
                          .derivative;
    x[i] = xi;
    // Central differences: error ~ h^2 f''' + eps |f| / h (eps with a margin
    // for the rounding of a long sum).
    const double allowed = 1e-6 + 1e-13 * std::abs(f) / h / std::max(gmax, 1e-300);
    const double err = relative_error(g[i], fd, gmax);
    if (!(err <= allowed)) {
      std::fprintf(stderr,
                   "%s_%zu: hand-written gradient component %zu = %.17g, central difference "
                   "%.17g (relative error %.3g > %.3g)\n",
                   W::name, p.n, i, g[i], fd, err, allowed);
      std::abort();
    }
  }
}

// ---------------------------------------------------------------------------
// The timed loop: body(x) returns the value (the gradient goes to a buffer of
// the caller's, passed as `out` so that it is not optimised away).

template <class Body>
void timed(benchmark::State& state, const problem& p, std::span<double> out, Body body) {
  std::size_t r = 0;
  for (auto _ : state) {
    double f = body(p.row(r));
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  state.counters["n"] = static_cast<double>(p.n);
  state.counters["inputs"] = static_cast<double>(p.dim);
}

// An AD column: run(x, g) checked against W::hand, then timed writing into g.
template <class W, class Run>
void check_and_time(benchmark::State& state, benchmark_case& c, const problem& p,
                    std::vector<double>& g, Run run) {
  check<W>(c, p, run);
  timed(state, p, g, [&](const double* x) { return run(x, g.data()); });
}

// One problem per workload and size, shared by its columns.
template <class W>
const problem& problem_for(std::size_t n) {
  static std::deque<std::pair<std::size_t, problem>> cache;
  for (auto& [m, p] : cache)
    if (m == n) return p;
  problem& p = cache.emplace_back(n, W::make(n)).second;
  check_hand<W>(p);
  return p;
}

// ---------------------------------------------------------------------------
// The columns.

template <class W>
void bench_double(benchmark::State& state, benchmark_case&, std::size_t n) {
  const problem& p = problem_for<W>(n);
  timed(state, p, {}, [&](const double* x) { return W::template f<double>(p, x); });
}

template <class W>
void bench_hand(benchmark::State& state, benchmark_case&, std::size_t n) {
  const problem& p = problem_for<W>(n);
  std::vector<double> g(p.dim);
  timed(state, p, g, [&](const double* x) { return W::hand(p, x, g.data()); });
}

// gradguard's tape, recording inside the timed loop.
template <class W>
double tape_gradient(const problem& p, gg::tape& tape, std::vector<gg::real>& ax, const double* x,
                     double* g) {
  tape.clear();
  tape.variables("x", std::span<const double>(x, p.dim), std::span<gg::real>(ax));
  const gg::real y = W::template f<gg::real>(p, ax.data());
  tape.gradient(y, ax, std::span<double>(g, p.dim));
  return gg::value(y);
}

inline void tape_counters(benchmark::State& state, const gg::tape& tape, const problem& p) {
  const gg::tape_statistics stats = tape.statistics();
  state.counters["tape_statements"] = static_cast<double>(stats.statements);
  state.counters["tape_bytes_per_n"] = static_cast<double>(stats.bytes) / static_cast<double>(p.n);
}

template <class W>
void bench_tape(benchmark::State& state, benchmark_case& c, std::size_t n) {
  const problem& p = problem_for<W>(n);
  gg::tape tape;
  std::vector<gg::real> ax(p.dim);
  std::vector<double> g(p.dim);
  const auto run = [&](const double* x, double* grad) {
    return tape_gradient<W>(p, tape, ax, x, grad);
  };
  check_and_time<W>(state, c, p, g, run);
  tape_counters(state, tape, p);
}

template <class W>
void bench_realmatrix(benchmark::State& state, benchmark_case& c, std::size_t n) {
  const problem& p = problem_for<W>(n);
  gg::tape tape;
  std::vector<double> g(p.dim);
  const auto run = [&](const double* x, double* grad) { return W::realmatrix(p, tape, x, grad); };
  check_and_time<W>(state, c, p, g, run);
  tape_counters(state, tape, p);
}

template <class W, std::size_t N>
void bench_gradguard(benchmark::State& state, benchmark_case& c, std::size_t n) {
  const problem& p = problem_for<W>(n);
  std::vector<double> g(p.dim);
  const auto run = [&](const double* x, double* grad) {
    return W::template gradguard<N>(p, x, grad);
  };
  check_and_time<W>(state, c, p, g, run);
}

// Forward mode: one pass with K >= dim tangents, input i seeded with e_i.
// make(x, i) builds the seeded scalar; read(y, g) writes the value's tangent.
template <class W, class S, class Make, class Read>
void bench_forward(benchmark::State& state, benchmark_case& c, std::size_t n, Make make,
                   Read read) {
  const problem& p = problem_for<W>(n);
  std::vector<S> ax(p.dim);
  std::vector<double> g(p.dim);
  const auto run = [&](const double* x, double* grad) {
    for (std::size_t i = 0; i < p.dim; ++i) ax[i] = make(x[i], i);
    const S y = W::template f<S>(p, ax.data());
    return read(y, grad, p.dim);
  };
  check_and_time<W>(state, c, p, g, run);
}

template <class W, std::size_t K>
void bench_dual(benchmark::State& state, benchmark_case& c, std::size_t n) {
  using D = gg::dual<double, K>;
  bench_forward<W, D>(
      state, c, n, [](double v, std::size_t i) { return D::variable(v, i); },
      [](const D& y, double* g, std::size_t dim) {
        for (std::size_t i = 0; i < dim; ++i) g[i] = y.tangent[i];
        return y.value;
      });
}

template <class W, std::size_t K>
void bench_autodiffscalar(benchmark::State& state, benchmark_case& c, std::size_t n) {
  using A = Eigen::AutoDiffScalar<Eigen::Matrix<double, static_cast<int>(K), 1>>;
  bench_forward<W, A>(
      state, c, n,
      [](double v, std::size_t i) { return A(v, static_cast<int>(K), static_cast<int>(i)); },
      [](const A& y, double* g, std::size_t dim) {
        for (std::size_t i = 0; i < dim; ++i) g[i] = y.derivatives()[static_cast<Eigen::Index>(i)];
        return y.value();
      });
}

#if GG_CERES
template <class W, std::size_t K>
void bench_jet(benchmark::State& state, benchmark_case& c, std::size_t n) {
  using J = ceres::Jet<double, static_cast<int>(K)>;
  bench_forward<W, J>(
      state, c, n, [](double v, std::size_t i) { return J(v, static_cast<int>(i)); },
      [](const J& y, double* g, std::size_t dim) {
        for (std::size_t i = 0; i < dim; ++i) g[i] = y.v[static_cast<Eigen::Index>(i)];
        return y.a;
      });
}
#endif

#if GG_SACADO
template <class W, std::size_t K>
void bench_sacadofad(benchmark::State& state, benchmark_case& c, std::size_t n) {
  using F = Sacado::Fad::SFad<double, static_cast<int>(K)>;
  bench_forward<W, F>(
      state, c, n,
      [](double v, std::size_t i) { return F(static_cast<int>(K), static_cast<int>(i), v); },
      [](const F& y, double* g, std::size_t dim) {
        for (std::size_t i = 0; i < dim; ++i) g[i] = y.dx(static_cast<int>(i));
        return y.val();
      });
}

using sacado_var = Sacado::Rad::ADvar<double>;

template <class W>
void bench_sacado(benchmark::State& state, benchmark_case& c, std::size_t n) {
  const problem& p = problem_for<W>(n);
  std::vector<sacado_var> ax(p.dim);
  std::vector<double> g(p.dim);
  const auto run = [&](const double* x, double* grad) {
    for (std::size_t i = 0; i < p.dim; ++i) ax[i] = x[i];  // starts a new recording
    sacado_var y = W::template f<sacado_var>(p, ax.data());
    sacado_var::Gradcomp();  // sweeps back from the last operation recorded: y
    for (std::size_t i = 0; i < p.dim; ++i) grad[i] = ax[i].adj();
    return y.val();
  };
  check_and_time<W>(state, c, p, g, run);
}
#endif

#if GG_ADOLC
// ADOL-C keeps its tapes in memory only while they fit the buffer sizes given
// to trace_on; a larger tape goes to ./ADOLC-*.tap files. The sizes are
// learnt: a first recording with a guess, checked with tapestats, and
// recorded again with twice the sizes until it fits (the tape files of a
// failed attempt are removed). ADOL-C's location store only grows, and
// trace_on copies all of it onto a tape when an adouble is alive: so no
// adouble lives outside trace_on ... trace_off, and each benchmark starts
// with an empty store.
struct adolc_sizes {
  std::size_t ops, locs, vals, taylors;
};

inline void adolc_reset_store() {
  setStoreManagerType(ADOLC_LOCATION_SINGLETONS);
  setStoreManagerType(ADOLC_LOCATION_BLOCKS);
}

template <class W>
double adolc_record(const problem& p, short tag, const adolc_sizes& s, std::vector<adouble>& ax,
                    const double* x) {
  double f = 0.0;
  trace_on(tag, 0, s.ops, s.locs, s.vals, s.taylors);
  ax.resize(p.dim);
  for (std::size_t i = 0; i < p.dim; ++i) ax[i] <<= x[i];
  {
    adouble y = W::template f<adouble>(p, ax.data());
    y >>= f;
  }
  ax.clear();  // capacity kept
  trace_off();
  return f;
}

// record(sizes) records a tape `tag` with those buffer sizes; recorded again
// with twice the sizes the tape took until it stays in memory. Returns the
// sizes that fit; what: the benchmark, for the message if none does.
template <class Record>
adolc_sizes adolc_fit_sizes(const std::string& what, short tag, adolc_sizes s, Record record) {
  for (int attempt = 0; attempt < 12; ++attempt) {
    adolc_reset_store();
    record(s);
    std::size_t st[STAT_SIZE];
    tapestats(tag, st);
    const bool files = st[OP_FILE_ACCESS] || st[LOC_FILE_ACCESS] || st[VAL_FILE_ACCESS];
    if (!files && st[TAY_STACK_SIZE] <= st[TAY_BUFFER_SIZE]) return s;
    removeTape(tag, ADOLC_REMOVE_COMPLETELY);  // deletes the tape files
    s = {std::max(s.ops, 2 * st[NUM_OPERATIONS]), std::max(s.locs, 2 * st[NUM_LOCATIONS]),
         std::max(s.vals, 2 * st[NUM_VALUES]), std::max(s.taylors, 2 * st[TAY_STACK_SIZE])};
  }
  std::fprintf(stderr, "%s: no ADOL-C buffer size keeps the tape in memory\n", what.c_str());
  std::abort();
}

// Records W at the first row once with sizes that fit, and returns them.
template <class W>
adolc_sizes adolc_fit(const problem& p, short tag, std::vector<adouble>& ax) {
  // The first guess from gradguard's own recording: a statement with k
  // operands is a few ADOL-C operations and locations. A guess too small
  // writes tape files into the working directory for one attempt (removed
  // at once).
  gg::tape t;
  std::vector<gg::real> reals(p.dim);
  t.variables("x", std::span<const double>(p.row(0), p.dim), std::span<gg::real>(reals));
  (void)W::template f<gg::real>(p, reals.data());
  const gg::tape_statistics st = t.statistics();
  const std::size_t work = st.statements + st.unit_operands + st.operands;
  const adolc_sizes guess{4 * work + 4096, 8 * work + 4096, 2 * work + 4096, 4 * work + 4096};
  return adolc_fit_sizes(std::string(W::name) + "_" + std::to_string(p.n), tag, guess,
                         [&](const adolc_sizes& s) { adolc_record<W>(p, tag, s, ax, p.row(0)); });
}

template <class W>
void bench_adolcretape(benchmark::State& state, benchmark_case& c, std::size_t n) {
  const problem& p = problem_for<W>(n);
  constexpr short tag = 1;
  std::vector<adouble> ax;
  ax.reserve(p.dim);
  std::vector<double> g(p.dim);
  const adolc_sizes sizes = adolc_fit<W>(p, tag, ax);
  const int dim = static_cast<int>(p.dim);
  const auto run = [&](const double* x, double* grad) {
    const double f = adolc_record<W>(p, tag, sizes, ax, x);
    gradient(tag, dim, x, grad);
    return f;
  };
  check_and_time<W>(state, c, p, g, run);
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
}

template <class W>
void bench_adolcreplay(benchmark::State& state, benchmark_case& c, std::size_t n) {
  const problem& p = problem_for<W>(n);
  constexpr short tag = 2;
  std::vector<double> g(p.dim);
  {
    std::vector<adouble> ax;
    ax.reserve(p.dim);
    adolc_fit<W>(p, tag, ax);  // the only recording
  }
  const int dim = static_cast<int>(p.dim);
  double one = 1.0;
  const auto run = [&](const double* x, double* grad) {
    double f = 0.0;
    zos_forward(tag, 1, dim, 1, x, &f);
    fos_reverse(tag, 1, dim, &one, grad);
    return f;
  };
  check_and_time<W>(state, c, p, g, run);
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
}
#endif

// ---------------------------------------------------------------------------
// Pieces of workloads that several share.

// The static column of a straight-line function of N inputs: fn(v...) on the
// N inputs as static variables (gg::value_and_grad), gradient into g.
template <std::size_t N, class Fn>
double static_gradient(const double* x, double* g, Fn fn) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto r = gg::value_and_grad(fn, x[I]...);
    ((g[I] = r.gradient[I]), ...);
    return r.value;
  }
  (std::make_index_sequence<N>{});
}

// The realmatrix column of a reduction of the whole input vector: reduce(v)
// on one gg::real_vector of the inputs (one block), gradient into g.
template <class Reduce>
double vector_reduction(const problem& p, gg::tape& tape, const double* x, double* g,
                        Reduce reduce) {
  tape.clear();
  const auto v = tape.variable("x", Eigen::Map<const Eigen::VectorXd>(x, p.dim));
  const gg::real y = reduce(v);
  const auto grad = tape.gradient(y, {v});
  Eigen::Map<Eigen::VectorXd>(g, p.dim) = grad[v];
  return gg::value(y);
}

// ---------------------------------------------------------------------------
// Registration of a workload's columns.

template <class W>
concept has_realmatrix = requires(const problem& p, gg::tape& t, const double* x, double* g) {
  { W::realmatrix(p, t, x, g) } -> std::convertible_to<double>;
};

template <class W>
concept has_static = requires {
  W::static_sizes;
};

template <class W>
constexpr bool scalar_tape() {
  if constexpr (requires { W::scalar_tape; }) return W::scalar_tape;
  return true;
}
template <class W>
constexpr bool replayable() {
  if constexpr (requires { W::replay; }) return W::replay;
  return true;
}
template <class W>
constexpr std::size_t forward_max() {
  if constexpr (requires { W::forward_max; }) return W::forward_max;
  return 16;
}

// The forward columns of one width K (dim <= K).
template <class W, std::size_t K>
void add_forward(const std::string& size, std::size_t n) {
  const auto bind = [n](auto fn) {
    return [fn, n](benchmark::State& s, benchmark_case& c) { fn(s, c, n); };
  };
  add(W::name, size, "dual", bind(bench_dual<W, K>));
#if GG_SACADO
  add(W::name, size, "sacadofad", bind(bench_sacadofad<W, K>));
#endif
#if GG_CERES
  add(W::name, size, "jet", bind(bench_jet<W, K>));
#endif
  add(W::name, size, "autodiffscalar", bind(bench_autodiffscalar<W, K>));
}

template <class W, std::size_t I = 0>
void add_static(const std::string& size, std::size_t n) {
  if constexpr (has_static<W>) {
    if constexpr (I < W::static_sizes.size()) {
      constexpr std::size_t N = W::static_sizes[I];
      if (n == N)
        add(W::name, size, "gradguard",
            [n](benchmark::State& s, benchmark_case& c) { bench_gradguard<W, N>(s, c, n); });
      else add_static<W, I + 1>(size, n);
    }
  }
}

template <class W>
void register_workload(std::initializer_list<std::size_t> sizes) {
  for (const std::size_t n : sizes) {
    const std::string size = std::to_string(n);
    const auto bind = [n](auto fn) {
      return [fn, n](benchmark::State& s, benchmark_case& c) { fn(s, c, n); };
    };
    add(W::name, size, "double", bind(bench_double<W>));
    add(W::name, size, "hand", bind(bench_hand<W>));
    add_static<W>(size, n);
    if constexpr (scalar_tape<W>()) add(W::name, size, "tape", bind(bench_tape<W>));
    if constexpr (has_realmatrix<W>) add(W::name, size, "realmatrix", bind(bench_realmatrix<W>));
    if constexpr (scalar_tape<W>()) {
#if GG_ADOLC
      add(W::name, size, "adolcretape", bind(bench_adolcretape<W>));
      if constexpr (replayable<W>()) add(W::name, size, "adolcreplay", bind(bench_adolcreplay<W>));
#endif
#if GG_SACADO
      add(W::name, size, "sacado", bind(bench_sacado<W>));
#endif
    }
    // Forward columns when the inputs are few; the width is fixed at compile
    // time, so the problem's size is asked for here (W::make is cheap).
    if constexpr (requires { W::forward_width; }) {
      if (problem_for<W>(n).dim > W::forward_width) {
        std::fprintf(stderr, "%s_%zu: more inputs than forward_width\n", W::name, n);
        std::abort();
      }
      add_forward<W, W::forward_width>(size, n);
    } else if constexpr (forward_max<W>() > 0) {
      static_assert(forward_max<W>() <= 16, "forward_max: at most 16 (or set forward_width)");
      const std::size_t dim = problem_for<W>(n).dim;
      if (dim <= forward_max<W>()) {
        if (dim <= 1) add_forward<W, 1>(size, n);
        else if (dim <= 2) add_forward<W, 2>(size, n);
        else if (dim <= 4) add_forward<W, 4>(size, n);
        else if (dim <= 8) add_forward<W, 8>(size, n);
        else if (dim <= 16) add_forward<W, 16>(size, n);
      }
    }
  }
}

}  // namespace bench
