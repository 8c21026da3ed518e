// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Scoped recording (`auto step = tape.record();` clears the tape when the
// scope ends) and the warning of a tape that keeps growing across gradient
// calls (a loop that forgot clear()), with the handler that receives it.
#pragma once

#include <atomic>
#include <cstdint>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>

#include <gradguard/tape/tape.hpp>

namespace gradguard {

// What receives the tape's warnings: a tape that keeps growing across
// gradient calls without clear() (docs/tape.md, "Scoped recording"). The
// default writes the message and a newline to stderr. The handler may be
// called on any thread that uses a tape, so it must be thread-safe.
using tape_warning_handler = void (*)(std::string_view message);

namespace detail {
inline constinit std::atomic<tape_warning_handler> tape_warning{&write_line_to_stderr};
}  // namespace detail

// Sets the handler of the tape's warnings (nullptr: the default, stderr);
// returns the one it replaces. To silence them, pass a function that does
// nothing: a choice made in the code, where a reader sees it.
inline tape_warning_handler set_tape_warning_handler(tape_warning_handler h) noexcept {
  return detail::tape_warning.exchange(h != nullptr ? h : &detail::write_line_to_stderr);
}

// The scope of `auto step = tape.record();`: clears the tape when it is
// destroyed, however the scope is left (an exception too). Not copyable or
// movable: it lives where it was made. If that clear() throws
// (GRADGUARD_CHECK_THREAD, the scope ended on another thread) the program
// terminates, as for any exception leaving a destructor.
template <class T>
class tape_recording {
 public:
  tape_recording(const tape_recording&) = delete;
  tape_recording& operator=(const tape_recording&) = delete;
  ~tape_recording() {
    tape_.recording_open_ = false;
    tape_.clear();
  }

 private:
  friend class basic_tape<T>;
  explicit tape_recording(basic_tape<T>& tape) noexcept : tape_(tape) {}
  basic_tape<T>& tape_;
};

template <class T>
tape_recording<T> basic_tape<T>::record(const std::source_location& where) {
  check_thread("tape.record()");
  if (recording_open_) {
    throw std::logic_error(
        "gradguard: tape.record(): a recording scope of this tape is already open" +
        detail::opened_at(recording_where_) +
        "; its end clears the tape, so a second scope inside it would clear the first one's "
        "statements too. Let the first scope end before opening another, or use one scope");
  }
  recording_open_ = true;
  recording_where_ = where;
  return tape_recording<T>(*this);
}

template <class T>
inline void basic_tape<T>::watch_growth() {
  if (statements_.size() > watched_size_ && watched_size_ != 0 && ++grown_gradients_ == 8 &&
      !warned_growth_)
    warn_growth();
  watched_size_ = statements_.size();
}

template <class T>
void basic_tape<T>::warn_growth() {
  warned_growth_ = true;
  // The variables made most recently, and how often this recording made
  // variables at the same place: a loop that forgot clear() remakes them.
  std::string made;
  if (!variable_ranges_.empty()) {
    const detail::variable_range& last = variable_ranges_.back();
    std::size_t times = 0;
    for (const detail::variable_range& r : variable_ranges_)
      times += r.where.line() == last.where.line() &&
               std::string_view(r.where.file_name()) == last.where.file_name();
    const std::string at = detail::format_site(last.where);
    made = " The variable '" + names_.substr(last.name_begin, last.name_size) + "'" +
           (at.empty() ? std::string() : " (created at " + at + ")") + " has been created " +
           std::to_string(times) + " times in this recording.";
  }
  const std::string message =
      "gradguard: warning: a gg::tape has grown between gradient calls " +
      std::to_string(grown_gradients_) + " times without clear(); it holds " +
      std::to_string(statements_.size()) + " values (" + std::to_string(statistics().bytes) +
      " bytes) now." + made +
      " Every gradient sweeps the whole recording, so a loop that does not clear the tape gets "
      "slower and bigger at each iteration. Call tape.clear() at the start of each iteration, "
      "or make it a scope: auto step = tape.record(); If the growth is intended, install a "
      "handler with gg::set_tape_warning_handler. (Said once per tape.)";
  detail::tape_warning.load()(message);
}

}  // namespace gradguard
