// Static expressions against the code an expert would write by hand.
//
// For each expression: the plain double function (BM_<family>_double), a
// hand-written value + full gradient sharing every subexpression it can
// (BM_<family>_hand), and gg::value_and_gradient on the static expression
// (BM_<family>_gradguard). tools/bench_report.py pairs them by family.
//
// Nothing is recorded: the static engine has no tape. Each timed iteration
// builds the expression from fresh inputs, runs one forward pass (every node
// value cached once) and one reverse sweep; the compiler sees the whole tree.
// Inputs cycle through a table filled at start-up, so nothing is
// constant-folded, and every result goes through benchmark::DoNotOptimize.
//
// Before any timing, each gradguard gradient is checked against the
// hand-written one and against central finite differences at every input;
// a mismatch aborts with the numbers.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <benchmark/benchmark.h>

#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

namespace {

template <std::size_t N>
struct value_and_grad {
  double value;
  std::array<double, N> grad;
};

// Every benchmark reads its inputs from a small table that cycles.
constexpr std::size_t table_size = 64;  // a power of two

template <std::size_t N>
using input_table = std::array<std::array<double, N>, table_size>;

// Inputs in [0.5, 2]: every log, division and pow below is well defined.
template <std::size_t N>
input_table<N> make_inputs(unsigned seed) {
  input_table<N> table{};
  for (auto& row : table)
    for (auto& v : row) {
      seed = seed * 1664525u + 1013904223u;  // LCG: same table on every run
      v = 0.5 + 1.5 * static_cast<double>(seed >> 8) / static_cast<double>(1u << 24);
    }
  return table;
}

const input_table<2> inputs2 = make_inputs<2>(12345u);
const input_table<6> inputs6 = make_inputs<6>(67890u);

// ---------------------------------------------------------------------------
// (a) expr20: two inputs, 20 operations mixing * / + - exp log sin pow.
//   f = exp(sin(x y) / (1 + x^2)) log(1 + y^2) + x^2.5 sin(y) / exp(x / y) - log(x + y)

double expr20_double(double x, double y) {
  return std::exp(std::sin(x * y) / (1 + x * x)) * std::log(1 + y * y) +
         std::pow(x, 2.5) * std::sin(y) / std::exp(x / y) - std::log(x + y);
}

value_and_grad<2> expr20_hand(double x, double y) {
  // f = A B + C - D with A = exp(u), u = sin(xy) / q, q = 1 + x^2,
  // B = log(1 + y^2), C = P sin(y) / E, P = x^2.5, E = exp(x / y), D = log(x + y)
  const double p = x * y;
  const double sp = std::sin(p), cp = std::cos(p);
  const double iq = 1 / (1 + x * x);
  const double u = sp * iq;
  const double A = std::exp(u);
  const double iy2 = 1 / (1 + y * y);
  const double B = std::log(1 + y * y);
  const double sy = std::sin(y), cy = std::cos(y);
  const double iy = 1 / y;
  const double PE = std::pow(x, 2.5) / std::exp(x * iy);  // P / E
  const double C = PE * sy;
  const double iD = 1 / (x + y);
  const double AB = A * B;
  const double f = AB + C - std::log(x + y);
  // du/dx = (y cos(xy) - 2x u) / q, du/dy = x cos(xy) / q
  // dC/dx = C (2.5 / x - 1 / y), dC/dy = P / E (cos y + sin y x / y^2)
  const double gx = AB * iq * (y * cp - 2 * x * u) + C * (2.5 / x - iy) - iD;
  const double gy = AB * iq * x * cp + A * 2 * y * iy2 + PE * (cy + sy * x * iy * iy) - iD;
  return {f, {gx, gy}};
}

value_and_grad<2> expr20_gradguard(double xv, double yv) {
  const auto x = gg::var<"x">(xv);
  const auto y = gg::var<"y">(yv);
  const auto expr = gg::exp(gg::sin(x * y) / (1 + x * x)) * gg::log(1 + y * y) +
                    gg::pow(x, 2.5) * gg::sin(y) / gg::exp(x / y) - gg::log(x + y);
  const auto [f, gx, gy] = gg::value_and_gradient(expr, x, y);
  return {f, {gx, gy}};
}

// ---------------------------------------------------------------------------
// (b) expr6: six variables, 17 operations.
//   f = sin(a b) + exp(c / d) log(e g) + a^3 b / (c + e) - log(1 + d g)

double expr6_double(const std::array<double, 6>& v) {
  const double a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], g = v[5];
  return std::sin(a * b) + std::exp(c / d) * std::log(e * g) + a * a * a * b / (c + e) -
         std::log(1 + d * g);
}

value_and_grad<6> expr6_hand(const std::array<double, 6>& v) {
  const double a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], g = v[5];
  const double ab = a * b;
  const double s = std::sin(ab), cs = std::cos(ab);
  const double id = 1 / d;
  const double ex = std::exp(c * id);
  const double lg = std::log(e * g);
  const double a2 = a * a;
  const double ice = 1 / (c + e);
  const double t = a2 * ab * ice;  // a^3 b / (c + e)
  const double idg = 1 / (1 + d * g);
  const double exlg = ex * lg;
  const double f = s + exlg + t - std::log(1 + d * g);
  const double ga = cs * b + 3 * a2 * b * ice;
  const double gb = cs * a + a2 * a * ice;
  const double gc = exlg * id - t * ice;
  const double gd = -exlg * c * id * id - g * idg;
  const double ge = ex / e - t * ice;
  const double gg_ = ex / g - d * idg;
  return {f, {ga, gb, gc, gd, ge, gg_}};
}

value_and_grad<6> expr6_gradguard(const std::array<double, 6>& v) {
  const auto a = gg::var<"a">(v[0]);
  const auto b = gg::var<"b">(v[1]);
  const auto c = gg::var<"c">(v[2]);
  const auto d = gg::var<"d">(v[3]);
  const auto e = gg::var<"e">(v[4]);
  const auto g = gg::var<"g">(v[5]);
  const auto expr = gg::sin(a * b) + gg::exp(c / d) * gg::log(e * g) + gg::pow(a, 3) * b / (c + e) -
                    gg::log(1 + d * g);
  const auto [f, ga, gb, gc, gd, ge, gg_] = gg::value_and_gradient(expr, a, b, c, d, e, g);
  return {f, {ga, gb, gc, gd, ge, gg_}};
}

// ---------------------------------------------------------------------------
// (c) shared: a sub-expression object used several times, as users write it:
//   s = sin(x y) / (x + y),  f = s^2 + exp(s) s + log(x) s
// The static engine evaluates the variables-only s once and sweeps it once
// (shared.hpp); the hand-written gradient computes it once too.

double shared_double(double x, double y) {
  const double s = std::sin(x * y) / (x + y);
  return s * s + std::exp(s) * s + std::log(x) * s;
}

value_and_grad<2> shared_hand(double x, double y) {
  const double p = x * y, iq = 1 / (x + y);
  const double sp = std::sin(p), cp = std::cos(p);
  const double s = sp * iq;
  const double es = std::exp(s), lx = std::log(x);
  const double f = s * s + es * s + lx * s;
  const double dfds = 2 * s + es * (1 + s) + lx;
  // ds/dx = (y cos(xy) - s) / (x + y), ds/dy = (x cos(xy) - s) / (x + y)
  const double gx = dfds * (y * cp - s) * iq + s / x;
  const double gy = dfds * (x * cp - s) * iq;
  return {f, {gx, gy}};
}

value_and_grad<2> shared_gradguard(double xv, double yv) {
  const auto x = gg::var<"x">(xv);
  const auto y = gg::var<"y">(yv);
  const auto s = gg::sin(x * y) / (x + y);
  const auto expr = s * s + gg::exp(s) * s + gg::log(x) * s;
  const auto [f, gx, gy] = gg::value_and_gradient(expr, x, y);
  return {f, {gx, gy}};
}

// ---------------------------------------------------------------------------
// Start-up check: gradguard = hand-written (to rounding) = finite differences.

[[noreturn]] void mismatch(std::string_view family, std::string_view what, std::size_t row,
                           std::size_t i, double got, double expected) {
  std::fprintf(stderr,
               "bench_static_expression: %.*s: %.*s mismatch at input row %zu, component %zu: "
               "got %.17g, expected %.17g (difference %.3g)\n",
               static_cast<int>(family.size()), family.data(), static_cast<int>(what.size()),
               what.data(), row, i, got, expected, got - expected);
  std::abort();
}

bool nearly_equal(double a, double b, double rel, double abs) {
  return std::abs(a - b) <= abs + rel * std::max(std::abs(a), std::abs(b));
}

template <std::size_t N, class Plain, class Hand, class Static>
void check(std::string_view family, const input_table<N>& table, Plain plain, Hand hand,
           Static gradguard) {
  for (std::size_t row = 0; row < table.size(); ++row) {
    const auto& v = table[row];
    const auto h = hand(v);
    const auto s = gradguard(v);
    const double p = plain(v);
    if (!nearly_equal(s.value, p, 1e-13, 1e-13))
      mismatch(family, "gradguard value vs plain double", row, 0, s.value, p);
    if (!nearly_equal(h.value, p, 1e-13, 1e-13))
      mismatch(family, "hand-written value vs plain double", row, 0, h.value, p);
    for (std::size_t i = 0; i < N; ++i) {
      const double fd = gradguard::central_partial(plain, v, i, 1e-6, false).derivative;
      if (!nearly_equal(h.grad[i], fd, 1e-6, 1e-7))
        mismatch(family, "hand-written gradient vs central difference", row, i, h.grad[i], fd);
      if (!nearly_equal(s.grad[i], fd, 1e-6, 1e-7))
        mismatch(family, "gradguard gradient vs central difference", row, i, s.grad[i], fd);
      if (!nearly_equal(s.grad[i], h.grad[i], 1e-12, 1e-12))
        mismatch(family, "gradguard gradient vs hand-written", row, i, s.grad[i], h.grad[i]);
    }
  }
  // stderr: stdout may carry the benchmark's JSON.
  std::fprintf(stderr,
               "checked %.*s: gradguard = hand-written = finite differences at %zu inputs\n",
               static_cast<int>(family.size()), family.data(), table.size());
}

// ---------------------------------------------------------------------------
// The timed loops: one input row per iteration, cycling through the table.

template <std::size_t N, class Fn>
void run(benchmark::State& state, const input_table<N>& table, Fn fn) {
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = fn(table[i]);
    benchmark::DoNotOptimize(r);
    i = (i + 1) & (table_size - 1);
  }
}

void BM_expr20_double(benchmark::State& state) {
  run(state, inputs2, [](const auto& v) { return expr20_double(v[0], v[1]); });
}
void BM_expr20_hand(benchmark::State& state) {
  run(state, inputs2, [](const auto& v) { return expr20_hand(v[0], v[1]); });
}
void BM_expr20_gradguard(benchmark::State& state) {
  run(state, inputs2, [](const auto& v) { return expr20_gradguard(v[0], v[1]); });
}
void BM_expr6_double(benchmark::State& state) { run(state, inputs6, expr6_double); }
void BM_expr6_hand(benchmark::State& state) { run(state, inputs6, expr6_hand); }
void BM_expr6_gradguard(benchmark::State& state) { run(state, inputs6, expr6_gradguard); }

void BM_shared_double(benchmark::State& state) {
  run(state, inputs2, [](const auto& v) { return shared_double(v[0], v[1]); });
}
void BM_shared_hand(benchmark::State& state) {
  run(state, inputs2, [](const auto& v) { return shared_hand(v[0], v[1]); });
}
void BM_shared_gradguard(benchmark::State& state) {
  run(state, inputs2, [](const auto& v) { return shared_gradguard(v[0], v[1]); });
}

BENCHMARK(BM_expr20_double);
BENCHMARK(BM_expr20_hand);
BENCHMARK(BM_expr20_gradguard);
BENCHMARK(BM_expr6_double);
BENCHMARK(BM_expr6_hand);
BENCHMARK(BM_expr6_gradguard);
BENCHMARK(BM_shared_double);
BENCHMARK(BM_shared_hand);
BENCHMARK(BM_shared_gradguard);

}  // namespace

int main(int argc, char** argv) {
  check<2>(
      "expr20", inputs2, [](const auto& v) { return expr20_double(v[0], v[1]); },
      [](const auto& v) { return expr20_hand(v[0], v[1]); },
      [](const auto& v) { return expr20_gradguard(v[0], v[1]); });
  check<6>("expr6", inputs6, expr6_double, expr6_hand, expr6_gradguard);
  check<2>(
      "shared", inputs2, [](const auto& v) { return shared_double(v[0], v[1]); },
      [](const auto& v) { return shared_hand(v[0], v[1]); },
      [](const auto& v) { return shared_gradguard(v[0], v[1]); });

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
