// Loop-written functions against peer AD libraries (taping reverse mode).
//
// Families, each at N = 10, 1000, 100000 (family name <f>_<N>, e.g. sum_1000):
//   sum                 f(x) = sum_i x_i                          x_i in [-1, 1]
//   prod                f(x) = prod_i x_i                         x_i = 1 + 1e-3 u, u in [-1, 1]
//   log_sum_exp         f(x) = log(sum_i exp(x_i)), no max shift  x_i in [-1, 1]
//   normal_log_density  f(mu, sigma) = sum_i [-0.5 ((y_i - mu) / sigma)^2 - log(sigma)
//                                             - 0.5 log(2 pi)]   over N fixed data y_i;
//                       gradient w.r.t. (mu, sigma) only.
// Each function is written once, as a loop templated on the scalar (the way a
// user writes it: log(sigma) stays inside the loop), and instantiated for
// double, adouble and Sacado's ADvar.
//
// Variants (columns of tools/bench_report.py), one timed iteration each:
//   double       the loop on double: the value only. Nothing recorded.
//   hand         value + gradient written by hand (log(sigma) hoisted, prod via
//                prefix/suffix products) into a preallocated buffer. Nothing recorded.
//   adolcretape  ADOL-C: RECORDS inside the timed loop: trace_on, <<= the inputs,
//                the loop on adouble, >>= the value, trace_off; then gradient()
//                (= zos_forward + fos_reverse over the tape just written).
//   adolcreplay  ADOL-C: REPLAYS: the tape is recorded once before the timed loop;
//                each iteration runs zos_forward(keep = 1) at the new input (the
//                value) and fos_reverse (the gradient). That pair is exactly the
//                body of ADOL-C's gradient() (driversc.c), which drops the value.
//                Valid because no family branches on its input.
//   sacado       Sacado::Rad::ADvar<double> (Sacado_trad.hpp): RECORDS inside the
//                timed loop: assigning the inputs starts a new recording, the loop
//                on ADvar builds it, ADvar::Gradcomp() sweeps it back.
//   tape         gradguard's gg::tape: RECORDS inside the timed loop: clear() (the
//                memory is kept), the independents as variables, the loop on
//                gg::real (one statement per assignment), gradient() into a
//                preallocated buffer. No replay: the tape records values, it is
//                not re-evaluated at new inputs. Release builds define NDEBUG,
//                so gg::check_finite is off, as it is by default there.
//
// Inputs cycle through a table filled at start-up (64 rows; 2 rows at
// N = 100000 to bound the memory), so nothing is constant-folded; results go
// through benchmark::DoNotOptimize; all buffers (inputs, gradients, adouble /
// ADvar arrays of the independents) are allocated before the timed loop.
//
// Before timing, once per benchmark, every AD variant's value and gradient are
// compared with the hand-written ones at every input row of the table (relative
// error <= 1e-9 per component); the largest error goes to stderr, a mismatch
// prints the numbers and aborts.
//
// ADOL-C tapes stay in memory. By default ADOL-C's buffers hold 524288
// operations / locations / values / Taylor coefficients (usrparms.h); a tape
// that outgrows them is written to ./ADOLC-{Operations,Locations,Values,
// Taylors}_<tag>.tap in the working directory (normal_log_density at N = 100000
// does: ~8 operations and ~19 locations per data point), i.e. into the source
// tree when the report runs from there, and left behind on a crash. So every
// trace_on passes buffer sizes fitted to the family and N (trace_on(tag, keep,
// obs, lbs, vbs, tbs)), and after the first recording the tape statistics are
// checked: no file written and the Taylor stack within its buffer, else the tape
// is removed (files included) and the program aborts. A .adolcrc in the working
// directory is still read by ADOL-C at start-up; the explicit sizes override its
// buffer sizes. Tags: 1 + 8 family + 2 size + (replay), distinct per family /
// size / variant, below ADOL-C's 32 Taylor buffers (TBUFNUM); each benchmark
// removes its tape when it ends.
//
// ADOL-C's location store only grows (131072 locations after an N = 100000
// run) and its size leaks into every tape: trace_on copies the whole store onto
// the value tape when an adouble is alive ("take_stock"), and trace_off always
// ends the tape with a death_not over the whole store, which every forward
// sweep with keep (gradient(), zos_forward(keep = 1)) writes to the Taylor
// stack. Without care, sum_10 after sum_100000 replays 131072 extra locations.
// So no adouble is alive at trace_on (the independents' adoubles are
// constructed after it, in a vector whose capacity is reserved before the timed
// loop, and destroyed before trace_off), and each ADOL-C benchmark starts with
// an empty store (adolc_reset_store): its tape depends on its own N only.

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
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <gradguard/gradguard.hpp>

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

constexpr double half_log_2pi = 0.91893853320467274178;  // 0.5 log(2 pi)

// ---------------------------------------------------------------------------
// The functions as a user writes them: loops, templated on the scalar.

template <class T>
T sum_fn(const T* x, std::size_t n) {
  T acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) acc += x[i];
  return acc;
}

template <class T>
T prod_fn(const T* x, std::size_t n) {
  T acc = 1.0;
  for (std::size_t i = 0; i < n; ++i) acc *= x[i];
  return acc;
}

template <class T>
T log_sum_exp_fn(const T* x, std::size_t n) {
  using std::exp;
  using std::log;
  T s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += exp(x[i]);
  return log(s);
}

template <class T>
T normal_log_density_fn(const T& mu, const T& sigma, const double* y, std::size_t n) {
  using std::log;
  T acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    T z = (y[i] - mu) / sigma;
    acc += -0.5 * z * z - log(sigma) - half_log_2pi;
  }
  return acc;
}

// ---------------------------------------------------------------------------
// Hand-written value + gradient (g has room for every independent).

double sum_hand(const double* x, std::size_t n, double* g) {
  double acc = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    acc += x[i];
    g[i] = 1.0;
  }
  return acc;
}

// Prefix products forward, suffix products backward: no division.
double prod_hand(const double* x, std::size_t n, double* g) {
  double p = 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = p;
    p *= x[i];
  }
  double s = 1.0;
  for (std::size_t i = n; i-- > 0;) {
    g[i] *= s;
    s *= x[i];
  }
  return p;
}

double log_sum_exp_hand(const double* x, std::size_t n, double* g) {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    g[i] = std::exp(x[i]);
    s += g[i];
  }
  const double inv = 1.0 / s;
  for (std::size_t i = 0; i < n; ++i) g[i] *= inv;
  return std::log(s);
}

// f = -0.5 sum z^2 - n (log sigma + 0.5 log 2 pi), z = (y - mu) / sigma;
// df/dmu = sum z / sigma, df/dsigma = (sum z^2 - n) / sigma.
double normal_log_density_hand(double mu, double sigma, const double* y, std::size_t n, double* g) {
  const double inv = 1.0 / sigma;
  double s1 = 0.0, s2 = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double z = (y[i] - mu) * inv;
    s1 += z;
    s2 += z * z;
  }
  const double dn = static_cast<double>(n);
  g[0] = s1 * inv;
  g[1] = (s2 - dn) * inv;
  return -0.5 * s2 - dn * (std::log(sigma) + half_log_2pi);
}

// ---------------------------------------------------------------------------
// Families: inputs, and the dispatch from a family to its functions.

enum class family { sum, prod, log_sum_exp, normal_log_density };

constexpr const char* family_name(family f) {
  switch (f) {
    case family::sum:
      return "sum";
    case family::prod:
      return "prod";
    case family::log_sum_exp:
      return "log_sum_exp";
    case family::normal_log_density:
      return "normal_log_density";
  }
  return "?";
}

struct problem {
  std::size_t n = 0;          // the N of the family name
  std::size_t dim = 0;        // number of independent variables
  std::size_t rows = 0;       // input vectors in the table
  std::vector<double> table;  // rows * dim inputs
  std::vector<double> data;   // normal_log_density: the y_i
  const double* row(std::size_t r) const { return table.data() + r * dim; }
};

// Uniform in [0, 1), the same sequence on every run.
struct lcg {
  unsigned state;
  double next() {
    state = state * 1664525u + 1013904223u;
    return static_cast<double>(state >> 8) / static_cast<double>(1u << 24);
  }
};

problem make_problem(family f, std::size_t n) {
  problem p;
  p.n = n;
  p.dim = f == family::normal_log_density ? 2 : n;
  p.rows = std::clamp<std::size_t>(65536 / p.dim, 2, 64);
  p.table.resize(p.rows * p.dim);
  lcg u{static_cast<unsigned>(12345u + 977u * static_cast<unsigned>(f) + static_cast<unsigned>(n))};
  switch (f) {
    case family::sum:
    case family::log_sum_exp:
      for (double& v : p.table) v = 2.0 * u.next() - 1.0;
      break;
    case family::prod:
      for (double& v : p.table) v = 1.0 + 1e-3 * (2.0 * u.next() - 1.0);
      break;
    case family::normal_log_density:
      // mu in [0.5, 1.5], sigma in [0.5, 0.9] and y in [-1, 1]: neither
      // gradient component comes from a near cancellation.
      for (std::size_t r = 0; r < p.rows; ++r) {
        p.table[2 * r] = 0.5 + u.next();
        p.table[2 * r + 1] = 0.5 + 0.4 * u.next();
      }
      p.data.resize(n);
      for (double& y : p.data) y = 2.0 * u.next() - 1.0;
      break;
  }
  return p;
}

// One problem per family and N, shared by its variants.
const problem& problem_for(family f, std::size_t n) {
  static std::map<std::pair<family, std::size_t>, problem> cache;
  auto it = cache.find({f, n});
  if (it == cache.end()) it = cache.emplace(std::pair{f, n}, make_problem(f, n)).first;
  return it->second;
}

template <family F, class T>
T active(const problem& p, const T* x) {
  if constexpr (F == family::sum) return sum_fn(x, p.n);
  else if constexpr (F == family::prod) return prod_fn(x, p.n);
  else if constexpr (F == family::log_sum_exp) return log_sum_exp_fn(x, p.n);
  else return normal_log_density_fn(x[0], x[1], p.data.data(), p.n);
}

template <family F>
double hand(const problem& p, const double* x, double* g) {
  if constexpr (F == family::sum) return sum_hand(x, p.n, g);
  else if constexpr (F == family::prod) return prod_hand(x, p.n, g);
  else if constexpr (F == family::log_sum_exp) return log_sum_exp_hand(x, p.n, g);
  else return normal_log_density_hand(x[0], x[1], p.data.data(), p.n, g);
}

// ---------------------------------------------------------------------------
// The start-up check: an AD variant against the hand-written gradient.

struct benchmark_case {
  family f;
  std::size_t n;
  int size_index;
  std::string name;      // BM_<family>_<N>_<variant>
  bool checked = false;  // the check runs on the first call only
};

constexpr double tolerance = 1e-9;

[[maybe_unused]] double relative_error(double got, double expected) {
  const double scale = std::max(std::abs(got), std::abs(expected));
  return scale == 0.0 ? 0.0 : std::abs(got - expected) / scale;
}

// ad(x, g) returns the value and writes the gradient; run at every table row.
template <family F, class AD>
void check(benchmark_case& c, const problem& p, AD ad) {
  if (c.checked) return;
  std::vector<double> gh(p.dim), ga(p.dim);
  double worst = 0.0;
  for (std::size_t r = 0; r < p.rows; ++r) {
    const double* x = p.row(r);
    const double fh = hand<F>(p, x, gh.data());
    const double fa = ad(x, ga.data());
    const auto fail = [&](const char* what, std::size_t i, double got, double expected) {
      std::fprintf(stderr,
                   "bench_tape_peers: %s: %s mismatch at input row %zu, component %zu: got "
                   "%.17g, hand-written %.17g (relative error %.3g > %.0e)\n",
                   c.name.c_str(), what, r, i, got, expected, relative_error(got, expected),
                   tolerance);
      std::abort();
    };
    if (relative_error(fa, fh) > tolerance) fail("value", 0, fa, fh);
    worst = std::max(worst, relative_error(fa, fh));
    for (std::size_t i = 0; i < p.dim; ++i) {
      if (relative_error(ga[i], gh[i]) > tolerance) fail("gradient", i, ga[i], gh[i]);
      worst = std::max(worst, relative_error(ga[i], gh[i]));
    }
  }
  // stderr: stdout may carry the benchmark's JSON.
  std::fprintf(stderr,
               "checked %s: value and %zu gradient components = hand-written at %zu inputs "
               "(largest relative error %.2g)\n",
               c.name.c_str(), p.dim, p.rows, worst);
  c.checked = true;
}

// ---------------------------------------------------------------------------
// The timed loops.

void finish(benchmark::State& state, const problem& p) {
  state.counters["N"] = static_cast<double>(p.n);
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(p.n));
}

template <family F>
void bench_double(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.f, c.n);
  std::size_t r = 0;
  for (auto _ : state) {
    double f = active<F, double>(p, p.row(r));
    benchmark::DoNotOptimize(f);
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

template <family F>
void bench_hand(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.f, c.n);
  std::vector<double> g(p.dim);
  std::size_t r = 0;
  for (auto _ : state) {
    double f = hand<F>(p, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

#if GG_ADOLC

// Buffer sizes per data point, from tapestats (operations / locations / values /
// Taylor stack per point: sum and prod 3 / 4 / 0 / 4.3, log_sum_exp 4 / 6 / 0 /
// 5.3, normal_log_density 8 / 19 / 3 / 9.3 at N = 100000), with margin: the
// Taylor stack also holds the whole location store (up to 2 per point, it
// grows by doubling).
struct adolc_sizes {
  unsigned ops, locs, vals, taylors;
};

adolc_sizes adolc_sizes_for(family f, std::size_t n) {
  const auto fit = [n](unsigned per_point) { return static_cast<unsigned>(per_point * n + 4096); };
  switch (f) {
    case family::sum:
    case family::prod:
      return {fit(4), fit(6), fit(2), fit(8)};
    case family::log_sum_exp:
      return {fit(5), fit(8), fit(2), fit(9)};
    case family::normal_log_density:
      return {fit(10), fit(25), fit(5), fit(12)};
  }
  return {};
}

// Empties ADOL-C's location store (see the note at the top): switching the
// store manager's type reallocates the store, which needs no adouble alive.
void adolc_reset_store() {
  setStoreManagerType(ADOLC_LOCATION_SINGLETONS);
  setStoreManagerType(ADOLC_LOCATION_BLOCKS);
}

short adolc_tag(const benchmark_case& c, bool replay) {
  return static_cast<short>(1 + 8 * static_cast<int>(c.f) + 2 * c.size_index + (replay ? 1 : 0));
}

// Records the family at x on tape `tag`, in memory; returns the value. Every
// adouble lives only between trace_on and trace_off (ax: capacity reserved by
// the caller, so no allocation here); see the note at the top of the file.
template <family F>
double adolc_record(const problem& p, short tag, const adolc_sizes& s, std::vector<adouble>& ax,
                    const double* x) {
  double f = 0.0;
  trace_on(tag, 0, s.ops, s.locs, s.vals, s.taylors);
  ax.resize(p.dim);
  for (std::size_t i = 0; i < p.dim; ++i) ax[i] <<= x[i];
  {
    adouble y = active<F, adouble>(p, ax.data());
    y >>= f;
  }
  ax.clear();  // capacity kept
  trace_off();
  return f;
}

// Prints the size of tape `tag`; aborts if it went to files or its Taylor
// stack outgrows its buffer (a forward sweep would write it to a file).
void adolc_check_in_memory(const benchmark_case& c, short tag, const problem& p) {
  std::size_t s[STAT_SIZE];
  tapestats(tag, s);
  const bool files = s[OP_FILE_ACCESS] || s[LOC_FILE_ACCESS] || s[VAL_FILE_ACCESS];
  const bool taylor_spill = s[TAY_STACK_SIZE] > s[TAY_BUFFER_SIZE];
  std::fprintf(
      stderr,
      "adolc tape %d (%s): %zu operations, %zu locations, %zu values, Taylor stack "
      "%zu (per data point %.2f / %.2f / %.2f / %.2f)\n",
      tag, c.name.c_str(), s[NUM_OPERATIONS], s[NUM_LOCATIONS], s[NUM_VALUES], s[TAY_STACK_SIZE],
      static_cast<double>(s[NUM_OPERATIONS]) / p.n, static_cast<double>(s[NUM_LOCATIONS]) / p.n,
      static_cast<double>(s[NUM_VALUES]) / p.n, static_cast<double>(s[TAY_STACK_SIZE]) / p.n);
  if (files || taylor_spill) {
    std::fprintf(stderr,
                 "bench_tape_peers: %s: ADOL-C tape %d does not fit its buffers (operations "
                 "%zu/%zu, locations %zu/%zu, values %zu/%zu, Taylor %zu/%zu); enlarge "
                 "adolc_sizes_for\n",
                 c.name.c_str(), tag, s[NUM_OPERATIONS], s[OP_BUFFER_SIZE], s[NUM_LOCATIONS],
                 s[LOC_BUFFER_SIZE], s[NUM_VALUES], s[VAL_BUFFER_SIZE], s[TAY_STACK_SIZE],
                 s[TAY_BUFFER_SIZE]);
    removeTape(tag, ADOLC_REMOVE_COMPLETELY);  // deletes the tape files
    std::abort();
  }
}

template <family F>
void bench_adolcretape(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.f, c.n);
  const short tag = adolc_tag(c, false);
  const adolc_sizes sizes = adolc_sizes_for(c.f, c.n);
  const int dim = static_cast<int>(p.dim);
  std::vector<adouble> ax;
  ax.reserve(p.dim);
  std::vector<double> g(p.dim);
  adolc_reset_store();
  if (!c.checked) {
    adolc_record<F>(p, tag, sizes, ax, p.row(0));
    adolc_check_in_memory(c, tag, p);
    check<F>(c, p, [&](const double* x, double* grad) {
      const double f = adolc_record<F>(p, tag, sizes, ax, x);
      if (gradient(tag, dim, x, grad) < 0) std::abort();
      return f;
    });
  }
  std::size_t r = 0;
  for (auto _ : state) {
    const double* x = p.row(r);
    double f = adolc_record<F>(p, tag, sizes, ax, x);
    gradient(tag, dim, x, g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
  removeTape(tag, ADOLC_REMOVE_COMPLETELY);
}

template <family F>
void bench_adolcreplay(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.f, c.n);
  const short tag = adolc_tag(c, true);
  const adolc_sizes sizes = adolc_sizes_for(c.f, c.n);
  const int dim = static_cast<int>(p.dim);
  std::vector<double> g(p.dim);
  {
    std::vector<adouble> ax;
    ax.reserve(p.dim);
    adolc_reset_store();
    adolc_record<F>(p, tag, sizes, ax, p.row(0));  // the only recording
  }
  double one = 1.0;
  if (!c.checked) {
    adolc_check_in_memory(c, tag, p);
    check<F>(c, p, [&](const double* x, double* grad) {
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

namespace gg = gradguard;

template <family F>
double tape_gradient(const problem& p, gg::tape& tape, std::vector<gg::real>& ax, const double* x,
                     double* g) {
  tape.clear();
  tape.variables("x", std::span<const double>(x, p.dim), std::span<gg::real>(ax));
  const gg::real y = active<F, gg::real>(p, ax.data());
  tape.gradient(y, ax, std::span<double>(g, p.dim));
  return gg::value(y);
}

template <family F>
void bench_tape(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.f, c.n);
  gg::tape tape;
  std::vector<gg::real> ax(p.dim);
  std::vector<double> g(p.dim);
  check<F>(c, p,
           [&](const double* x, double* grad) { return tape_gradient<F>(p, tape, ax, x, grad); });
  std::size_t r = 0;
  for (auto _ : state) {
    double f = tape_gradient<F>(p, tape, ax, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
  // The recording of the last iteration: bytes of statement data.
  const gg::tape_statistics stats = tape.statistics();
  state.counters["tape_bytes_per_element"] =
      static_cast<double>(stats.bytes) / static_cast<double>(p.n);
  state.counters["tape_statements"] = static_cast<double>(stats.statements);
}

#if GG_SACADO

using sacado_var = Sacado::Rad::ADvar<double>;

// Value + gradient; ax holds the independents (allocated by the caller).
template <family F>
double sacado_gradient(const problem& p, std::vector<sacado_var>& ax, const double* x, double* g) {
  for (std::size_t i = 0; i < p.dim; ++i) ax[i] = x[i];  // starts a new recording
  sacado_var y = active<F, sacado_var>(p, ax.data());
  sacado_var::Gradcomp();  // sweeps back from the last operation recorded: y
  for (std::size_t i = 0; i < p.dim; ++i) g[i] = ax[i].adj();
  return y.val();
}

template <family F>
void bench_sacado(benchmark::State& state, benchmark_case& c) {
  const problem& p = problem_for(c.f, c.n);
  std::vector<sacado_var> ax(p.dim);
  std::vector<double> g(p.dim);
  check<F>(c, p, [&](const double* x, double* grad) { return sacado_gradient<F>(p, ax, x, grad); });
  std::size_t r = 0;
  for (auto _ : state) {
    double f = sacado_gradient<F>(p, ax, p.row(r), g.data());
    benchmark::DoNotOptimize(f);
    benchmark::DoNotOptimize(g.data());
    benchmark::ClobberMemory();
    if (++r == p.rows) r = 0;
  }
  finish(state, p);
}

#endif  // GG_SACADO

// ---------------------------------------------------------------------------
// Registration: BM_<family>_<N>_<variant>, in the report's column order.

constexpr std::size_t sizes[] = {10, 1000, 100000};

std::deque<benchmark_case>& cases() {
  static std::deque<benchmark_case> all;  // stable addresses
  return all;
}

template <family F>
void register_family() {
  using bench_fn = void (*)(benchmark::State&, benchmark_case&);
  struct variant {
    const char* name;
    bench_fn fn;
  };
  const variant variants[] = {
    {"double", bench_double<F>},
    {"hand", bench_hand<F>},
    {"tape", bench_tape<F>},
#if GG_ADOLC
    {"adolcretape", bench_adolcretape<F>},
    {"adolcreplay", bench_adolcreplay<F>},
#endif
#if GG_SACADO
    {"sacado", bench_sacado<F>},
#endif
  };
  for (int s = 0; s < static_cast<int>(std::size(sizes)); ++s) {
    for (const variant& v : variants) {
      const std::size_t n = sizes[s];
      benchmark_case& c = cases().emplace_back(benchmark_case{
          F, n, s, "BM_" + std::string(family_name(F)) + "_" + std::to_string(n) + "_" + v.name});
      benchmark::RegisterBenchmark(c.name.c_str(),
                                   [fn = v.fn, &c](benchmark::State& st) { fn(st, c); });
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_family<family::sum>();
  register_family<family::prod>();
  register_family<family::log_sum_exp>();
  register_family<family::normal_log_density>();

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
