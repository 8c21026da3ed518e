// IWYU pragma: private, include <gradguard/gradguard.hpp>
// tape.gradient and tape.jacobian: the result type (g[x], g[i]), the checks
// of the output and the requested variables, one sweep per output.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

#include <gradguard/tape/tape.hpp>

namespace gradguard {

// The result of tape.gradient(y, xs): g[x] for a requested x, g[i] by position.
template <class T>
class tape_gradient {
 public:
  const T& operator[](const basic_real<T>& x) const {
    const key_type k = key(x);
    if (keys_.size() <= 16) {
      for (std::size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] == k) return values_[i];
    } else {
      auto it = std::lower_bound(sorted_.begin(), sorted_.end(), std::pair{k, std::size_t{0}});
      if (it != sorted_.end() && it->first == k) return values_[it->second];
    }
    throw std::out_of_range(
        "gradguard: g[x]: x was not among the variables passed to "
        "tape.gradient(y, xs)");
  }
  const T& operator[](std::size_t i) const { return values_.at(i); }
  std::size_t size() const noexcept { return values_.size(); }
  const std::vector<T>& values() const noexcept { return values_; }
  auto begin() const noexcept { return values_.begin(); }
  auto end() const noexcept { return values_.end(); }

 private:
  friend class basic_tape<T>;
  tape_gradient() = default;
  // A requested value is found by its tape and index together: a constant
  // (no tape) never matches a variable of index 0.
  using key_type = std::pair<detail::tape_id_t, std::uint32_t>;
  static key_type key(const basic_real<T>& x) { return {x.tape_id(), x.index()}; }
  void index() {
    if (keys_.size() <= 16) return;
    sorted_.reserve(keys_.size());
    for (std::size_t i = 0; i < keys_.size(); ++i) sorted_.emplace_back(keys_[i], i);
    std::sort(sorted_.begin(), sorted_.end());
  }

  std::vector<key_type> keys_;
  std::vector<T> values_;
  std::vector<std::pair<key_type, std::size_t>> sorted_;
};

template <class T>
template <class R>
std::uint32_t basic_tape<T>::check_output(const basic_real<T>& y, const R&) const {
  if (owns(y) && y.index() >= statements_.size()) detail::throw_stale(y.index());
  if (y.on_tape() && !owns(y))
    throw tape_mismatch(
        "gradguard: tape.gradient(y, xs): y was not recorded by this tape since "
        "its last clear(): " +
        describe_foreign(y) + "; take the gradient on the tape that recorded it");
  return y.index();
}

template <class T>
template <class R>
void basic_tape<T>::gradient_into(const basic_real<T>& y, const R& xs, std::span<T> out,
                                  bool allow) {
  check_thread("tape.gradient");
  const std::uint32_t top = check_output(y, xs);
  std::size_t n = 0;
  std::uint32_t stop = top;
  bool all_mine = true;
  for (const basic_real<T>& x : xs) {
    all_mine &= owns(x);
    stop = std::min(stop, x.index());
    ++n;
  }
  if (n != out.size())
    throw std::invalid_argument("gradguard: tape.gradient(y, xs, out): out has " +
                                std::to_string(out.size()) + " elements for " + std::to_string(n) +
                                " variables");
  bool any_zero = !all_mine;
  if (y.on_tape() && all_mine) {
    const std::uint32_t high = seed(top);
    if (stop < high) sweep(high, stop);
    if (check_finite_)
      check_finite_after({&top, 1}, [&](auto f) {
        for (const basic_real<T>& x : xs)
          if (x.index() <= top) f(x.index());
      });
    T* o = out.data();
    for (const basic_real<T>& x : xs) {
      const T v = x.index() <= top ? adjoints_[x.index()] : T(0);
      any_zero |= detail::plain_value(v) == 0;
      *o++ = v;
    }
  } else if (y.on_tape()) {
    const std::uint32_t high = seed(top);
    if (stop < high) sweep(high, stop);
    if (check_finite_)
      check_finite_after({&top, 1}, [&](auto f) {
        for (const basic_real<T>& x : xs)
          if (owns(x) && x.index() <= top) f(x.index());
      });
    std::size_t i = 0;
    for (const basic_real<T>& x : xs)
      out[i++] = owns(x) && x.index() <= top ? adjoints_[x.index()] : T(0);
  } else {
    std::fill(out.begin(), out.end(), T(0));
    any_zero = true;
  }
  // Frozen variables are reported even with a non-zero adjoint.
  if (any_zero || frozen_ranges_ > 0) {
    const std::uint32_t outputs[] = {top};
    for (std::size_t i :
         diagnose(std::span<const std::uint32_t>(outputs), y.on_tape(), xs, out, allow))
      out[i] = T(0);
  }
}

template <class T>
template <class Ys, class Xs>
dense_matrix<T> basic_tape<T>::jacobian_of(const Ys& ys, const Xs& xs, bool allow) {
  check_thread("tape.jacobian");
  dense_matrix<T> j;
  std::vector<std::uint32_t> outputs;
  bool any_on_tape = false;
  for (const basic_real<T>& y : ys) {
    check_output(y, xs);
    if (y.on_tape()) {
      outputs.push_back(y.index());
      any_on_tape = true;
    }
    ++j.rows;
  }
  for ([[maybe_unused]] const basic_real<T>& x : xs) ++j.cols;
  j.data.assign(j.rows * j.cols, T(0));
  std::size_t r = 0;
  std::vector<T> column_sum(j.cols, T(0));
  for (const basic_real<T>& y : ys) {
    if (y.on_tape()) {
      std::uint32_t stop = y.index();
      for (const basic_real<T>& x : xs)
        if (owns(x)) stop = std::min(stop, x.index());
      const std::uint32_t high = seed(y.index());
      if (stop < high) sweep(high, stop);
      if (check_finite_) {
        const std::uint32_t output = y.index();
        check_finite_after({&output, 1}, [&](auto f) {
          for (const basic_real<T>& x : xs)
            if (owns(x) && x.index() <= output) f(x.index());
        });
      }
      std::size_t c = 0;
      for (const basic_real<T>& x : xs) {
        if (owns(x) && x.index() <= y.index()) j(r, c) = adjoints_[x.index()];
        if (j(r, c) != T(0)) column_sum[c] = T(1);
        ++c;
      }
    }
    ++r;
  }
  for (std::size_t c : diagnose(std::span<const std::uint32_t>(outputs), any_on_tape, xs,
                                std::span<const T>(column_sum), allow))
    for (std::size_t r2 = 0; r2 < j.rows; ++r2) j(r2, c) = T(0);
  return j;
}

template <class T>
block_gradient<T> basic_tape<T>::block_gradient_of(const basic_real<T>& y,
                                                   std::span<const gradient_target<T>> xs,
                                                   bool allow) {
  check_thread("tape.gradient");
  const std::uint32_t top = check_output(y, xs);
  block_gradient<T> g;
  std::size_t total = 0;
  std::uint32_t stop = top;
  g.entries_.reserve(xs.size());
  for (const auto& x : xs) {
    g.entries_.push_back({x.ref(), total});
    total += x.ref().count;
    if (x.ref().tape_id == id_) stop = std::min(stop, x.ref().first);
  }
  g.values_.resize(total);
  if (y.on_tape()) {
    const std::uint32_t high = seed(top);
    if (stop < high) sweep(high, stop);
    if (check_finite_)
      check_finite_after({&top, 1}, [&](auto f) {
        for (const auto& x : xs)
          if (x.ref().tape_id == id_)
            for (std::uint32_t i = x.ref().first; i < x.ref().first + x.ref().count && i <= top;
                 ++i)
              f(i);
      });
  }
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const auto& r = xs[k].ref();
    const auto out = g.values_.begin() + static_cast<std::ptrdiff_t>(g.entries_[k].offset);
    const std::uint32_t n = !y.on_tape() || r.tape_id != id_ || r.first > top
                                ? 0
                                : std::min(r.count, top - r.first + 1);
    if (n > 0) std::copy_n(adjoints_.begin() + r.first, n, out);
  }
  // A matrix is diagnosed as a whole: missing when every element's adjoint
  // is 0 and no element is on a differentiable path. One element stands for
  // it in diagnose(): the one best connected to the result. Nothing is
  // allocated when every variable has a non-zero adjoint (the common case).
  const auto active_at = [&](std::size_t k) {
    if (!xs[k].scalar() && xs[k].ref().count == 0) return true;  // an empty matrix
    const auto begin = g.values_.begin() + static_cast<std::ptrdiff_t>(g.entries_[k].offset);
    return std::any_of(begin, begin + xs[k].ref().count,
                       [](const T& v) { return detail::plain_value(v) != 0; });
  };
  bool check = frozen_ranges_ > 0;
  for (std::size_t k = 0; k < xs.size() && !check; ++k)
    check = xs[k].ref().tape_id != id_ || !active_at(k);
  if (!check) return g;
  const std::uint32_t outputs[] = {top};
  std::vector<basic_real<T>> standing;
  std::vector<T> active;
  std::vector<std::uint32_t> mark;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const auto& r = xs[k].ref();
    const bool nonzero = active_at(k);
    std::uint32_t index = r.first;
    if (!nonzero && !xs[k].scalar() && r.tape_id == id_ && y.on_tape() && r.count > 1) {
      if (mark.empty()) mark = reachability(std::span<const std::uint32_t>(outputs));
      for (std::uint32_t i = r.first; i < r.first + r.count && i < mark.size(); ++i) {
        if (mark[i] == 1) {
          index = i;
          break;
        }
        if (mark[i] != 0 && mark[index] == 0) index = i;
      }
    }
    standing.push_back(basic_real<T>(xs[k].scalar() ? xs[k].value() : T(0), index, r.tape_id));
    active.push_back(nonzero ? T(1) : T(0));
  }
  for (std::size_t k : diagnose(std::span<const std::uint32_t>(outputs), y.on_tape(), standing,
                                std::span<const T>(active), allow))
    std::fill_n(g.values_.begin() + static_cast<std::ptrdiff_t>(g.entries_[k].offset),
                xs[k].ref().count, T(0));
  return g;
}

}  // namespace gradguard
