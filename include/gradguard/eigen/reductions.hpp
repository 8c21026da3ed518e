// IWYU pragma: private, include <gradguard/eigen.hpp>
// The reductions of gg::real_matrix: sum, mean, prod, log_sum_exp (a
// gg::real each), and the sums and log-sum-exps of columns or rows. Each
// records one block; its payload, with the backward function that reads it,
// is written beside it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <source_location>
#include <stdexcept>
#include <vector>

#include <Eigen/Core>

#include <gradguard/detail/config.hpp>  // GRADGUARD_NOINLINE
#include <gradguard/eigen/operand.hpp>

namespace gradguard {

namespace detail {
// y = sum(A) or mean(A) of n elements: dA += dy / divisor (1 or n).
template <class T>
struct sum_op {
  std::size_t n;
  std::size_t divisor;

  static void backward(const block_operation<T>& op, const sum_op& p, T* adj) {
    const T g = adj[op.first] / T(static_cast<double>(p.divisor));
    T* d = adj + op.operand[0];
    for (std::size_t i = 0; i < p.n; ++i) d[i] += g;
  }
};

// A reduction's result: one value, recorded as a block of one output.
template <class T, class P>
basic_real<T> record_reduction(const char* name, const T& value, const matrix_operand<T>& o,
                               const P& payload, const std::source_location& where) {
  basic_tape<T>& tape = matrix_access<T>::tape_of(name, {&o});
  const std::uint32_t first = record_operation(tape, name, where, {&o}, 1, payload);
  return block_recorder<T>::real(value, first, tape.id());
}
}  // namespace detail

// sum(A), mean(A): a gg::real.
template <class T, int C>
basic_real<T> sum(const basic_real_matrix<T, C>& a,
                  const std::source_location& where = std::source_location::current()) {
  const auto o = detail::matrix_access<T>::operand(a);
  const auto n = static_cast<std::size_t>(a.size());
  return detail::record_reduction<T>("sum", a.value().sum(), o, detail::sum_op<T>{n, 1}, where);
}
// The mean of A's elements (an empty A is an error: it has none).
template <class T, int C>
basic_real<T> mean(const basic_real_matrix<T, C>& a,
                   const std::source_location& where = std::source_location::current()) {
  const auto o = detail::matrix_access<T>::operand(a);
  if (a.size() == 0) throw std::invalid_argument("gradguard: gg::mean(A) of an empty matrix");
  const auto n = static_cast<std::size_t>(a.size());
  return detail::record_reduction<T>("mean", a.value().mean(), o, detail::sum_op<T>{n, n}, where);
}

namespace detail {
// prefix[i] = a[0] * ... * a[i-1]; returns the product of all n. Out of line
// on purpose: inlined into prod(), where the product lives on across the
// recording's calls, GCC 12 gave the running product a stack slot for its
// whole life, a store and a reload per element (1.6x slower at 1024).
template <class T>
GRADGUARD_NOINLINE T prefix_products(const T* a, T* prefix, std::size_t n) noexcept {
  T running(1);
  for (std::size_t i = 0; i < n; ++i) {
    prefix[i] = running;
    running *= a[i];
  }
  return running;
}

// y = prod(A): dA_i += dy prod_{j != i} A_j, the prefix product before i
// (kept at recording) times the suffix product after it: no division, so a
// zero element gets the product of the others.
template <class T>
struct prod_op {
  const T* a;
  const T* prefix;
  std::size_t n;

  static void backward(const block_operation<T>& op, const prod_op& p, T* adj) {
    const T g = adj[op.first];
    T* d = adj + op.operand[0];
    T suffix(1);
    for (std::size_t i = p.n; i-- > 0;) {
      d[i] += g * (p.prefix[i] * suffix);
      suffix *= p.a[i];
    }
  }
};
}  // namespace detail

// prod(A): a gg::real, the product of all elements (1 for an empty matrix).
// Keeps the prefix products (one number per element) for the adjoint rule.
template <class T, int C>
basic_real<T> prod(const basic_real_matrix<T, C>& a,
                   const std::source_location& where = std::source_location::current()) {
  const auto o = detail::matrix_access<T>::operand(a);
  basic_tape<T>& tape = detail::matrix_access<T>::tape_of("prod", {&o});
  const auto n = static_cast<std::size_t>(a.size());
  T* prefix = detail::block_recorder<T>::allocate(tape, n);
  const T value = detail::prefix_products(o.value, prefix, n);
  return detail::record_reduction<T>("prod", value, o, detail::prod_op<T>{o.value, prefix, n},
                                     where);
}

namespace detail {
// log(sum(exp(x))) of n values, with its softmax (the derivative) written to
// out; the maximum is shifted out. The infinities as torch.logsumexp for the
// value: +inf when an entry is +inf, -inf when every entry is -inf (a shift
// by an infinite maximum gave NaN for both). The softmax is the limit that
// keeps its sum 1 (a shift of every entry by c shifts the value by c): 1/k on
// each of the k entries that are +inf, 0 elsewhere; 1/n on each entry when
// all are -inf. An entry of -inf beside a finite one (a masked entry) gets
// exactly 0. A NaN entry gives NaN.
template <class T>
T log_sum_exp_with_softmax(const T* x, std::size_t n, T* out) {
  using std::log;
  T top = x[0];
  for (std::size_t i = 1; i < n; ++i) top = x[i] > top ? x[i] : top;
  for (std::size_t i = 0; i < n; ++i)
    if (x[i] != x[i]) {
      for (std::size_t k = 0; k < n; ++k) out[k] = x[i];
      return x[i];
    }
  const T inf = std::numeric_limits<T>::infinity();
  if (top == inf || top == -inf) {
    std::size_t k = 0;
    for (std::size_t i = 0; i < n; ++i) k += x[i] == top;
    for (std::size_t i = 0; i < n; ++i) out[i] = x[i] == top ? T(1) / T(k) : T(0);
    return top;
  }
  // Eigen's vectorised exp (exp once: the shifted exponentials become the
  // softmax); it clamps a very negative argument, so exp(-inf) is a tiny
  // number, not 0: a masked entry is set to 0 exactly.
  const auto count = static_cast<Eigen::Index>(n);
  const Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>> xs(x, count);
  Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> e(out, count);
  e = (xs == -inf).select(T(0), (xs - top).exp());
  const T sum = e.sum();
  e /= sum;
  return top + log(sum);
}

// y = log(sum(exp(A))): dA += dy softmax(A) (computed when the block was recorded).
template <class T>
struct log_sum_exp_op {
  const T* softmax;
  std::size_t n;

  static void backward(const block_operation<T>& op, const log_sum_exp_op& p, T* adj) {
    const T g = adj[op.first];
    T* d = adj + op.operand[0];
    for (std::size_t i = 0; i < p.n; ++i) d[i] += g * p.softmax[i];
  }
};
}  // namespace detail

// log_sum_exp(A) = log(sum(exp(A))), computed with the maximum shifted out.
template <class T, int C>
basic_real<T> log_sum_exp(const basic_real_matrix<T, C>& a,
                          const std::source_location& where = std::source_location::current()) {
  if (a.size() == 0)
    throw std::invalid_argument("gradguard: gg::log_sum_exp(A) of an empty matrix");
  const auto o = detail::matrix_access<T>::operand(a);
  basic_tape<T>& tape = detail::matrix_access<T>::tape_of("log_sum_exp", {&o});
  // exp once: the shifted exponentials become the softmax the backward rule reads.
  const auto n = static_cast<std::size_t>(a.size());
  T* softmax = detail::block_recorder<T>::allocate(tape, n);
  const T value = detail::log_sum_exp_with_softmax(a.value().data(), n, softmax);
  return detail::record_reduction<T>("log_sum_exp", value, o, detail::log_sum_exp_op<T>{softmax, n},
                                     where);
}

namespace detail {
// C = the column sums of A (1 x n) or its row sums (m x 1), A m x n: each
// element of A gets the adjoint of its column's (row's) sum.
template <class T, bool Columns>
struct line_sum_op {
  Eigen::Index m, n;

  static void backward(const block_operation<T>& op, const line_sum_op& p, T* adj) {
    using matrix = dynamic_matrix<T>;
    Eigen::Map<matrix> d(adj + op.operand[0], p.m, p.n);
    if constexpr (Columns)
      d.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(adj + op.first, p.n);
    else d.colwise() += Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(adj + op.first, p.m);
  }
};
}  // namespace detail

// The sums of A's columns (a 1 x n matrix) and of its rows (a vector).
template <class T, int C>
basic_real_matrix<T, Eigen::Dynamic> colwise_sum(
    const basic_real_matrix<T, C>& a,
    const std::source_location& where = std::source_location::current()) {
  using access = detail::matrix_access<T>;
  const auto o = access::operand(a);
  basic_tape<T>& tape = access::tape_of("colwise_sum", {&o});
  const auto n = static_cast<std::size_t>(a.cols());
  T* out = detail::block_recorder<T>::allocate(tape, n);
  Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(out, a.cols()) = a.value().colwise().sum();
  const std::uint32_t first = detail::record_operation(
      tape, "colwise_sum", where, {&o}, n, detail::line_sum_op<T, true>{a.rows(), a.cols()});
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, 1, a.cols());
}
template <class T, int C>
basic_real_matrix<T, 1> rowwise_sum(
    const basic_real_matrix<T, C>& a,
    const std::source_location& where = std::source_location::current()) {
  using access = detail::matrix_access<T>;
  const auto o = access::operand(a);
  basic_tape<T>& tape = access::tape_of("rowwise_sum", {&o});
  const auto n = static_cast<std::size_t>(a.rows());
  T* out = detail::block_recorder<T>::allocate(tape, n);
  Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(out, a.rows()) = a.value().rowwise().sum();
  const std::uint32_t first = detail::record_operation(
      tape, "rowwise_sum", where, {&o}, n, detail::line_sum_op<T, false>{a.rows(), a.cols()});
  return access::template make<basic_real_matrix<T, 1>>(out, first, tape, a.rows(), 1);
}

namespace detail {
// c_j = log(sum_i exp(A_ij)), A m x n: dA_ij += dc_j exp(A_ij - c_j), exactly
// 0 for a masked entry A_ij = -inf; a column whose c_j is infinite or NaN
// takes its softmax from log_sum_exp_with_softmax (exp(inf - inf) is NaN).
template <class T>
struct colwise_log_sum_exp_op {
  const T* a;
  const T* c;
  Eigen::Index m, n;

  static void backward(const block_operation<T>& op, const colwise_log_sum_exp_op& p, T* adj) {
    using matrix = dynamic_matrix<T>;
    using std::isfinite;
    const Eigen::Map<const matrix> a(p.a, p.m, p.n);
    const Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>> c(p.c, p.n);
    const Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>> g(adj + op.first, p.n);
    Eigen::Map<matrix> d(adj + op.operand[0], p.m, p.n);
    std::vector<T> softmax;
    for (Eigen::Index j = 0; j < p.n; ++j) {
      if (isfinite(c[j])) {  // (Eigen's exp of -inf is a tiny number, not 0)
        d.col(j).array() += g[j] * (a.col(j).array() == -std::numeric_limits<T>::infinity())
                                       .select(T(0), (a.col(j).array() - c[j]).exp());
      } else {
        softmax.resize(static_cast<std::size_t>(p.m));
        log_sum_exp_with_softmax(a.col(j).data(), softmax.size(), softmax.data());
        for (Eigen::Index i = 0; i < p.m; ++i)
          d(i, j) += g[j] * softmax[static_cast<std::size_t>(i)];
      }
    }
  }
};
}  // namespace detail

// The log-sum-exp of each column (a 1 x n matrix): log(sum_i exp(A_ij)),
// computed with each column's maximum shifted out. A softmax classifier's
// normaliser, a mixture model's likelihood per point.
template <class T, int C>
basic_real_matrix<T, Eigen::Dynamic> colwise_log_sum_exp(
    const basic_real_matrix<T, C>& a,
    const std::source_location& where = std::source_location::current()) {
  using access = detail::matrix_access<T>;
  if (a.rows() == 0)
    throw std::invalid_argument("gradguard: gg::colwise_log_sum_exp(A): A has no rows");
  const auto o = access::operand(a);
  basic_tape<T>& tape = access::tape_of("colwise_log_sum_exp", {&o});
  const auto n = static_cast<std::size_t>(a.cols());
  T* out = detail::block_recorder<T>::allocate(tape, n);
  const auto v = a.value();
  std::vector<T> softmax;  // only for a column with an infinite or NaN entry
  for (Eigen::Index j = 0; j < a.cols(); ++j) {
    const T top = v.col(j).maxCoeff();
    if (std::isfinite(top)) {
      out[j] = top + std::log((v.col(j).array() - top).exp().sum());
    } else {
      softmax.resize(static_cast<std::size_t>(a.rows()));
      out[j] = detail::log_sum_exp_with_softmax(v.col(j).data(), softmax.size(), softmax.data());
    }
  }
  const std::uint32_t first =
      detail::record_operation(tape, "colwise_log_sum_exp", where, {&o}, n,
                               detail::colwise_log_sum_exp_op<T>{o.value, out, a.rows(), a.cols()});
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, 1, a.cols());
}

}  // namespace gradguard
