// IWYU pragma: private, include <gradguard/gradguard.hpp>
// What the library asks of a range (tape.variables, tape.gradient's list of
// variables, the forward drivers' results): begin and end, with <iterator>
// rather than <ranges>, which is 0.28 s of every parse of the umbrella.
#pragma once

#include <iterator>
#include <utility>

namespace gradguard::detail {

template <class R>
concept input_range = requires(R& r) {
  { std::begin(r) } -> std::input_iterator;
  std::end(r);
};

template <input_range R>
using range_iterator_t = decltype(std::begin(std::declval<R&>()));
template <input_range R>
using range_value_t = std::iter_value_t<range_iterator_t<R>>;
template <input_range R>
using range_reference_t = std::iter_reference_t<range_iterator_t<R>>;

}  // namespace gradguard::detail
