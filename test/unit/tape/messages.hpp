// Helpers of the tests of the tape's messages.
#pragma once

#include <gradguard/gradguard.hpp>

#include <optional>
#include <source_location>
#include <string>
#include <string_view>

namespace tape_messages {

// "<this file>:<line>", as messages print a site: the file's basename.
inline std::string site(int line,
                        const std::source_location& here = std::source_location::current()) {
  std::string_view file = here.file_name();
  if (const auto slash = file.find_last_of("/\\"); slash != std::string_view::npos)
    file.remove_prefix(slash + 1);
  return std::string(file) + ":" + std::to_string(line);
}
inline std::string created(int line,
                           const std::source_location& here = std::source_location::current()) {
  return " (created at " + site(line, here) + ")";
}

// The gg::missing_gradient that f throws, if any.
template <class F>
std::optional<gradguard::missing_gradient> missing(F&& f) {
  try {
    f();
  } catch (const gradguard::missing_gradient& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace tape_messages
