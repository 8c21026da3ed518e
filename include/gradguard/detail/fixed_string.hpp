// IWYU pragma: private, include <gradguard/gradguard.hpp>
#pragma once

#include <cstddef>
#include <string_view>

namespace gradguard {

// A string usable as a template argument: the identity of a variable is its
// name, so `var<"x">` in two places is the same variable.
template <std::size_t N>
struct fixed_string {
  char data[N]{};

  constexpr fixed_string(const char (&s)[N]) noexcept {  // NOLINT(google-explicit-constructor)
    for (std::size_t i = 0; i < N; ++i) data[i] = s[i];
  }
  constexpr std::string_view view() const noexcept { return {data, N - 1}; }
  constexpr operator std::string_view() const noexcept { return view(); }  // NOLINT

  template <std::size_t M>
  constexpr bool operator==(const fixed_string<M>& other) const noexcept {
    return view() == other.view();
  }
};

}  // namespace gradguard
