// Thousands of seeded random programs — statements of one or several
// operations, compound assignments, loops with fixed and value-dependent trip
// counts, `if` on values, select/min/max/floor inside statements — run once on
// gg::real (recorded on a tape) and on plain double for central finite
// differences (5-point stencil, step 1e-6 relative). The tape's gradient must
// match them. A program is skipped when finite differences cannot be trusted:
// a branch decision changes within the step, values grow beyond 1e6, or the
// 2-point differences at steps h and 2h disagree by more than 1e-4 relative.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <limits>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace gg = gradguard;

namespace {

// ---- The program -----------------------------------------------------------

enum control : int { if_else = 100, for_loop, while_loop };
constexpr int statement_kinds = 27;

struct instruction {
  int kind = 0;             // a statement kind (0 .. statement_kinds - 1) or a control
  int d = 0, a = 0, b = 0;  // registers
  double c = 0;             // a constant
  int n = 0;                // trip count of a for loop
  std::vector<instruction> body, other;
};

struct program {
  std::vector<double> x;          // the variables' values
  std::vector<double> constants;  // registers after the variables
  int registers = 0;              // variables, constants, then scratch registers (0)
  std::vector<instruction> code;
  int output = 0;
  std::vector<double> output_weights;  // y = r[output] + sum w_k r[k], if not empty
};

// The statements, spelled once for numbers and for reals.
struct number_ops {
  static double value(double v) { return v; }
  static double exp(double x) { return std::exp(x); }
  static double log(double x) { return std::log(x); }
  static double sin(double x) { return std::sin(x); }
  static double cos(double x) { return std::cos(x); }
  static double tanh(double x) { return std::tanh(x); }
  static double sqrt(double x) { return std::sqrt(x); }
  static double abs(double x) { return std::abs(x); }
  static double square(double x) { return x * x; }
  static double pow(double x, double y) { return std::pow(x, y); }
  static double pow(double x, int n) { return std::pow(x, n); }
  static double atan2(double y, double x) { return std::atan2(y, x); }
  static double hypot(double x, double y) { return std::hypot(x, y); }
  static double select(bool c, double a, double b) { return c ? a : b; }
  static double min(double a, double b) { return b < a ? b : a; }
  static double max(double a, double b) { return a < b ? b : a; }
  static double floor(double x) { return std::floor(x); }
};

struct tape_ops {
  static double value(const gg::real& v) { return gg::value(v); }
  // clang-format off
  template <class X> static auto exp(const X& x) { return gg::exp(x); }
  template <class X> static auto log(const X& x) { return gg::log(x); }
  template <class X> static auto sin(const X& x) { return gg::sin(x); }
  template <class X> static auto cos(const X& x) { return gg::cos(x); }
  template <class X> static auto tanh(const X& x) { return gg::tanh(x); }
  template <class X> static auto sqrt(const X& x) { return gg::sqrt(x); }
  template <class X> static auto abs(const X& x) { return gg::abs(x); }
  template <class X> static auto square(const X& x) { return gg::square(x); }
  template <class X, class Y> static auto pow(const X& x, const Y& y) { return gg::pow(x, y); }
  template <class X, class Y> static auto atan2(const X& y, const Y& x) { return gg::atan2(y, x); }
  template <class X, class Y> static auto hypot(const X& x, const Y& y) { return gg::hypot(x, y); }
  template <class C, class A, class B> static auto select(const C& c, const A& a, const B& b) { return gg::select(c, a, b); }
  template <class A, class B> static auto min(const A& a, const B& b) { return gg::min(a, b); }
  template <class A, class B> static auto max(const A& a, const B& b) { return gg::max(a, b); }
  // clang-format on
  static gg::real floor(const gg::real& x) { return gg::floor(x); }  // records its own cut
};

// One run: the branch decisions taken, and the largest magnitude seen.
struct run_log {
  std::vector<std::int64_t> trace;
  double largest = 0;
  bool finite = true;
  int if_taken = 0, if_not_taken = 0, no_trip = 0, trips = 0;  // control flow exercised
};

template <class R, class O>
struct machine {
  std::vector<R> r;
  run_log& log;

  void note(const R& v) {
    const double a = std::abs(O::value(v));
    if (!std::isfinite(a)) log.finite = false;
    log.largest = std::max(log.largest, a);
  }

  void execute(const std::vector<instruction>& code) {
    for (const auto& in : code) {
      if (!log.finite || log.largest > 1e6) return;  // the run is rejected anyway
      execute(in);
    }
  }

  void execute(const instruction& in) {
    R& d = r[static_cast<std::size_t>(in.d)];
    const R& a = r[static_cast<std::size_t>(in.a)];
    const R& b = r[static_cast<std::size_t>(in.b)];
    const double c = in.c;
    switch (in.kind) {
      case if_else: {
        const bool taken = a > c;
        log.trace.push_back(taken);
        ++(taken ? log.if_taken : log.if_not_taken);
        execute(taken ? in.body : in.other);
        return;
      }
      case for_loop:
        for (int k = 0; k < in.n; ++k) execute(in.body);
        return;
      case while_loop: {
        int k = 0;
        while (true) {
          const bool go = r[static_cast<std::size_t>(in.a)] < c;
          log.trace.push_back(go);
          if (!go || k == 6) break;
          execute(in.body);
          ++k;
        }
        log.trace.push_back(k);
        ++(k == 0 ? log.no_trip : log.trips);
        return;
      }
      case 0:
        d = a + b;
        break;
      case 1:
        d = a - b * c;
        break;
      case 2:
        d = a * b;
        break;
      case 3:
        d = a / (1.5 + O::square(b));
        break;
      case 4:
        d = O::exp(a * c);
        break;
      case 5:
        d = O::log(1.0 + O::square(a)) + b;
        break;
      case 6:
        d = O::sin(a) * b + O::cos(b);
        break;
      case 7:
        d = O::tanh(a * b);
        break;
      case 8:
        d = O::sqrt(O::square(a) + 0.25);
        break;
      case 9:
        d = O::pow(O::square(a) + 0.5, c);
        break;
      case 10:
        d = O::square(a) - b;
        break;
      case 11:
        log.trace.push_back(O::value(a) > c);
        d = O::select(a > c, a * b, O::sin(b));
        break;
      case 12:
        log.trace.push_back(O::value(b) < O::value(a));
        log.trace.push_back(O::value(a) * c < O::value(b));
        d = O::min(a, b) + O::max(a * c, b);
        break;
      case 13:
        d += a * c;
        break;
      case 14:
        d -= b * O::sin(a);
        break;
      case 15:
        d *= O::tanh(a);
        break;
      case 16:
        d /= 1.0 + O::square(a);
        break;
      case 17:
        d = a * O::exp(b * c) + O::sin(a - b);
        break;
      case 18:
        d = O::log(1.0 + O::square(a)) * b - O::tanh(a * b);
        break;
      case 19:
        d = O::pow(a, 2) + O::pow(b, 3) * c;
        break;
      case 20:
        log.trace.push_back(O::value(a) < O::value(b));
        d = O::select(a < b, O::log(1.0 + O::square(a)), O::sqrt(O::square(b) + 1.0));
        break;
      case 21:
        d = O::pow(1.5 + O::sin(a), b);
        break;
      case 22:
        d = O::cos(a * c) * O::exp(-O::square(b));
        break;
      case 23:
        log.trace.push_back(O::value(a) > 0);
        d = O::abs(a) * b;
        break;
      case 24:
        d = O::atan2(a, 1.0 + O::square(b));
        break;
      case 25:
        d = O::hypot(a, 1.0 + O::square(b)) - a * c;
        break;
      case 26: {
        log.trace.push_back(static_cast<std::int64_t>(std::floor(O::value(a))));
        const R f = O::floor(a);
        d = b * f + c;
        break;
      }
      default:
        break;
    }
    note(d);
  }
};

template <class R, class O>
R run(const program& p, std::span<const R> x, run_log& log) {
  machine<R, O> m{{}, log};
  m.r.reserve(static_cast<std::size_t>(p.registers));
  for (const auto& v : x) m.r.push_back(v);
  for (double k : p.constants) m.r.push_back(R(k));
  while (m.r.size() < static_cast<std::size_t>(p.registers)) m.r.push_back(R(0.0));
  for (const auto& v : m.r) m.note(v);
  m.execute(p.code);
  R y = m.r[static_cast<std::size_t>(p.output)];
  for (std::size_t k = 0; k < p.output_weights.size(); ++k) y += m.r[k] * p.output_weights[k];
  m.note(y);
  return y;
}

// ---- Generating programs -------------------------------------------------------

struct generator {
  std::mt19937_64 rng;

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng); }

  std::vector<instruction> block(int variables, int registers, int depth, int length) {
    std::vector<instruction> code(static_cast<std::size_t>(length));
    for (auto& in : code) {
      in.d = uniform(0, registers - 1);
      in.a = uniform(0, registers - 1);
      in.b = uniform(0, registers - 1);
      if (chance(0.3)) in.a = uniform(0, variables - 1);  // more paths from the variables
      if (depth < 2 && chance(0.2)) {
        in.kind = uniform(int{if_else}, int{while_loop});
        in.c = in.kind == while_loop ? uniform(-1.0, 2.0) : uniform(-1.5, 1.5);
        in.n = uniform(1, 4);
        in.body = block(variables, registers, depth + 1, uniform(1, 3));
        if (in.kind == if_else) in.other = block(variables, registers, depth + 1, uniform(0, 3));
        if (in.kind == while_loop) in.body.push_back(grow(registers, in.a));
      } else {
        in.kind = uniform(0, statement_kinds - 1);
        in.c = uniform(-1.0, 1.0);
        if (in.kind == 9) in.c *= 1.5;
        if (in.kind == 4 || in.kind == 17) in.c *= 0.5;
      }
    }
    return code;
  }

  // r[a] += |k|, so that a while loop on r[a] < c ends by itself more often
  instruction grow(int registers, int a) {
    instruction in;
    in.kind = 13;
    in.d = a;
    in.a = uniform(0, registers - 1);
    in.c = uniform(0.25, 1.0);
    return in;
  }

  program make() {
    program p;
    const int n = uniform(1, 4);
    for (int i = 0; i < n; ++i) p.x.push_back(uniform(-2.0, 2.0));
    const double pool[] = {0.5, -1.25, 2.0, 0.75, -0.3};
    for (int i = 0; i < 2; ++i) p.constants.push_back(pool[uniform(0, 4)]);
    p.registers = n + 2 + uniform(1, 3);
    p.code = block(n, p.registers, 0, uniform(2, 10));
    p.output = p.code.back().d;
    if (chance(0.75))
      for (int k = 0; k < p.registers; ++k) p.output_weights.push_back(uniform(-1.0, 1.0));
    return p;
  }
};

void print(std::ostream& os, const std::vector<instruction>& code, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  for (const auto& in : code) {
    os << pad;
    if (in.kind == if_else) {
      os << "if (r" << in.a << " > " << in.c << ") {\n";
      print(os, in.body, indent + 2);
      os << pad << "} else {\n";
      print(os, in.other, indent + 2);
      os << pad << "}\n";
    } else if (in.kind == for_loop) {
      os << "for " << in.n << " times {\n";
      print(os, in.body, indent + 2);
      os << pad << "}\n";
    } else if (in.kind == while_loop) {
      os << "while (r" << in.a << " < " << in.c << ", at most 6) {\n";
      print(os, in.body, indent + 2);
      os << pad << "}\n";
    } else {
      os << "r" << in.d << " <- kind " << in.kind << "(r" << in.a << ", r" << in.b
         << ", c = " << in.c << ")\n";
    }
  }
}

std::string describe(const program& p) {
  std::ostringstream os;
  os.precision(17);
  os << "x =";
  for (double v : p.x) os << " " << v;
  os << "; constants =";
  for (double v : p.constants) os << " " << v;
  os << "; " << p.registers << " registers\n";
  print(os, p.code, 2);
  os << "  y = r" << p.output;
  if (!p.output_weights.empty()) os << " + sum of weighted registers";
  os << "\n";
  return os.str();
}

void count_kinds(const std::vector<instruction>& code, std::array<int, statement_kinds + 3>& seen) {
  for (const auto& in : code) {
    ++seen[static_cast<std::size_t>(in.kind >= if_else ? statement_kinds + (in.kind - if_else)
                                                       : in.kind)];
    count_kinds(in.body, seen);
    count_kinds(in.other, seen);
  }
}

// ---- The test ------------------------------------------------------------------

struct tally {
  int generated = 0, checked = 0, active = 0, branch_flips = 0, huge = 0, curved = 0;
  int missing_checked = 0;
  double worst = 0;  // largest |tape - finite differences| / tolerance
  int if_taken = 0, if_not_taken = 0, no_trip = 0, trips = 0;  // programs with each
  std::array<int, 7> reasons{};  // of missing gradients, by gg::missing_reason
  int failures = 0;
  std::array<int, statement_kinds + 3> kinds{};  // in checked programs
};

double evaluate(const program& p, const std::vector<double>& x, run_log& log) {
  return run<double, number_ops>(p, std::span<const double>(x), log);
}

void check_program(const program& p, gg::tape& tape, tally& t) {
  ++t.generated;
  const std::size_t n = p.x.size();
  // on numbers, at x and at x -+ h e_i
  run_log base;
  const double f = evaluate(p, p.x, base);
  if (!base.finite || base.largest > 1e6) {
    ++t.huge;
    return;
  }
  std::vector<double> fd(n), noise(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double h = 1e-6 * std::max(1.0, std::abs(p.x[i]));
    bool flipped = false, huge = false;  // at any of x +- h e_i, x +- 2h e_i
    const auto d = gg::central_difference(
        [&](double xi) {
          auto xk = p.x;
          xk[i] = xi;
          run_log lk;
          const double v = evaluate(p, xk, lk);
          flipped = flipped || lk.trace != base.trace;
          huge = huge || !lk.finite || lk.largest > 1e6;
          return v;
        },
        p.x[i], h);
    if (flipped) {
      ++t.branch_flips;
      return;
    }
    if (huge) {
      ++t.huge;
      return;
    }
    // The central difference's own error is the spread between the steps h
    // and 2h (over 3): where it is large the function curves too much for
    // the step; skip.
    if (d.spread > 1e-4 * std::max(1.0, std::abs(d.derivative))) {
      ++t.curved;
      return;
    }
    fd[i] = d.derivative;  // the 5-point stencil
    // rounding of f (a few ulp of the largest intermediate, accumulated), over the step
    noise[i] = 64 * std::numeric_limits<double>::epsilon() * std::max(1.0, base.largest) / h;
  }
  // on the tape
  tape.clear();
  const std::vector<gg::real> x = tape.variables("x", p.x);
  run_log taped;
  gg::real y;
  std::vector<double> g;
  try {
    y = run<gg::real, tape_ops>(p, std::span<const gg::real>(x), taped);
    g = tape.gradient(y, x, gg::allow_unconnected).values();
  } catch (const std::exception& e) {
    ++t.failures;
    ADD_FAILURE() << "the taped run threw: " << e.what() << "\n" << describe(p);
    return;
  }
  ++t.checked;
  t.if_taken += taped.if_taken > 0;
  t.if_not_taken += taped.if_not_taken > 0;
  t.no_trip += taped.no_trip > 0;
  t.trips += taped.trips > 0;
  if (std::any_of(fd.begin(), fd.end(), [](double v) { return std::abs(v) > 1e-3; })) ++t.active;
  count_kinds(p.code, t.kinds);
  bool ok = true;
  std::ostringstream why;
  why.precision(17);
  if (taped.trace != base.trace) {
    ok = false;
    why << "the taped run took other branches than the run on numbers\n";
  }
  if (std::abs(gg::value(y) - f) > 1e-13 * std::max(1.0, base.largest)) {
    ok = false;
    why << "value " << gg::value(y) << " on the tape, " << f << " on numbers\n";
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double tol = 1e-6 * std::abs(fd[i]) + 1e-7 + noise[i];
    t.worst = std::max(t.worst, std::abs(g[i] - fd[i]) / tol);
    if (!(std::abs(g[i] - fd[i]) <= tol)) {
      ok = false;
      why << "d y / d x" << i << ": tape " << g[i] << ", finite differences " << fd[i]
          << " (tolerance " << tol << ")\n";
    }
  }
  // Without gg::allow_unconnected: a variable reported missing has a zero
  // derivative by finite differences too.
  try {
    const auto strict = tape.gradient(y, x);
    if (strict.values() != g) {
      ok = false;
      why << "the gradient without allow_unconnected differs\n";
    }
  } catch (const gg::missing_gradient& e) {
    ++t.missing_checked;
    for (const auto& m : e.variables()) {
      ++t.reasons.at(static_cast<std::size_t>(m.reason));
      std::size_t i = 0;
      while (i < n && m.name != "x[" + std::to_string(i) + "]") ++i;
      if (n == 1 && m.name == "x") i = 0;  // (a vector of one may be named without [0])
      if (i == n || g[i] != 0 || std::abs(fd[i]) > 1e-7 + noise[i]) {
        ok = false;
        why << "reported missing: " << m.detail << ", but finite differences give "
            << (i < n ? fd[i] : -1.0) << "\n";
      }
    }
  }
  if (!ok) {
    ++t.failures;
    if (t.failures <= 5) ADD_FAILURE() << why.str() << describe(p);
  }
}

TEST(TapeRandomPrograms, GradientsMatchFiniteDifferences) {
  tally t;
  const std::uint64_t seeds[] = {1, 2, 3, 4};
  for (const std::uint64_t seed : seeds) {
    generator gen{std::mt19937_64(seed)};
    gg::tape checked_tape(gg::check_finite);
    gg::tape plain_tape(gg::check_finite, false);
    for (int i = 0; i < 2500; ++i) {
      const program p = gen.make();
      SCOPED_TRACE("seed " + std::to_string(seed) + ", program " + std::to_string(i));
      check_program(p, i % 2 ? checked_tape : plain_tape, t);
    }
  }
  std::cout << "random programs: " << t.generated << " generated, " << t.checked
            << " checked against finite differences (" << t.active
            << " with a derivative of magnitude > 1e-3, " << t.missing_checked
            << " with a missing gradient), skipped: " << t.branch_flips
            << " branch changes within the step, " << t.huge << " too large, " << t.curved
            << " curving too much for the step; largest error / tolerance " << t.worst
            << "; missing gradients by reason (unused, stop_gradient, non_differentiable, "
               "untaken_branch):";
  for (std::size_t r = 0; r < 4; ++r) std::cout << " " << t.reasons[r];
  std::cout << "\n";
  RecordProperty("programs_checked", t.checked);
  RecordProperty("programs_with_a_nonzero_gradient", t.active);
  EXPECT_EQ(t.failures, 0);
  EXPECT_GE(t.checked, 2000);
  EXPECT_GE(t.active, 2000);
  EXPECT_GE(t.missing_checked, 20);
  // the control flow and the diagnoses were exercised
  EXPECT_GE(t.if_taken, 500);
  EXPECT_GE(t.if_not_taken, 500);
  EXPECT_GE(t.no_trip, 500);
  EXPECT_GE(t.trips, 500);
  EXPECT_GE(t.reasons[static_cast<std::size_t>(gg::missing_reason::unused)], 100);
  EXPECT_GE(t.reasons[static_cast<std::size_t>(gg::missing_reason::non_differentiable)], 20);
  EXPECT_GE(t.reasons[static_cast<std::size_t>(gg::missing_reason::untaken_branch)], 20);
  for (std::size_t k = 0; k < t.kinds.size(); ++k)
    EXPECT_GE(t.kinds[k], 100) << "statement kind or control " << k << " is rarely checked";
}

}  // namespace
