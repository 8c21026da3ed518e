// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The report of gg::check_gradient: one entry per engine and component
// (analytic, numeric, absolute and relative error, pass or fail, and why),
// and the problems that stopped a check (a NaN, an empty argument, an
// engine that threw). It converts to bool (passed) and prints with <<.
// detail::compare decides one entry and writes why it failed.
//
// In GoogleTest, EXPECT_TRUE(report) prints the report when it fails: the
// report converts to ::testing::AssertionResult (recognised by its
// interface, so gradguard does not include or depend on GoogleTest).
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gradguard/check/finite_difference.hpp>

namespace gradguard {

// What gg::check_gradient compares and how.
struct check_options {
  // The step for a component x is step * max(1, |x|); 0 chooses the step
  // that balances truncation and rounding: eps^(1/5) with Richardson
  // (~7e-4), cbrt(eps) without (~6e-6).
  double step = 0;
  // A component passes when |analytic - numeric| <= absolute + relative *
  // max(|analytic|, |numeric|). (A difference within the rounding noise of
  // the finite differences but above that fails, saying they cannot tell.)
  double relative = 1e-6;
  double absolute = 1e-8;
  // The 5-point stencil (central differences at h and 2h, extrapolated)
  // rather than the 2-point one.
  bool richardson = true;
};

// One derivative compared: d(fn)/d(component) from one engine.
struct gradient_check_entry {
  std::string engine;     // "static", "taped" or "forward"
  std::string component;  // "arg1", "arg2[3]" (arguments counted from 1)
  double analytic = 0;
  double numeric = 0;
  double absolute_error = 0;
  double relative_error = 0;  // |a - n| / max(|a|, |n|), 0 when both are 0
  bool passed = false;
  std::string note;  // why it failed, or a structural zero confirmed
};

namespace detail {
// GoogleTest's ::testing::AssertionResult, recognised by its interface.
template <class R>
concept assertion_result_like = requires(R r, const R& c) {
  R(true);
  r << "";
  { c.failure_message() } -> std::convertible_to<const char*>;
};

inline std::string format_number(double v) {
  std::ostringstream os;
  os.precision(6);
  os << v;
  return os.str();
}

inline const char* non_finite_word(double v) { return std::isnan(v) ? "NaN" : "infinite"; }

// Compares one engine's derivative of one component with the finite
// difference, and says why it failed (or that a structural zero holds).
inline gradient_check_entry compare(const char* engine, const std::string& component,
                                    double analytic, const std::string& claim,
                                    const finite_difference_result<double>& fd, double noise,
                                    const check_options& o) {
  gradient_check_entry e{engine, component, analytic, fd.derivative, 0, 0, false, {}};
  const double diff = std::fabs(analytic - fd.derivative);
  const double scale = std::max(std::fabs(analytic), std::fabs(fd.derivative));
  e.absolute_error = diff;
  e.relative_error = scale > 0 ? diff / scale : 0;
  const std::string d = "d(fn)/d(" + component + ")";
  if (!std::isfinite(analytic)) {
    e.note = std::string("the ") + engine + " derivative is " + non_finite_word(analytic);
    return e;
  }
  if (!std::isfinite(fd.derivative)) {
    e.note = std::string("the finite difference is ") + non_finite_word(fd.derivative) +
             ": fn is not finite within 2 steps of the point; move the point or pass a smaller "
             "step (gg::check_options{.step = ...})";
    return e;
  }
  const double tolerance = o.absolute + o.relative * scale;
  e.passed = diff <= tolerance;
  const std::string fd_text = format_number(fd.derivative);
  if (!e.passed && diff <= tolerance + noise) {
    // Never a pass on the strength of the noise alone: say that the finite
    // differences cannot tell, and how to make them.
    e.note = "the difference is within the rounding noise of the finite differences (" +
             format_number(noise) + ": fn's value over the step), so they cannot tell; pass a " +
             "larger step or a looser tolerance (gg::check_options)";
  } else if (!claim.empty()) {
    if (e.passed) e.note = "structural zero confirmed by finite differences (" + claim + ")";
    else if (std::string_view(engine) == "static")
      e.note = "static type claims " + d + " = 0 (" + claim + "), but finite differences give " +
               fd_text;
    else
      e.note = std::string("the ") + engine + " engine says " + d + " is missing (" + claim +
               "), but finite differences give " + fd_text;
  } else if (!e.passed && analytic == 0) {
    e.note = "the " + std::string(engine) + " derivative is 0, but finite differences give " +
             fd_text + ": likely a missing gradient (a gg::stop_gradient, a value computed " +
             "outside the engine, or a custom vjp that drops a term, on a path that matters)";
  } else if (!e.passed && fd.spread > tolerance) {
    e.note = "finite differences at steps h and 2h differ by " + format_number(fd.spread) +
             ": fn may have a kink or a jump near the point; check at another point";
  } else if (!e.passed && fd.derivative != 0) {
    e.note = "the " + std::string(engine) + " derivative is " +
             format_number(analytic / fd.derivative) + " times the finite difference";
  }
  return e;
}

}  // namespace detail

// The result of gg::check_gradient: one entry per engine and component
// (analytic, numeric, errors, a note), true when every derivative agrees;
// operator<< prints the table.
class gradient_check_report {
 public:
  std::vector<std::string> engines;           // the engines that were run
  std::vector<gradient_check_entry> entries;  // one per engine and component
  std::vector<std::string> problems;          // failures not tied to one entry
  double step = 0;                            // the relative step used
  check_options options;

  bool passed() const {
    return problems.empty() && !entries.empty() &&
           std::all_of(entries.begin(), entries.end(), [](const auto& e) { return e.passed; });
  }
  explicit operator bool() const { return passed(); }

  // EXPECT_TRUE(gg::check_gradient(...)): the report is the failure message.
  template <class Result>
  requires detail::assertion_result_like<Result>
  operator Result() const {  // NOLINT(google-explicit-constructor): used by EXPECT_TRUE
    Result r(passed());
    std::ostringstream os;
    os << *this;
    r << "\n" << os.str();
    return r;
  }

  friend std::ostream& operator<<(std::ostream& os, const gradient_check_report& r) {
    const auto failed = static_cast<std::size_t>(
        std::count_if(r.entries.begin(), r.entries.end(), [](const auto& e) { return !e.passed; }));
    os << "gradient check: " << (r.passed() ? "passed" : "FAILED");
    if (failed) os << " (" << failed << " of " << r.entries.size() << " derivatives differ)";
    os << "\n  engines:";
    for (const auto& e : r.engines) os << ' ' << e;
    const auto flags = os.flags();
    const auto precision = os.precision();
    os << std::setprecision(3) << "; step " << r.step << " * max(1, |x|)"
       << (r.options.richardson ? " (Richardson)" : "") << "; tolerance " << r.options.absolute
       << " + " << r.options.relative << " * max(|analytic|, |numeric|)\n";
    for (const auto& p : r.problems) os << "  problem: " << p << "\n";
    if (!r.entries.empty()) {
      os << "  " << std::left << std::setw(8) << "engine" << std::setw(12) << "component"
         << std::right << std::setw(20) << "analytic" << std::setw(20) << "numeric" << std::setw(11)
         << "abs error" << std::setw(11) << "rel error"
         << "\n";
    }
    for (const auto& e : r.entries) {
      os << "  " << std::left << std::setw(8) << e.engine << std::setw(12) << e.component
         << std::right << std::setprecision(12) << std::setw(20) << e.analytic << std::setw(20)
         << e.numeric << std::setprecision(2) << std::setw(11) << e.absolute_error << std::setw(11)
         << e.relative_error << (e.passed ? "  ok" : "  FAIL");
      if (!e.note.empty()) os << ": " << e.note;
      os << "\n";
    }
    os.flags(flags);
    os.precision(precision);
    return os;
  }
};

}  // namespace gradguard
