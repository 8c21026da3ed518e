// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The tape's reverse sweep: statements walked backwards with three cursors
// over the operand arrays, matrix blocks called as they come; and the
// structural pass that finds which requested values a sweep could reach.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <gradguard/tape/tape.hpp>

namespace gradguard {

// Where the sweep for output top starts: the outputs of a block are swept
// together, from its last one.
template <class T>
inline std::uint32_t basic_tape<T>::sweep_top(std::uint32_t top) const {
  if (operations_.empty()) return top;
  auto it = std::upper_bound(
      operations_.begin(), operations_.end(), top,
      [](std::uint32_t v, const detail::block_operation<T>& op) { return v < op.first; });
  if (it != operations_.begin() && std::prev(it)->last > top) return std::prev(it)->last;
  return top;
}

// Zeroes the adjoints up to sweep_top(top), seeds top, and returns sweep_top(top).
template <class T>
inline std::uint32_t basic_tape<T>::seed(std::uint32_t top) {
  watch_growth();
  const std::uint32_t high = sweep_top(top);
  if (adjoints_.size() < statements_.size()) adjoints_.resize(statements_.size());
  std::fill(adjoints_.begin(), adjoints_.begin() + high + 1, T(0));
  adjoints_[top] = T(1);
  origins_.clear();
  return high;
}

// Positions in the operand arrays: just past the operands of statement s.
template <class T>
inline typename basic_tape<T>::sweep_cursor basic_tape<T>::cursor_after(std::uint32_t top) const {
  const detail::statement_shape* shape = statements_.data();
  sweep_cursor c{units_.data() + units_.size(), general_.data() + general_.size(),
                 partials_.data() + partials_.size()};
  for (std::size_t s = statements_.size(); s-- > std::size_t{top} + 1;) {
    c.unit -= shape[s].units;
    c.general -= shape[s].general;
    c.partial -= shape[s].general;
  }
  return c;
}

// Sweeps statements top .. stop + 1, blocks included.
template <class T>
inline void basic_tape<T>::sweep(std::uint32_t top, std::uint32_t stop) {
  if (variable_prefix_ > top) return;  // only variables up to top
  if (variable_prefix_ > 0) stop = std::max(stop, variable_prefix_ - 1);
  if (check_finite_) sweep_blocks<true>(top, stop);
  else sweep_blocks<false>(top, stop);
}

template <class T>
template <bool Checked>
inline void basic_tape<T>::sweep_blocks(std::uint32_t top, std::uint32_t stop) {
  sweep_cursor c = cursor_after(top);
  if (operations_.empty()) return sweep_statements<Checked>(top, stop, c);
  // Scalar statements between blocks, then each block (its outputs are
  // statements without operands).
  auto op = std::upper_bound(
      operations_.begin(), operations_.end(), top,
      [](std::uint32_t v, const detail::block_operation<T>& o) { return v < o.last; });
  while (op != operations_.begin() && std::prev(op)->last > stop) {
    --op;
    sweep_statements<Checked>(top, op->last, c);
    // A block none of whose outputs is used passes nothing on, as a scalar
    // statement with a zero adjoint (0 * an infinite partial would be NaN).
    const T* out = adjoints_.data() + op->first;
    if (!std::all_of(out, out + (op->last - op->first + 1),
                     [](const T& a) { return detail::is_constant_zero(a); })) {
      if constexpr (Checked) {
        const bool finite = std::all_of(out, out + (op->last - op->first + 1), [](const T& a) {
          return std::isfinite(detail::plain_value(a));
        });
        op->backward(*op, adjoints_.data());
        if (finite) note_block(*op);
      } else {
        op->backward(*op, adjoints_.data());
      }
    }
    top = op->first;  // its other outputs have no scalar operands: skip them
  }
  sweep_statements<Checked>(top, stop, c);
}

template <class T>
template <bool Checked>
inline void basic_tape<T>::sweep_statements(std::uint32_t top, std::uint32_t stop,
                                            sweep_cursor& c) {
  const detail::statement_shape* shape = statements_.data();
  const std::uint32_t* unit = c.unit;
  const std::uint32_t* general = c.general;
  const T* partial = c.partial;
  T* adj = adjoints_.data();
  for (std::size_t s = std::size_t{top} + 1; s-- > std::size_t{stop} + 1;) {
    const auto [nu, ng] = shape[s];
    unit -= nu;
    general -= ng;
    partial -= ng;
    if ((nu | ng) == 0) continue;  // a variable or a cut value: nothing to pass on
    const T a = adj[s];
    if (detail::is_constant_zero(a)) continue;
    if constexpr (Checked) {
      // An operand adjoint made NaN or infinite here from finite ones is
      // noted; one already so, or a non-finite incoming adjoint, only
      // passes on what an earlier statement made.
      const bool finite = std::isfinite(detail::plain_value(a));
      const auto add = [&](std::uint32_t i, const T& p) {
        const bool before = std::isfinite(detail::plain_value(adj[i]));
        adj[i] += a * p;
        if (finite && before && !std::isfinite(detail::plain_value(adj[i])))
          origins_.push_back({static_cast<std::uint32_t>(s), i, a, p});
      };
      for (std::uint32_t k = 0; k < nu; ++k) add(unit[k], T(1));
      for (std::uint32_t k = 0; k < ng; ++k) add(general[k], partial[k]);
    } else {
      // Most statements have one or two operands of each kind: straight-line
      // code for those, a loop for the rest.
      switch (nu) {
        case 0:
          break;
        case 1:
          adj[unit[0]] += a;
          break;
        case 2:
          adj[unit[0]] += a;
          adj[unit[1]] += a;
          break;
        default:
          for (std::uint32_t k = 0; k < nu; ++k) adj[unit[k]] += a;
      }
      switch (ng) {
        case 0:
          break;
        case 1:
          adj[general[0]] += a * partial[0];
          break;
        case 2:
          adj[general[0]] += a * partial[0];
          adj[general[1]] += a * partial[1];
          break;
        default:
          for (std::uint32_t k = 0; k < ng; ++k) adj[general[k]] += a * partial[k];
      }
    }
  }
  c = {unit, general, partial};
}

template <class T>
std::vector<std::uint32_t> basic_tape<T>::reachability(
    std::span<const std::uint32_t> outputs) const {
  std::uint32_t top = 0;
  for (auto y : outputs) top = std::max(top, y);
  top = sweep_top(top);
  std::vector<std::uint32_t> mark(std::size_t{top} + 1, 0);
  for (auto y : outputs) mark[y] = 1;
  const detail::statement_shape* shape = statements_.data();
  const std::uint32_t* unit = units_.data() + units_.size();
  const std::uint32_t* general = general_.data() + general_.size();
  for (std::size_t s = statements_.size(); s-- > std::size_t{top} + 1;) {
    unit -= shape[s].units;
    general -= shape[s].general;
  }
  auto cut = std::upper_bound(
      cuts_.begin(), cuts_.end(), top,
      [](std::uint32_t v, const detail::cut_record& c) { return v < c.statement; });
  auto op = std::upper_bound(
      operations_.begin(), operations_.end(), top,
      [](std::uint32_t v, const detail::block_operation<T>& o) { return v < o.last; });
  for (std::size_t s = std::size_t{top} + 1; s-- > 0;) {
    unit -= shape[s].units;
    general -= shape[s].general;
    if (op != operations_.begin() && std::prev(op)->last == s) {
      // A block: every operand value reaches every output (a structural,
      // conservative answer: a variable is diagnosed as a whole matrix).
      const auto& o = *--op;
      std::uint32_t best = 0;
      for (std::uint32_t i = o.first; i <= o.last; ++i)
        if (mark[i] == 1 || (best == 0 && mark[i] != 0)) best = mark[i];
      if (best != 0)
        o.for_each_operand_value([&](std::uint32_t i) {
          if (best == 1 || mark[i] == 0) mark[i] = best;
        });
    }
    const std::uint32_t m = mark[s];
    for (; cut != cuts_.begin() && std::prev(cut)->statement == s; --cut) {
      const auto& c = *std::prev(cut);
      if (m == 0 || mark[c.operand] != 0) continue;
      mark[c.operand] = m == 1 ? 2 + static_cast<std::uint32_t>(std::prev(cut) - cuts_.begin()) : m;
    }
    if (m == 0) continue;
    auto reach = [&](std::uint32_t op) {
      if (m == 1 || mark[op] == 0) mark[op] = m;
    };
    for (std::uint32_t k = 0; k < shape[s].units; ++k) reach(unit[k]);
    for (std::uint32_t k = 0; k < shape[s].general; ++k) reach(general[k]);
  }
  return mark;
}

}  // namespace gradguard
