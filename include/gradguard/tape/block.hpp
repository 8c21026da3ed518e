// IWYU pragma: private, include <gradguard/eigen.hpp>
// Blocks: operations recorded on the tape as one unit, with many outputs
// (the matrix operations of gg::real_matrix, in eigen/, and custom gradients). Their
// outputs are consecutive tape values without scalar operands; the reverse
// sweep calls the block's backward function once the adjoints of all its
// outputs are complete, and that function adds matrix adjoints into the
// operands' adjoints (dA += dC * B^T for a product). Nothing here knows Eigen.
#pragma once

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <source_location>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/tape/real.hpp>  // tape_id_t

namespace gradguard {

template <class T>
class basic_tape;
template <class T>
class basic_real;

namespace detail {

// The values a block keeps for its reverse sweep (its outputs, its operands'
// values, partials) live in chunks that never move: a matrix's value stays
// where it is until tape.clear(), which keeps the chunks for the next recording.
template <class T>
class value_arena {
 public:
  T* allocate(std::size_t n) {
    while (chunk_ < chunks_.size() && chunks_[chunk_].size - used_ < n) {
      ++chunk_;
      used_ = 0;
    }
    if (chunk_ == chunks_.size()) {
      const std::size_t size =
          std::max({n, std::size_t{4096}, chunks_.empty() ? 0 : 2 * chunks_.back().size});
      chunks_.push_back({std::make_unique<T[]>(size), size});
      used_ = 0;
    }
    T* p = chunks_[chunk_].data.get() + used_;
    used_ += n;
    return p;
  }
  void clear() noexcept {
    chunk_ = 0;
    used_ = 0;
  }

 private:
  struct chunk {
    std::unique_ptr<T[]> data;
    std::size_t size;
  };
  std::vector<chunk> chunks_;
  std::size_t chunk_ = 0;
  std::size_t used_ = 0;
};

// One recorded block. Operand k is the range of tape values
// operand[k] .. operand[k] + count[k] - 1 (count 0: a constant, which gets no
// adjoint); more operands (gg::vstack) are range_count pairs (first value,
// count) in the tape's index arena. What the backward function reads besides
// the adjoints (shapes, kept values, partials) is the operation's own payload
// type, stored here by value and read back as that type by the backward
// function made for it: set_payload<P> sets both, so they cannot disagree,
// and no slot means one thing for
// one operation and another for the next.
template <class T>
struct block_operation {
  static constexpr std::size_t payload_capacity = 48;
  static constexpr std::size_t max_operands = 3;  // more are ranges

  void (*backward)(const block_operation& op, T* adjoints) = nullptr;
  std::uint32_t first = 0;  // outputs: values first .. last
  std::uint32_t last = 0;
  std::array<std::uint32_t, max_operands> operand{};
  std::array<std::uint32_t, max_operands> count{};
  const std::uint32_t* ranges = nullptr;
  std::uint32_t range_count = 0;
  const char* name = "";  // for messages: "product", "exp", ...
  std::source_location where;

  // Calls f with the index of every value this block reads.
  template <class F>
  void for_each_operand_value(F&& f) const {
    for (std::size_t k = 0; k < operand.size(); ++k)
      for (std::uint32_t i = operand[k]; i < operand[k] + count[k]; ++i) f(i);
    for (std::size_t r = 0; r < range_count; ++r)
      for (std::uint32_t i = ranges[2 * r]; i < ranges[2 * r] + ranges[2 * r + 1]; ++i) f(i);
  }

  // Stores p, and as the backward function P::backward(op, p, adjoints),
  // which adds the adjoints of op's operands: the payload is read back only
  // as the type it was stored as.
  template <class P>
  void set_payload(const P& p) noexcept {
    static_assert(std::is_trivially_copyable_v<P> && sizeof(P) <= payload_capacity,
                  "gradguard: a block payload is a small trivially copyable struct (keep larger "
                  "state on the tape with block_recorder::keep and store the pointer)");
    std::memcpy(payload_.data(), &p, sizeof(P));
    backward = [](const block_operation& op, T* adjoints) {
      P::backward(op, op.template payload<P>(), adjoints);
    };
  }
  template <class P>
  P payload() const noexcept {
    P p;
    std::memcpy(&p, payload_.data(), sizeof(P));
    return p;
  }

 private:
  alignas(std::max_align_t) std::array<unsigned char, payload_capacity> payload_{};
};

// How eigen/ and custom gradients record blocks on a tape (defined in tape.hpp).
template <class T>
struct block_recorder;

// A requested variable in tape.gradient(y, {A, b, w}): a scalar gg::real or
// a matrix-valued variable (its range of tape values).
template <class T>
struct value_range {
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  tape_id_t tape_id = 0;
};

// What a matrix-valued variable gives tape.gradient: `x.tape_values()`.
template <class V, class T>
concept has_tape_values = requires(const V& v) {
  { v.tape_values() } -> std::same_as<value_range<T>>;
};

}  // namespace detail

// An element of the list in tape.gradient(y, {A, b, w}): a gg::real or a
// matrix-valued variable.
template <class T>
class gradient_target {
 public:
  gradient_target(const basic_real<T>& x)  // NOLINT(google-explicit-constructor)
      : ref_{x.index(), 1, x.tape_id()}, scalar_(true), value_(x.value) {}
  template <detail::has_tape_values<T> V>
  gradient_target(const V& v)  // NOLINT(google-explicit-constructor)
      : ref_(v.tape_values()) {}
  const detail::value_range<T>& ref() const noexcept { return ref_; }
  bool scalar() const noexcept { return scalar_; }
  const T& value() const noexcept { return value_; }

 private:
  detail::value_range<T> ref_;
  bool scalar_ = false;
  T value_{};
};

// The result of tape.gradient(y, {A, b, w}): g[A] is a matrix of A's shape,
// g[w] a number.
template <class T>
class block_gradient {
 public:
  const T& operator[](const basic_real<T>& x) const {
    return values_[find({x.index(), 1, x.tape_id()})];
  }
  // g[A] of a named result is a view of its storage (an Eigen::Map for a
  // gg::real_matrix), valid while g lives; of a temporary result
  // (tape.gradient(y, {A})[A]) it is a matrix of its own.
  template <detail::has_tape_values<T> V>
  auto operator[](const V& v) const& {
    const auto b = v.tape_values();
    return v.gradient_view(std::span<const T>(values_.data() + find(b), b.count));
  }
  template <detail::has_tape_values<T> V>
  auto operator[](const V& v) && {
    const auto b = v.tape_values();
    return v.gradient_from(std::span<const T>(values_.data() + find(b), b.count));
  }

 private:
  friend class basic_tape<T>;
  // The offset of x's adjoints (an empty matrix starts where the next value does).
  std::size_t find(const detail::value_range<T>& x) const {
    for (const auto& e : entries_)
      if (e.ref.tape_id == x.tape_id && e.ref.first == x.first && e.ref.count == x.count)
        return e.offset;
    throw std::out_of_range(
        "gradguard: g[x]: x was not among the variables passed to tape.gradient(y, xs)");
  }
  struct entry {
    detail::value_range<T> ref;
    std::size_t offset;
  };
  std::vector<entry> entries_;
  std::vector<T> values_;
};

}  // namespace gradguard
