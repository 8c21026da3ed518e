// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Recording: the tape of an expression's reals (or the error for reals of two
// recordings, or of a cleared tape); basic_tape::record, which runs the static
// sweep (tape/record.hpp) into the operand arrays; variables, cut values and
// matrix blocks; and make_room, which grows every array at once.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <string>
#include <type_traits>

#include <gradguard/tape/tape.hpp>

namespace gradguard {

namespace detail {

// The tape of e's reals (nullptr when all are constants); throws
// gg::tape_mismatch when they come from two recordings or a stale one.
template <class T, class E>
GRADGUARD_ALWAYS_INLINE basic_tape<T>* tape_of(const E& e) {
  // Only ids and indices are kept: taking a leaf's address would keep the
  // whole expression in memory instead of in registers.
  tape_id_t id = 0, other_id = 0;
  std::uint32_t index = 0, other_index = 0, last = 0;
  for_each_runtime_leaf(e, [&](const auto& leaf) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(leaf)>, basic_real<T>>) {
      if (leaf.tape_id() == 0) return;
      last = std::max(last, leaf.index());
      if (id == 0) {
        id = leaf.tape_id();
        index = leaf.index();
      } else if (leaf.tape_id() != id) {
        other_id = leaf.tape_id();
        other_index = leaf.index();
      }
    }
  });
  if (id == 0) return nullptr;
  basic_tape<T>* tape = tape_registry<T>::find(id);
  // An index past the recording cannot come from a live id; checked anyway
  // (it is free): never read past the arrays.
  if (tape == nullptr || last >= tape->size()) throw_stale(tape == nullptr ? index : last);
  if (other_id != 0) throw tape->mismatch(other_index, other_id);
  return tape;
}

}  // namespace detail

template <class T>
basic_tape<T>* basic_real<T>::tape() const noexcept {
  return tape_id_ == 0 ? nullptr : detail::tape_registry<T>::find(tape_id_);
}

namespace detail {

template <class T, class E>
GRADGUARD_ALWAYS_INLINE basic_real<T> record_expression(const E& e,
                                                        const std::source_location& where) {
  if constexpr (runtime_leaf_count_v<E> == 0) {
    return basic_real<T>(T(gradguard::value(e)));
  } else {
    basic_tape<T>* tape = tape_of<T>(e);
    if (tape == nullptr) return basic_real<T>(to_tape_value<T>(tape_evaluate<T>(e).value));
    return tape->record_statement(e, where);
  }
}

}  // namespace detail

template <class T>
template <class E>
GRADGUARD_ALWAYS_INLINE basic_real<T> basic_tape<T>::record_statement(
    const E& e, const std::source_location& where) {
  constexpr std::size_t n = detail::runtime_leaf_count_v<E>;
  static_assert(n < 65536, "gradguard: a statement has at most 65535 tape operands");
  constexpr std::size_t need = n > 0 ? n : 1;
  if (room_ < need) make_room(need);  // one test per statement, for every array
  const auto index = static_cast<std::uint32_t>(statements_.size());
  const auto ev = detail::tape_evaluate<T>(e);
  detail::statement_sink<T> sink{units_.end(), general_.end(), partials_.end()};
  detail::push_partials(e, ev, sink);
  if constexpr (detail::has_cut_runtime_leaf_v<E>) {
    const std::size_t before = cuts_.size();
    try {
      detail::for_each_cut_leaf(
          e, ev, [&]<class Rule>(const auto& leaf, std::type_identity<Rule>, bool untaken) {
            if (!owns(leaf)) return;
            const missing_reason why =
                untaken ? missing_reason::untaken_branch : rules::cut_code_v<Rule>;
            cuts_.push_back({index, leaf.index(), why, Rule::name, where});
          });
    } catch (...) {
      cuts_.resize(before);
      throw;
    }
  }
  if (check_finite_) {
    info_.end()[0] = {&detail::describe_statement<E>, where,
                      static_cast<std::uint32_t>(leaf_values_.size())};
    T* values = leaf_values_.end();
    std::size_t k = 0;
    detail::for_each_runtime_leaf(e, [&](const auto& leaf) { values[k++] = T(leaf.value); });
    if (!std::isfinite(detail::plain_value(ev.value)))
      non_finite_values_.emplace_back(index, detail::plain_value(ev.value));
    leaf_values_.commit(n);
    info_.commit(1);
  }
  units_.commit(sink.unit_count);
  general_.commit(sink.general_count);
  partials_.commit(sink.general_count);
  statements_.end()[0] = {static_cast<std::uint16_t>(sink.unit_count),
                          static_cast<std::uint16_t>(sink.general_count)};
  statements_.commit(1);
  room_ -= need;
  return basic_real<T>(T(ev.value), index, id_);
}

template <class T>
inline basic_real<T> basic_tape<T>::record_cut(const T& value, const basic_real<T>& operand,
                                               missing_reason why, std::string_view operation,
                                               const std::source_location& where) {
  if (!operand.on_tape()) return basic_real<T>(value);
  if (!owns(operand)) throw mismatch(operand);
  if (room_ < 1) make_room(1);
  cuts_.push_back(
      {static_cast<std::uint32_t>(statements_.size()), operand.index(), why, operation, where});
  if (check_finite_) {
    try {
      info_.end()[0] = {nullptr, where, static_cast<std::uint32_t>(leaf_values_.size())};
      info_.commit(1);
    } catch (...) {
      cuts_.pop_back();
      throw;
    }
  }
  statements_.end()[0] = {0, 0};
  statements_.commit(1);
  room_ -= 1;
  return basic_real<T>(value, static_cast<std::uint32_t>(statements_.size() - 1), id_);
}

template <class T>
inline std::uint32_t basic_tape<T>::begin_variables(std::string_view name, std::size_t count,
                                                    bool array, trainable is_trainable,
                                                    const std::source_location& where) {
  if (room_ < count) make_room(count);
  const auto name_begin = static_cast<std::uint32_t>(names_.size());
  names_.append(name);
  try {
    variable_ranges_.push_back({static_cast<std::uint32_t>(statements_.size()),
                                static_cast<std::uint32_t>(count), name_begin,
                                static_cast<std::uint32_t>(name.size()), array,
                                is_trainable == trainable::yes, where});
  } catch (...) {
    names_.resize(name_begin);
    throw;
  }
  frozen_ranges_ += is_trainable == trainable::no;
  const auto first = static_cast<std::uint32_t>(statements_.size());
  if (variable_prefix_ == first) variable_prefix_ = first + static_cast<std::uint32_t>(count);
  std::fill_n(statements_.end(), count, detail::statement_shape{0, 0});
  if (check_finite_)
    std::fill_n(
        info_.end(), count,
        detail::statement_info{nullptr, where, static_cast<std::uint32_t>(leaf_values_.size())});
  statements_.commit(count);
  if (check_finite_) info_.commit(count);
  room_ -= count;
  return first;
}

template <class T>
inline void basic_tape<T>::make_room(std::size_t need) {
  if (statements_.size() + need > std::numeric_limits<std::uint32_t>::max())
    throw std::length_error("gradguard: a tape holds at most 2^32 - 1 values");
  statements_.reserve_more(need);
  units_.reserve_more(need);
  general_.reserve_more(need);
  partials_.reserve_more(need);
  if (check_finite_) {
    info_.reserve_more(need);
    leaf_values_.reserve_more(need);
  }
  room_ = free_room();
}

template <class T>
inline std::size_t basic_tape<T>::free_room() const noexcept {
  const std::size_t room =
      std::min({statements_.capacity() - statements_.size(), units_.capacity() - units_.size(),
                general_.capacity() - general_.size(), partials_.capacity() - partials_.size()});
  if (!check_finite_) return room;
  return std::min(
      {room, info_.capacity() - info_.size(), leaf_values_.capacity() - leaf_values_.size()});
}

template <class T>
template <class Fill>
inline std::uint32_t basic_tape<T>::record_block(std::size_t n, Fill&& fill) {
  const auto first = static_cast<std::uint32_t>(statements_.size());
  if (n == 0) return first;                          // an empty matrix: nothing flows
  if (operations_.size() == operations_.capacity())  // may throw: nothing recorded yet
    operations_.reserve(std::max<std::size_t>(16, 2 * operations_.capacity()));
  if (room_ < n) make_room(n);
  detail::block_operation<T>& op = operations_.emplace_back();  // cannot throw after the reserve
  static_assert(noexcept(fill(op)), "gradguard: a block's fill(op) must not throw");
  fill(op);
  op.first = first;
  op.last = first + static_cast<std::uint32_t>(n - 1);
  std::fill_n(statements_.end(), n, detail::statement_shape{0, 0});
  if (check_finite_)
    std::fill_n(
        info_.end(), n,
        detail::statement_info{nullptr, op.where, static_cast<std::uint32_t>(leaf_values_.size())});
  statements_.commit(n);
  if (check_finite_) info_.commit(n);
  room_ -= n;
  return first;
}

}  // namespace gradguard
