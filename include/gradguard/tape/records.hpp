// IWYU pragma: private, include <gradguard/gradguard.hpp>
// What a tape keeps beside its operand arrays: the shape of each statement,
// the ranges of variables (name, line, trainable), the cut operands, and with
// gg::check_finite what a message about a statement or a NaN needs; and the
// helpers that read values whatever their type (a number or a dual).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>

#include <gradguard/rules/vocabulary.hpp>
#include <gradguard/tape/errors.hpp>
#include <gradguard/tape/real.hpp>

namespace gradguard {

namespace detail {

struct statement_shape {
  std::uint16_t units;
  std::uint16_t general;
};

struct variable_range {
  std::uint32_t first;
  std::uint32_t count;
  std::uint32_t name_begin;  // in the tape's name buffer: no string per block
  std::uint32_t name_size;
  bool array;  // made by tape.variables: elements are named name[i]
  bool trainable;
  std::source_location where;
};

// An operand cut off from a statement.
struct cut_record {
  std::uint32_t statement;
  std::uint32_t operand;
  missing_reason reason;
  std::string_view operation;
  std::source_location where;
};

// With gg::check_finite: what the message about a statement needs.
struct statement_info {
  std::string (*describe)();
  std::source_location where;
  std::uint32_t first_leaf_value;
};

// With gg::check_finite: where a sweep made an operand's adjoint NaN or
// infinite from a finite one (block: the index of a matrix operation).
template <class T>
struct non_finite_origin {
  std::uint32_t statement;
  std::uint32_t operand;
  T adjoint;
  T partial;
  std::uint32_t block = std::numeric_limits<std::uint32_t>::max();
};

// A value with tangents (a gg::dual, for forward-over-reverse Hessians) is
// recognised by its members: the tape does not depend on forward/.
template <class T>
concept with_tangent = requires(const T& v) {
  v.value;
  v.tangent;
};

// Whether an adjoint is zero with all it carries (a dual adjoint whose value
// is 0 may still have tangents).
template <class T>
constexpr bool is_constant_zero(const T& a) {
  if constexpr (is_real_v<T>) return !a.on_tape() && is_constant_zero(a.value);
  else if constexpr (with_tangent<T>) {
    if (!is_constant_zero(a.value)) return false;
    for (const auto& t : a.tangent)
      if (!is_constant_zero(t)) return false;
    return true;
  } else return a == T(0);
}

template <class T>
double plain_value(const T& v) {
  if constexpr (is_real_v<T> || with_tangent<T>) return plain_value(v.value);
  else return static_cast<double>(v);
}

}  // namespace detail
}  // namespace gradguard
