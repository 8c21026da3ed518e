// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The tape's run-time diagnoses: a gradient asked for that does not exist
// (gg::missing_gradient), reals of two tapes in one computation
// (gg::tape_mismatch), and an adjoint that became NaN or infinite
// (gg::non_finite_adjoint).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gradguard/rules/vocabulary.hpp>  // gg::missing_reason

namespace gradguard {

// One variable of a gg::missing_gradient.
struct missing_variable {
  std::string name;  // as given to tape.variable, or a description
  missing_reason reason;
  std::string detail;  // the sentence printed for it
};

// tape.gradient(y, xs) for variables that have no derivative: the message
// lists every one of them with the reason and where it was created.
class missing_gradient : public std::logic_error {
 public:
  missing_gradient(const std::string& message, std::vector<missing_variable> missing)
      : std::logic_error(message), missing_(std::move(missing)) {}
  const std::vector<missing_variable>& variables() const noexcept { return missing_; }

 private:
  std::vector<missing_variable> missing_;
};

// One computation mixed reals of two tapes.
class tape_mismatch : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// With gg::check_finite: the statement that first made the adjoint of a
// requested variable NaN or infinite during a sweep, or a NaN or infinite
// value recorded on a differentiable path to the result.
class non_finite_adjoint : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

// "fit.cpp:12", or "" when the site is unknown.
inline std::string format_site(const std::source_location& where) {
  if (where.line() == 0) return {};
  std::string_view file = where.file_name();
  if (auto slash = file.find_last_of("/\\"); slash != std::string_view::npos)
    file.remove_prefix(slash + 1);
  return std::string(file) + ":" + std::to_string(where.line());
}

// " (opened at fit.cpp:12)" for a tape.record() scope, or "" when the site
// is unknown.
inline std::string opened_at(const std::source_location& where) {
  const std::string site = format_site(where);
  return site.empty() ? site : " (opened at " + site + ")";
}

// The message and a newline on stderr, in one call of each: the tape's
// warnings (tape/scope.hpp) and what it says before it aborts.
inline void write_line_to_stderr(std::string_view message) noexcept {
  std::fwrite(message.data(), 1, message.size(), stderr);
  std::fputc('\n', stderr);
}

// A gg::tape destroyed while its tape.record() scope is open: the scope
// would clear a tape that is gone. Said and aborted, never undefined.
[[noreturn]] inline void recording_outlived(const std::source_location& opened) {
  write_line_to_stderr("gradguard: a gg::tape was destroyed while its tape.record() scope" +
                       opened_at(opened) +
                       " was still open; make the scope inside the tape's lifetime (declare it "
                       "after the tape)");
  std::abort();
}

inline std::string quoted_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out + "]";
}

}  // namespace detail
}  // namespace gradguard
