// The gradient of f(A, B) = sum(A * B), A and B square K x K, K = 8, 32, 64, 128
// (families matrix_product_<K>). Recording element by element against the
// matrix-level adjoint (DESIGN.md, "Performance contract").
//
// The function is written once, with Eigen, templated on the scalar
// (sum_of_product below: C.noalias() = A * B, then C.sum()), and instantiated
// for double, gg::real, ADOL-C's adouble and Sacado's ADvar: every AD column
// records what Eigen's product kernel does with its scalar, one operation at a
// time (for a scalar that is not vectorised, Eigen's GEMM computes each
// multiply-add as padd(pmul(a, b), c): a multiplication and an addition).
//
// Variants (columns of tools/bench_report.py), one timed iteration each:
//   double       sum_of_product on double (Eigen::MatrixXd): the value only.
//   hand         value + gradient by matrix adjoints: C = A B, f = sum(C),
//                G = ones(K, K) (df/dC), dA = G B^T, dB = A^T G: three GEMMs
//                written plainly with Eigen (the ones structure of G is not
//                exploited: the generic three-product adjoint is the reference).
//   tape         gradguard's gg::tape, Eigen::Matrix<gg::real, -1, -1>: RECORDS
//                inside the timed loop: clear() (the memory is kept), A and B
//                as variables, sum_of_product on gg::real (one statement per
//                scalar operation as Eigen performs it), gradient() into a
//                preallocated buffer. Release builds define NDEBUG, so
//                gg::check_finite is off.
//   adolcretape  ADOL-C: RECORDS inside the timed loop: trace_on, <<= the
//                inputs, sum_of_product on adouble, >>= the value, trace_off;
//                then gradient() (zos_forward + fos_reverse over that tape).
//   adolcreplay  ADOL-C: REPLAYS: recorded once before the timed loop; each
//                iteration runs zos_forward(keep = 1) at the new input and
//                fos_reverse. Valid because the product does not branch on
//                its input.
//   sacado       Sacado::Rad::ADvar<double>: RECORDS inside the timed loop:
//                assigning the inputs starts a new recording, sum_of_product
//                on ADvar builds it, ADvar::Gradcomp() sweeps it back.
//
// Inputs cycle through a table filled at start-up (16 rows at K = 8, 2 at
// K = 128), entries uniform in [0.5, 1.5]: every gradient component is a sum
// of positive terms, so the check below can be relative. Results go through
// benchmark::DoNotOptimize; the buffers are allocated before the timed loop
// (except ADOL-C's adouble matrices, which must not be alive at trace_on).
//
// Before timing, once per benchmark, every column's value and gradient (all of
// dA and dB) are compared with hand at every row of the table (relative error
// <= 1e-9 per component); the largest error goes to stderr, a mismatch prints
// the numbers and aborts.
//
// Adding a column (e.g. a matrix-valued tape variable): write
//   double <column>_gradient(const problem&, <state>&, const double* x, double* g)
// (x: A then B, column-major; g: dA then dB; returns the value) and a
// bench_<column>(benchmark::State&, benchmark_case&) that runs check() on it
// and then times it (bench_tape is the model), and add {"<column>",
// bench_<column>} to the table in register_benchmarks().

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include <gradguard/eigen.hpp>

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

// The peers' scalars as Eigen scalars (what <gradguard/eigen.hpp> does for
// gg::real).
namespace Eigen {

template <class T>
struct peer_num_traits : NumTraits<double> {
  using Real = T;
  using NonInteger = T;
  using Nested = T;
  using Literal = double;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1,
    AddCost = 3,
    MulCost = 3,
  };
};

#if GG_ADOLC
template <>
struct NumTraits<adouble> : peer_num_traits<adouble> {};
#endif
#if GG_SACADO
template <>
struct NumTraits<Sacado::Rad::ADvar<double>> : peer_num_traits<Sacado::Rad::ADvar<double>> {};
#endif

}  // namespace Eigen

namespace {

namespace gg = gradguard;

template <class T>
using matrix_of = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
using const_map = Eigen::Map<const Eigen::MatrixXd>;
using map = Eigen::Map<Eigen::MatrixXd>;

// ---------------------------------------------------------------------------
// The function, for every scalar. c: the caller's K x K workspace.

template <class T, class DA, class DB>
T sum_of_product(const Eigen::MatrixBase<DA>& a, const Eigen::MatrixBase<DB>& b, matrix_of<T>& c) {
  c.noalias() = a * b;
  return c.sum();
}

// ---------------------------------------------------------------------------
// Problems: K, and a table of inputs (A then B, column-major, per row).

struct problem {
  Eigen::Index k = 0;
  std::size_t dim = 0;   // 2 K^2 independent variables
  std::size_t rows = 0;  // input rows in the table
  std::vector<double> table;
  const double* row(std::size_t r) const { return table.data() + r * dim; }
  const_map a(const double* x) const { return const_map(x, k, k); }
  const_map b(const double* x) const { return const_map(x + k * k, k, k); }
};

// Uniform in [0, 1), the same sequence on every run.
struct lcg {
  unsigned state;
  double next() {
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 8) / static_cast<double>(1u << 24);
  }
};

const problem& problem_for(Eigen::Index k) {
  static std::map<Eigen::Index, problem> cache;
  auto it = cache.find(k);
  if (it != cache.end()) return it->second;
  problem p;
  p.k = k;
  p.dim = static_cast<std::size_t>(2 * k * k);
  p.rows = std::clamp<std::size_t>(65536 / p.dim, 2, 16);
  p.table.resize(p.rows * p.dim);
  lcg u{static_cast<unsigned>(4242u + k)};
  for (double& v : p.table) v = 0.5 + u.next();
  return cache.emplace(k, std::move(p)).first->second;
}

// ---------------------------------------------------------------------------
// hand: value + gradient by the three-GEMM adjoint.

struct hand_state {
  Eigen::MatrixXd c, g;
  explicit hand_state(const problem& p) : c(p.k, p.k), g(p.k, p.k) {}
};

double hand_gradient(const problem& p, hand_state& s, const double* x, double* grad) {
  const const_map a = p.a(x), b = p.b(x);
  map da(grad, p.k, p.k), db(grad + p.k * p.k, p.k, p.k);
  s.c.noalias() = a * b;
  const double f = s.c.sum();
  s.g.setOnes();  // df/dC
  da.noalias() = s.g * b.transpose();
  db.noalias() = a.transpose() * s.g;
  return f;
}

// ---------------------------------------------------------------------------
// The start-up check: a column against hand.

struct benchmark_case {
  Eigen::Index k;
  int size_index;
  std::string name;      // BM_matrix_product_<K>_<variant>
  bool checked = false;  // the check runs on the first call only
};

constexpr double tolerance = 1e-9;

double relative_error(double got, double expected) {
  const double scale = std::max(std::abs(got), std::abs(expected));
  return scale == 0.0 ? 0.0 : std::abs(got - expected) / scale;
}

// ad(x, g) returns the value and writes the gradient (dA then dB).
template <class AD>
void check(benchmark_case& c, const problem& p, AD ad) {
  if (c.checked) return;
  hand_state hs(p);
  std::vector<double> gh(p.dim), ga(p.dim);
  double worst = 0.0;
  const auto kk = static_cast<std::size_t>(p.k * p.k);
  for (std::size_t r = 0; r < p.rows; ++r) {
    const double* x = p.row(r);
    const double fh = hand_gradient(p, hs, x, gh.data());
    std::fill(ga.begin(), ga.end(), -1.0);
    const double fa = ad(x, ga.data());
    const auto fail = [&](const std::string& what, double got, double expected) {
      std::fprintf(stderr,
                   "bench_matrix_product: %s: %s mismatch at input row %zu: got %.17g, "
                   "hand-written %.17g (relative error %.3g > %.0e)\n",
                   c.name.c_str(), what.c_str(), r, got, expected, relative_error(got, expected),
                   tolerance);
      std::abort();
    };
    // Component i of the gradient as dA(row, col) or dB(row, col).
    const auto component = [&](std::size_t i) {
      const auto k = static_cast<std::size_t>(p.k);
      const std::size_t e = i % kk;
      return std::string(i < kk ? "dA(" : "dB(") + std::to_string(e % k) + ", " +
             std::to_string(e / k) + ")";
    };
    if (relative_error(fa, fh) > tolerance) fail("value", fa, fh);
    worst = std::max(worst, relative_error(fa, fh));
    for (std::size_t i = 0; i < p.dim; ++i) {
      if (relative_error(ga[i], gh[i]) > tolerance) fail("gradient " + component(i), ga[i], gh[i]);
      worst = std::max(worst, relative_error(ga[i], gh[i]));
    }
  }
  // stderr: stdout may carry the benchmark's JSON.
  std::fprintf(stderr,
               "checked %s: value, dA and dB (%zu components) = hand-written at %zu inputs "
               "(largest relative error %.2g)\n",
               c.name.c_str(), p.dim, p.rows, worst);
  c.checked = true;
}

// ---------------------------------------------------------------------------
// The timed loops.

void finish(benchmark::State& state, const problem& p) {
  state.counters["K"] = static_cast<double>(p.k);
  // Multiply-adds of the product A B.
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.k * p.k * p.k));
}

void bench_double(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.k);
  Eigen::MatrixXd work(p.k, p.k);
  std::size_t r = 0;
  for (auto _ : state) {
    const double* x = p.row(r);
    double f = sum_of_product(p.a(x), p.b(x), work);
    benchmark::DoNotOptimize(f);
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

void bench_hand(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.k);
  hand_state s(p);
  std::vector<double> g(p.dim);
  std::size_t r = 0;
  for (auto _ : state) {
    double f = hand_gradient(p, s, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

// tape: A and B are the two halves of one array of reals, so that one
// gradient() call returns dA and dB.
struct tape_state {
  gg::tape tape;
  std::vector<gg::real> vars;
  matrix_of<gg::real> c;
  explicit tape_state(const problem& p) : vars(p.dim), c(p.k, p.k) {}
};

double tape_gradient(const problem& p, tape_state& s, const double* x, double* g) {
  const auto kk = static_cast<std::size_t>(p.k * p.k);
  s.tape.clear();
  s.tape.variables("A", std::span<const double>(x, kk), std::span<gg::real>(s.vars.data(), kk));
  s.tape.variables("B", std::span<const double>(x + kk, kk),
                   std::span<gg::real>(s.vars.data() + kk, kk));
  const Eigen::Map<const matrix_of<gg::real>> a(s.vars.data(), p.k, p.k);
  const Eigen::Map<const matrix_of<gg::real>> b(s.vars.data() + kk, p.k, p.k);
  const gg::real y = sum_of_product(a, b, s.c);
  s.tape.gradient(y, s.vars, std::span<double>(g, p.dim));
  return gg::value(y);
}

// realmatrix: gradguard's matrix-valued tape variables: RECORDS inside the
// timed loop: clear(), A and B as gg::real_matrix variables, gg::sum(A * B)
// (two blocks: the product, with its matrix adjoint rule, and the sum), and
// gradient() of both (copied out into the caller's array).
double matrix_gradient(const problem& p, gg::tape& tape, const double* x, double* g) {
  tape.clear();
  const gg::real_matrix a = tape.variable("A", p.a(x));
  const gg::real_matrix b = tape.variable("B", p.b(x));
  const gg::real y = gg::sum(a * b);
  const auto grad = tape.gradient(y, {a, b});
  map(g, p.k, p.k) = grad[a];
  map(g + p.k * p.k, p.k, p.k) = grad[b];
  return gg::value(y);
}

void bench_realmatrix(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.k);
  gg::tape tape;
  std::vector<double> g(p.dim);
  check(c, p, [&](const double* x, double* grad) { return matrix_gradient(p, tape, x, grad); });
  std::size_t r = 0;
  for (auto _ : state) {
    double f = matrix_gradient(p, tape, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

void bench_tape(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.k);
  tape_state s(p);
  std::vector<double> g(p.dim);
  check(c, p, [&](const double* x, double* grad) { return tape_gradient(p, s, x, grad); });
  std::size_t r = 0;
  for (auto _ : state) {
    double f = tape_gradient(p, s, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
  // The recording of the last iteration.
  const gg::tape_statistics stats = s.tape.statistics();
  const double k3 = static_cast<double>(p.k * p.k * p.k);
  state.counters["tape_statements_per_madd"] = static_cast<double>(stats.statements) / k3;
  state.counters["tape_bytes_per_madd"] = static_cast<double>(stats.bytes) / k3;
}

#if GG_ADOLC

// ADOL-C keeps its tapes in memory when they fit the buffer sizes given to
// trace_on (else it writes ./ADOLC-*.tap files): sizes per multiply-add, from
// tapestats (printed at start-up), with margin.
struct adolc_sizes {
  unsigned ops, locs, vals, taylors;
};

adolc_sizes adolc_sizes_for(Eigen::Index k) {
  const auto fit = [k](unsigned per_madd, unsigned per_element) {
    return static_cast<unsigned>(per_madd * k * k * k + per_element * k * k + 4096);
  };
  return {fit(8, 96), fit(16, 192), fit(1, 8), fit(12, 96)};
}

// Empties ADOL-C's location store (see bench/tape_peers.cpp): no adouble may
// be alive.
void adolc_reset_store() {
  setStoreManagerType(ADOLC_LOCATION_SINGLETONS);
  setStoreManagerType(ADOLC_LOCATION_BLOCKS);
}

short adolc_tag(const benchmark_case& c, bool replay) {
  return static_cast<short>(1 + 2 * c.size_index + (replay ? 1 : 0));
}

// Records sum_of_product at x on tape `tag`, in memory; returns the value.
// Every adouble lives only between trace_on and trace_off (a live adouble at
// trace_on is copied onto the tape, see bench/tape_peers.cpp).
double adolc_record(const problem& p, short tag, const adolc_sizes& s, const double* x) {
  double f = 0.0;
  trace_on(tag, 0, s.ops, s.locs, s.vals, s.taylors);
  {
    matrix_of<adouble> a(p.k, p.k), b(p.k, p.k), c(p.k, p.k);
    const Eigen::Index kk = p.k * p.k;
    for (Eigen::Index i = 0; i < kk; ++i) a.data()[i] <<= x[i];
    for (Eigen::Index i = 0; i < kk; ++i) b.data()[i] <<= x[kk + i];
    adouble y = sum_of_product(a, b, c);
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
  const double k3 = static_cast<double>(p.k * p.k * p.k);
  std::fprintf(stderr,
               "adolc tape %d (%s): %zu operations, %zu locations, %zu values, Taylor stack "
               "%zu (per multiply-add %.2f / %.2f / %.2f / %.2f)\n",
               tag, c.name.c_str(), s[NUM_OPERATIONS], s[NUM_LOCATIONS], s[NUM_VALUES],
               s[TAY_STACK_SIZE], s[NUM_OPERATIONS] / k3, s[NUM_LOCATIONS] / k3, s[NUM_VALUES] / k3,
               s[TAY_STACK_SIZE] / k3);
  if (files || taylor_spill) {
    std::fprintf(stderr,
                 "bench_matrix_product: %s: ADOL-C tape %d does not fit its buffers (operations "
                 "%zu/%zu, locations %zu/%zu, values %zu/%zu, Taylor %zu/%zu); enlarge "
                 "adolc_sizes_for\n",
                 c.name.c_str(), tag, s[NUM_OPERATIONS], s[OP_BUFFER_SIZE], s[NUM_LOCATIONS],
                 s[LOC_BUFFER_SIZE], s[NUM_VALUES], s[VAL_BUFFER_SIZE], s[TAY_STACK_SIZE],
                 s[TAY_BUFFER_SIZE]);
    removeTape(tag, ADOLC_REMOVE_COMPLETELY);  // deletes the tape files
    std::abort();
  }
}

void bench_adolcretape(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.k);
  const short tag = adolc_tag(c, false);
  const adolc_sizes sizes = adolc_sizes_for(c.k);
  const int dim = static_cast<int>(p.dim);
  std::vector<double> g(p.dim);
  adolc_reset_store();
  if (!c.checked) {
    adolc_record(p, tag, sizes, p.row(0));
    adolc_check_in_memory(c, tag, p);
    check(c, p, [&](const double* x, double* grad) {
      const double f = adolc_record(p, tag, sizes, x);
      if (gradient(tag, dim, x, grad) < 0) std::abort();
      return f;
    });
  }
  std::size_t r = 0;
  for (auto _ : state) {
    const double* x = p.row(r);
    double f = adolc_record(p, tag, sizes, x);
    gradient(tag, dim, x, g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
}

void bench_adolcreplay(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.k);
  const short tag = adolc_tag(c, true);
  const adolc_sizes sizes = adolc_sizes_for(c.k);
  const int dim = static_cast<int>(p.dim);
  std::vector<double> g(p.dim);
  adolc_reset_store();
  adolc_record(p, tag, sizes, p.row(0));  // the only recording
  double one = 1.0;
  if (!c.checked) {
    adolc_check_in_memory(c, tag, p);
    check(c, p, [&](const double* x, double* grad) {
      double f = 0.0;
      if (zos_forward(tag, 1, dim, 1, x, &f) < 0 || fos_reverse(tag, 1, dim, &one, grad) < 0)
        std::abort();
      return f;
    });
  }
  std::size_t r = 0;
  for (auto _ : state) {
    double f = 0.0;
    zos_forward(tag, 1, dim, 1, p.row(r), &f);
    fos_reverse(tag, 1, dim, &one, g.data());
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
  matrix_of<sacado_var> a, b, c;
  explicit sacado_state(const problem& p) : a(p.k, p.k), b(p.k, p.k), c(p.k, p.k) {}
};

double sacado_gradient(const problem& p, sacado_state& s, const double* x, double* g) {
  const Eigen::Index kk = p.k * p.k;
  for (Eigen::Index i = 0; i < kk; ++i) s.a.data()[i] = x[i];  // starts a new recording
  for (Eigen::Index i = 0; i < kk; ++i) s.b.data()[i] = x[kk + i];
  sacado_var y = sum_of_product(s.a, s.b, s.c);
  sacado_var::Gradcomp();  // sweeps back from the last operation recorded: y
  for (Eigen::Index i = 0; i < kk; ++i) g[i] = s.a.data()[i].adj();
  for (Eigen::Index i = 0; i < kk; ++i) g[kk + i] = s.b.data()[i].adj();
  return y.val();
}

void bench_sacado(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.k);
  sacado_state s(p);
  std::vector<double> g(p.dim);
  check(c, p, [&](const double* x, double* grad) { return sacado_gradient(p, s, x, grad); });
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
// Registration: BM_matrix_product_<K>_<variant>, in the report's column order.

constexpr Eigen::Index sizes[] = {8, 32, 64, 128};

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
    {"adolcreplay", bench_adolcreplay},
#endif
#if GG_SACADO
    {"sacado", bench_sacado},
#endif
  };
  for (int s = 0; s < static_cast<int>(std::size(sizes)); ++s) {
    for (const variant& v : variants) {
      const Eigen::Index k = sizes[s];
      benchmark_case& c = cases().emplace_back(
          benchmark_case{k, s, "BM_matrix_product_" + std::to_string(k) + "_" + v.name});
      auto* b = benchmark::RegisterBenchmark(c.name.c_str(),
                                             [fn = v.fn, &c](benchmark::State& st) { fn(st, c); });
      b->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
