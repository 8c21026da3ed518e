// The differential check of one random program (random_program.hpp): finite
// differences on doubles, the tape and forward mode must agree.
#pragma once

#include "random_program.hpp"

namespace random_programs {

// ---- The check -----------------------------------------------------------------

struct tally {
  int generated = 0, checked = 0, active = 0, branch_flips = 0, huge = 0, curved = 0;
  int missing_checked = 0;
  double worst = 0;  // largest |AD - finite differences| / tolerance, tape and forward
  int if_taken = 0, if_not_taken = 0, no_trip = 0, trips = 0;  // programs with each
  std::array<int, 7> reasons{};  // of missing gradients, by gg::missing_reason
  int failures = 0;
  std::array<int, statement_kinds + 3> kinds{};  // in checked programs
};

inline double evaluate(const program& p, const std::vector<double>& x, run_log& log) {
  return run<double, number_ops>(p, std::span<const double>(x), log);
}

// The widest program has 4 variables: one forward pass with 4 tangents.
constexpr std::size_t max_variables = 4;
using forward_number = gg::dual<double, max_variables>;

// Runs p on numbers (central finite differences), on the tape and in forward
// mode, and compares. Returns "" when p passed or was skipped (finite
// differences cannot be trusted), else what went wrong and the program.
inline std::string check_program(const program& p, gg::tape& tape, tally& t) {
  ++t.generated;
  const std::size_t n = p.x.size();
  // on numbers, at x and at x -+ h e_i
  run_log base;
  const double f = evaluate(p, p.x, base);
  if (!base.finite || base.largest > 1e6) {
    ++t.huge;
    return {};
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
      return {};
    }
    if (huge) {
      ++t.huge;
      return {};
    }
    // The central difference's own error is the spread between the steps h
    // and 2h (over 3): where it is large the function curves too much for
    // the step; skip.
    if (d.spread > 1e-4 * std::max(1.0, std::abs(d.derivative))) {
      ++t.curved;
      return {};
    }
    fd[i] = d.derivative;  // the 5-point stencil
    // rounding of f (a few ulp of the largest intermediate, accumulated), over the step
    noise[i] = 64 * std::numeric_limits<double>::epsilon() * std::max(1.0, base.largest) / h;
  }
  std::ostringstream why;
  why.precision(17);
  // on the tape
  tape.clear();
  const std::vector<gg::real> x = tape.variables("x", p.x);
  run_log taped;
  gg::real y;
  std::vector<double> g;
  try {
    y = run<gg::real, ad_ops<gg::real>>(p, std::span<const gg::real>(x), taped);
    g = tape.gradient(y, x, gg::allow_unconnected).values();
  } catch (const std::exception& e) {
    ++t.failures;
    why << "the taped run threw: " << e.what() << "\n" << describe(p);
    return why.str();
  }
  // in forward mode, every tangent in one pass
  std::vector<forward_number> xf;
  for (std::size_t i = 0; i < n; ++i) xf.push_back(forward_number::variable(p.x[i], i));
  run_log forward;
  const forward_number yf =
      run<forward_number, ad_ops<forward_number>>(p, std::span<const forward_number>(xf), forward);
  ++t.checked;
  t.if_taken += taped.if_taken > 0;
  t.if_not_taken += taped.if_not_taken > 0;
  t.no_trip += taped.no_trip > 0;
  t.trips += taped.trips > 0;
  if (std::any_of(fd.begin(), fd.end(), [](double v) { return std::abs(v) > 1e-3; })) ++t.active;
  count_kinds(p.code, t.kinds);
  bool ok = true;
  if (taped.trace != base.trace || forward.trace != base.trace) {
    ok = false;
    why << "the taped or forward run took other branches than the run on numbers\n";
  }
  const double value_tol = 1e-13 * std::max(1.0, base.largest);
  if (!(std::abs(gg::value(y) - f) <= value_tol) || !(std::abs(gg::value(yf) - f) <= value_tol)) {
    ok = false;
    why << "value " << gg::value(y) << " on the tape, " << gg::value(yf) << " forward, " << f
        << " on numbers\n";
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double tol = 1e-6 * std::abs(fd[i]) + 1e-7 + noise[i];
    const double forward_i = yf.tangent[i];
    t.worst = std::max({t.worst, std::abs(g[i] - fd[i]) / tol, std::abs(forward_i - fd[i]) / tol});
    if (!(std::abs(g[i] - fd[i]) <= tol) || !(std::abs(forward_i - fd[i]) <= tol)) {
      ok = false;
      why << "d y / d x" << i << ": tape " << g[i] << ", forward " << forward_i
          << ", finite differences " << fd[i] << " (tolerance " << tol << ")\n";
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
  if (ok) return {};
  ++t.failures;
  return why.str() + describe(p);
}

}  // namespace random_programs
