// Random programs for differential testing, shared by the unit test
// (random_program_test.cpp, seeded) and the libFuzzer target
// (test/fuzz/random_program_fuzz.cpp, the fuzzer's bytes choose the program).
// A program — statements of one or several operations, compound assignments,
// loops with fixed and value-dependent trip counts, `if` on values,
// select/min/max/floor inside statements — runs on plain double for central
// finite differences (5-point stencil, step 1e-6 relative), on gg::real
// (recorded on a tape) and on gg::dual (forward mode, all tangents in one
// pass); both gradients must match the finite differences. A program is
// skipped when finite differences cannot be trusted: a branch decision changes
// within the step, values grow beyond 1e6, or the 2-point differences at
// steps h and 2h disagree by more than 1e-4 relative.
#pragma once

#include <gradguard/gradguard.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace random_programs {

namespace gg = gradguard;

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

// The same statements on an AD number R: gg::real (recorded on a tape) or
// gg::dual (forward mode).
template <class R>
struct ad_ops {
  static double value(const R& v) { return gg::value(v); }
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
  static R floor(const R& x) { return R(gg::floor(x)); }  // on the tape, records its own cut
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

// Where a generator's choices come from: a seeded engine (the unit test) or
// the bytes of a fuzzer's input (test/fuzz/), read two at a time; past the
// end every choice is the lowest.
struct seeded_choices {
  std::mt19937_64 rng;
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
};

struct byte_choices {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t at = 0;

  double unit() {  // in [0, 1)
    unsigned v = 0;
    for (int k = 0; k < 2; ++k) v = v << 8 | (at < size ? data[at++] : 0u);
    return v / 65536.0;
  }
  int uniform(int lo, int hi) { return lo + static_cast<int>(unit() * (hi - lo + 1)); }
  double uniform(double lo, double hi) { return lo + unit() * (hi - lo); }
  bool chance(double p) { return unit() < p; }
};

template <class Choices>
struct generator {
  Choices choices;

  int uniform(int lo, int hi) { return choices.uniform(lo, hi); }
  double uniform(double lo, double hi) { return choices.uniform(lo, hi); }
  bool chance(double p) { return choices.chance(p); }

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

inline void print(std::ostream& os, const std::vector<instruction>& code, int indent) {
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

inline std::string describe(const program& p) {
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

inline void count_kinds(const std::vector<instruction>& code,
                        std::array<int, statement_kinds + 3>& seen) {
  for (const auto& in : code) {
    ++seen[static_cast<std::size_t>(in.kind >= if_else ? statement_kinds + (in.kind - if_else)
                                                       : in.kind)];
    count_kinds(in.body, seen);
    count_kinds(in.other, seen);
  }
}

}  // namespace random_programs
