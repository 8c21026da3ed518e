// IWYU pragma: private, include <gradguard/eigen.hpp>
// gg::real_matrix and gg::real_vector: matrix-valued tape variables. A
// matrix operation is recorded as one block with a matrix adjoint rule
// (dA += dC * B^T, dB += A^T * dC for C = A * B) instead of one statement
// per scalar operation: a K x K product costs three products, not K^3
// recorded multiply-adds. Elementwise functions take their value and partials
// from the same rule table as every other engine.
//
//   gg::real_matrix A = tape.variable("A", Eigen::MatrixXd::Random(4, 3));
//   gg::real_matrix B = tape.variable("B", Eigen::MatrixXd::Random(3, 2));
//   gg::real y = gg::sum(A * B);
//   Eigen::MatrixXd dA = tape.gradient(y, {A, B})[A];   // ones(4, 2) * B^T
//
// A matrix's value and its elements' adjoints live on the tape, side by side
// (the value in the tape's arena, the adjoint in the adjoint array): a
// real_matrix is a small handle, valid until tape.clear(), like a gg::real.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include <gradguard/eigen/real.hpp>
#include <gradguard/rules.hpp>
#include <gradguard/tape/block.hpp>
#include <gradguard/tape/tape.hpp>

namespace gradguard {

template <class T, int Cols>
class basic_real_matrix;

// A matrix of reals on a tape (columns known at run time) and a column vector.
using real_matrix = basic_real_matrix<double, Eigen::Dynamic>;
using real_vector = basic_real_matrix<double, 1>;

namespace detail {

template <class M>
inline constexpr bool is_real_matrix_v = false;
template <class T, int C>
inline constexpr bool is_real_matrix_v<basic_real_matrix<T, C>> = true;

// An Eigen matrix or expression of plain numbers: a constant operand.
template <class M>
concept eigen_numbers =
    std::is_base_of_v<Eigen::MatrixBase<M>, M> && std::is_arithmetic_v<typename M::Scalar>;

template <class T>
struct matrix_access;

}  // namespace detail

template <class T, int Cols>
class basic_real_matrix {
 public:
  using scalar_type = T;
  using value_type = Eigen::Matrix<T, Eigen::Dynamic, Cols>;
  using reals_type = Eigen::Matrix<basic_real<T>, Eigen::Dynamic, Cols>;

  // An empty matrix on no tape; assign a variable or an operation's result.
  basic_real_matrix() = default;

  // A vector is a matrix of one column.
  template <int C>
  requires(Cols == Eigen::Dynamic && C != Eigen::Dynamic)
      basic_real_matrix(const basic_real_matrix<T, C>& v)  // NOLINT(google-explicit-constructor)
      : value_(v.value_), first_(v.first_), tape_id_(v.tape_id_), rows_(v.rows_), cols_(v.cols_) {}

  // From an Eigen matrix of gg::real: one statement per element copies it
  // (each element keeps its own path to the variables). Elements may be
  // constants; at least one must be on a tape.
  template <class D>
  requires std::same_as<typename D::Scalar, basic_real<T>>
  explicit basic_real_matrix(const Eigen::MatrixBase<D>& reals,
                             const std::source_location& where = std::source_location::current());

  Eigen::Index rows() const noexcept { return rows_; }
  Eigen::Index cols() const noexcept { return cols_; }
  Eigen::Index size() const noexcept { return rows_ * cols_; }

  // The value, read-only, where the tape keeps it (valid until tape.clear()).
  Eigen::Map<const value_type> value() const {
    check_live();
    return Eigen::Map<const value_type>(value_, rows_, cols_);
  }
  // Element (i, j) as a gg::real: no statement is recorded.
  basic_real<T> operator()(Eigen::Index i, Eigen::Index j) const {
    check_index(i, j);
    check_live();
    return element(i + j * rows_);
  }
  basic_real<T> operator()(Eigen::Index i) const {
    check_index(i, 0, true);
    check_live();
    return element(i);
  }
  // Column j as a vector: the same tape values (no statement is recorded).
  basic_real_matrix<T, 1> col(Eigen::Index j) const {
    check_index(0, j);
    return basic_real_matrix<T, 1>(
        value_ + j * rows_, first_ + static_cast<std::uint32_t>(j * rows_), tape_id_, rows_, 1);
  }
  // The elements as an Eigen matrix of gg::real (no statement is recorded):
  // scalar code can go on from here.
  reals_type reals() const {
    check_live();
    reals_type r(rows_, cols_);
    for (Eigen::Index k = 0; k < size(); ++k) r(k) = element(k);
    return r;
  }

  bool on_tape() const noexcept { return tape_id_ != 0; }
  // The tape that recorded this matrix; nullptr when cleared or destroyed since.
  basic_tape<T>* tape() const noexcept { return detail::block_recorder<T>::find(tape_id_); }

  // For tape.gradient(y, {A, ...}) and g[A].
  detail::block_ref<T> tape_block() const noexcept {
    return {first_, static_cast<std::uint32_t>(size()), tape_id_};
  }
  Eigen::Map<const value_type> gradient_view(std::span<const T> adjoints) const {
    return Eigen::Map<const value_type>(adjoints.data(), rows_, cols_);
  }
  value_type gradient_from(std::span<const T> adjoints) const {
    return Eigen::Map<const value_type>(adjoints.data(), rows_, cols_);
  }

 private:
  template <class, int>
  friend class basic_real_matrix;
  friend struct detail::matrix_access<T>;

  basic_real_matrix(const T* value, std::uint32_t first, detail::tape_id_t tape_id,
                    Eigen::Index rows, Eigen::Index cols)
      : value_(value), first_(first), tape_id_(tape_id), rows_(rows), cols_(cols) {}

  basic_real<T> element(Eigen::Index k) const {
    return detail::block_recorder<T>::real(value_[k], first_ + static_cast<std::uint32_t>(k),
                                           tape_id_);
  }
  // The value lives in the tape's arena, which clear() reuses: reading it
  // afterwards would give another recording's numbers.
  void check_live() const {
    if (tape_id_ != 0 && detail::block_recorder<T>::find(tape_id_) == nullptr)
      throw tape_mismatch("gradguard: a gg::real_matrix (values #" + std::to_string(first_) +
                          " to #" + std::to_string(first_ + size() - 1) +
                          ") is used after its tape was cleared or destroyed; matrices recorded "
                          "before tape.clear() are invalid, record them again");
  }
  void check_index(Eigen::Index i, Eigen::Index j, bool linear = false) const {
    if (linear ? (i < 0 || i >= size()) : (i < 0 || j < 0 || i >= rows_ || j >= cols_))
      throw std::out_of_range("gradguard: real_matrix(" + std::to_string(i) +
                              (linear ? "" : ", " + std::to_string(j)) + ") is outside a " +
                              std::to_string(rows_) + " x " + std::to_string(cols_) + " matrix");
  }

  const T* value_ = nullptr;
  std::uint32_t first_ = 0;
  detail::tape_id_t tape_id_ = 0;
  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 0;
};

template <class T, int C>
Eigen::Map<const typename basic_real_matrix<T, C>::value_type> value(
    const basic_real_matrix<T, C>& m) {
  return m.value();
}

// tape.variable("A", M) for an Eigen matrix (or expression) of numbers.
template <detail::eigen_numbers M>
struct tape_variable_traits<M> {
  using handle =
      basic_real_matrix<double, M::ColsAtCompileTime == 1 ? 1 : static_cast<int>(Eigen::Dynamic)>;
  template <class T>
  static auto make(basic_tape<T>& tape, std::string_view name, const M& m, trainable is_trainable,
                   const std::source_location& where) {
    using result = basic_real_matrix<T, M::ColsAtCompileTime == 1 ? 1 : Eigen::Dynamic>;
    return detail::matrix_access<T>::template variable<result>(tape, name, m, is_trainable, where);
  }
};

namespace detail {

// One operand of a matrix operation, whatever it was: a real_matrix, an
// Eigen matrix of numbers (a constant), a gg::real or a number (broadcast).
template <class T>
struct matrix_operand {
  const T* value = nullptr;
  Eigen::Index rows = 1;
  Eigen::Index cols = 1;
  std::uint32_t first = 0;
  std::uint32_t count = 0;  // 0: a constant, no adjoint
  tape_id_t tape_id = 0;
  bool scalar = false;  // broadcast over the other operand
  // A constant's value, evaluated; empty when value points at the caller's
  // matrix (read in place).
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> owned;
  T number{};
  Eigen::Index size() const noexcept { return rows * cols; }
  T operator[](Eigen::Index k) const { return scalar ? value[0] : value[k]; }
};

template <class T>
struct matrix_access {
  template <class Result, class M>
  static Result variable(basic_tape<T>& tape, std::string_view name, const M& m,
                         trainable is_trainable, const std::source_location& where) {
    const auto n = static_cast<std::size_t>(m.size());
    T* value = block_recorder<T>::allocate(tape, n);
    Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>(value, m.rows(), m.cols()) =
        m.template cast<T>();
    const std::uint32_t first = block_recorder<T>::variables(tape, name, n, is_trainable, where);
    return Result(value, first, tape.id(), m.rows(), m.cols());
  }

  template <int C>
  static matrix_operand<T> operand(const basic_real_matrix<T, C>& m) {
    matrix_operand<T> o;
    o.value = m.value_;
    o.rows = m.rows_;
    o.cols = m.cols_;
    o.first = m.first_;
    o.count = static_cast<std::uint32_t>(m.size());
    o.tape_id = m.tape_id_;
    return o;
  }
  template <eigen_numbers M>
  static matrix_operand<T> operand(const M& m) {
    matrix_operand<T> o;
    o.rows = m.rows();
    o.cols = m.cols();
    // A column-major matrix (or Map) of T is read in place for the length of
    // the operation; what a backward rule needs later is copied to the tape
    // (kept_value). Anything else (an expression, row-major storage, another
    // scalar type) is evaluated into an owned copy.
    if constexpr (std::is_same_v<typename M::Scalar, T> &&
                  (int(M::Flags) & Eigen::DirectAccessBit) != 0) {
      if (m.innerStride() == 1 && (m.cols() == 1 || m.outerStride() == m.rows()) &&
          (m.cols() == 1 || m.rows() == 1 || (int(M::Flags) & Eigen::RowMajorBit) == 0)) {
        o.value = m.data();
        return o;
      }
    }
    o.owned = m.template cast<T>();
    o.value = o.owned.data();
    return o;
  }
  static matrix_operand<T> operand(const basic_real<T>& r) {
    matrix_operand<T> o;
    o.number = r.value;
    o.scalar = true;
    if (r.on_tape()) {
      o.first = r.index();
      o.count = 1;
      o.tape_id = r.tape_id();
    }
    return o;
  }
  template <arithmetic A>
  static matrix_operand<T> operand(const A& a) {
    matrix_operand<T> o;
    o.number = static_cast<T>(a);
    o.scalar = true;
    return o;
  }
  // matrix_operand is returned by value: point value at the copy's own storage.
  static void settle(matrix_operand<T>& o) {
    if (o.scalar) o.value = &o.number;
    else if (o.count == 0 && o.owned.size() != 0) o.value = o.owned.data();
  }

  // The tape every operand on a tape is on (one; else gg::tape_mismatch).
  static basic_tape<T>& tape_of(std::string_view operation,
                                std::initializer_list<const matrix_operand<T>*> operands) {
    basic_tape<T>* tape = nullptr;
    tape_id_t id = 0;
    for (const auto* o : operands) {
      if (o->tape_id == 0) continue;
      basic_tape<T>* t = block_recorder<T>::find(o->tape_id);
      if (t == nullptr) detail::throw_stale(o->first);
      if (tape != nullptr && t != tape) throw tape->mismatch(o->first, o->tape_id);
      if (!o->scalar && o->first + o->count > t->size()) detail::throw_stale(o->first);
      tape = t;
      id = o->tape_id;
    }
    (void)id;
    if (tape == nullptr)
      throw std::invalid_argument(
          "gradguard: gg::" + std::string(operation) +
          ": no operand is recorded on a tape (an empty gg::real_matrix?); make matrices with "
          "tape.variable(\"name\", M), or compute with Eigen::MatrixXd when nothing is to be "
          "differentiated");
    return *tape;
  }

  template <class Result>
  static Result make(const T* value, std::uint32_t first, const basic_tape<T>& tape,
                     Eigen::Index rows, Eigen::Index cols) {
    return Result(value, first, tape.id(), rows, cols);
  }
};

template <class T>
using dynamic_matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

// ---------------------------------------------------------------------------
// Backward functions: each adds the adjoints of a block's operands.

// g * p, or 0 where the element is unused (g = 0): an elementwise block is n
// scalar statements, and one with a zero adjoint passes nothing on, even
// where its partial is infinite (sqrt at 0).
template <class T>
T chained(const T& g, const T& p) {
  return is_constant_zero(g) ? T(0) : g * p;
}

// C = op(A, B) elementwise, partials stored per element (nullptr: one).
template <class T>
void elementwise_backward(const block_operation<T>& op, T* adj) {
  const auto n = static_cast<std::size_t>(op.dims[0]);
  const T* g = adj + op.first;
  for (std::size_t k = 0; k < 2; ++k) {
    if (op.count[k] == 0) continue;
    T* d = adj + op.operand[k];
    const T* p = op.data[k];
    if (op.count[k] == n) {
      if (p != nullptr)
        for (std::size_t i = 0; i < n; ++i) d[i] += chained(g[i], p[i]);
      else
        for (std::size_t i = 0; i < n; ++i) d[i] += g[i];
    } else {  // a scalar broadcast over the matrix
      T s(0);
      if (p != nullptr)
        for (std::size_t i = 0; i < n; ++i) s += chained(g[i], p[i]);
      else
        for (std::size_t i = 0; i < n; ++i) s += g[i];
      d[0] += s;
    }
  }
}

// C = A B: dA += dC B^T, dB += A^T dC.
template <class T>
void product_backward(const block_operation<T>& op, T* adj) {
  using matrix = dynamic_matrix<T>;
  const auto m = op.dims[0], k = op.dims[1], n = op.dims[2];
  const Eigen::Map<const matrix> g(adj + op.first, m, n);
  if (op.count[0] != 0)
    Eigen::Map<matrix>(adj + op.operand[0], m, k).noalias() +=
        g * Eigen::Map<const matrix>(op.data[1], k, n).transpose();
  if (op.count[1] != 0)
    Eigen::Map<matrix>(adj + op.operand[1], k, n).noalias() +=
        Eigen::Map<const matrix>(op.data[0], m, k).transpose() * g;
}

// C = A^T: dA += dC^T.
template <class T>
void transpose_backward(const block_operation<T>& op, T* adj) {
  using matrix = dynamic_matrix<T>;
  const auto m = op.dims[0], n = op.dims[1];  // A is m x n
  Eigen::Map<matrix>(adj + op.operand[0], m, n) +=
      Eigen::Map<const matrix>(adj + op.first, n, m).transpose();
}

// y = sum(A) (dims[1] = 1) or mean(A) (dims[1] = n): dA += dy / dims[1].
template <class T>
void sum_backward(const block_operation<T>& op, T* adj) {
  const auto n = static_cast<std::size_t>(op.dims[0]);
  const T g = adj[op.first] / T(static_cast<double>(op.dims[1]));
  T* d = adj + op.operand[0];
  for (std::size_t i = 0; i < n; ++i) d[i] += g;
}

// y = prod(A): dA_i += dy prod_{j != i} A_j, the prefix product before i
// (data[1], kept at recording) times the suffix product after it: no
// division, so a zero element gets the product of the others.
template <class T>
void prod_backward(const block_operation<T>& op, T* adj) {
  const auto n = static_cast<std::size_t>(op.dims[0]);
  const T g = adj[op.first];
  const T* a = op.data[0];
  const T* prefix = op.data[1];
  T* d = adj + op.operand[0];
  T suffix(1);
  for (std::size_t i = n; i-- > 0;) {
    d[i] += g * (prefix[i] * suffix);
    suffix *= a[i];
  }
}

// y = sum(u .* v): du += dy v, dv += dy u.
template <class T>
void dot_backward(const block_operation<T>& op, T* adj) {
  const auto n = static_cast<std::size_t>(op.dims[0]);
  const T g = adj[op.first];
  for (std::size_t k = 0; k < 2; ++k) {
    if (op.count[k] == 0) continue;
    T* d = adj + op.operand[k];
    const T* other = op.data[1 - k];
    for (std::size_t i = 0; i < n; ++i) d[i] += g * other[i];
  }
}

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

// y = log(sum(exp(A))): dA += dy softmax(A) (data[0] holds the softmax,
// computed when the block was recorded).
template <class T>
void log_sum_exp_backward(const block_operation<T>& op, T* adj) {
  const auto n = static_cast<std::size_t>(op.dims[0]);
  const T g = adj[op.first];
  const T* softmax = op.data[0];
  T* d = adj + op.operand[0];
  for (std::size_t i = 0; i < n; ++i) d[i] += g * softmax[i];
}

// C = colwise sum of A (1 x n) or rowwise sum (m x 1); A is m x n.
template <class T>
void colwise_sum_backward(const block_operation<T>& op, T* adj) {
  using matrix = dynamic_matrix<T>;
  const auto m = op.dims[0], n = op.dims[1];
  const Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>> g(adj + op.first, n);
  Eigen::Map<matrix>(adj + op.operand[0], m, n).rowwise() += g;
}
template <class T>
void rowwise_sum_backward(const block_operation<T>& op, T* adj) {
  using matrix = dynamic_matrix<T>;
  const auto m = op.dims[0], n = op.dims[1];
  const Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>> g(adj + op.first, m);
  Eigen::Map<matrix>(adj + op.operand[0], m, n).colwise() += g;
}

// C = M + v 1^T (v added to every column): dM += dC, dv += rowwise sum of dC.
template <class T>
void colwise_add_backward(const block_operation<T>& op, T* adj) {
  using matrix = dynamic_matrix<T>;
  const auto m = op.dims[0], n = op.dims[1];
  const Eigen::Map<const matrix> g(adj + op.first, m, n);
  if (op.count[0] != 0) Eigen::Map<matrix>(adj + op.operand[0], m, n) += g;
  if (op.count[1] != 0)
    Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(adj + op.operand[1], m) += g.rowwise().sum();
}

// C = the rows of M_1, ..., M_r stacked (all of n columns): dM_i += its rows of dC.
template <class T>
void vstack_backward(const block_operation<T>& op, T* adj) {
  using matrix = dynamic_matrix<T>;
  const auto rows = op.dims[0], cols = op.dims[1];
  const Eigen::Map<const matrix> g(adj + op.first, rows, cols);
  Eigen::Index top = 0;
  for (std::uint32_t r = 0; r < op.range_count; ++r) {
    const Eigen::Index ri = static_cast<Eigen::Index>(op.ranges[2 * r + 1]) / cols;
    Eigen::Map<matrix>(adj + op.ranges[2 * r], ri, cols) += g.middleRows(top, ri);
    top += ri;
  }
}

// c_j = log(sum_i exp(A_ij)): dA_ij += dc_j exp(A_ij - c_j) (data[1] holds c),
// exactly 0 for a masked entry A_ij = -inf; a column whose c_j is infinite or
// NaN takes its softmax from log_sum_exp_with_softmax (exp(inf - inf) is NaN).
template <class T>
void colwise_log_sum_exp_backward(const block_operation<T>& op, T* adj) {
  using matrix = dynamic_matrix<T>;
  using std::isfinite;
  const auto m = op.dims[0], n = op.dims[1];
  const Eigen::Map<const matrix> a(op.data[0], m, n);
  const Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>> c(op.data[1], n);
  const Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>> g(adj + op.first, n);
  Eigen::Map<matrix> d(adj + op.operand[0], m, n);
  std::vector<T> softmax;
  for (Eigen::Index j = 0; j < n; ++j) {
    if (isfinite(c[j])) {  // (Eigen's exp of -inf is a tiny number, not 0)
      d.col(j).array() += g[j] * (a.col(j).array() == -std::numeric_limits<T>::infinity())
                                     .select(T(0), (a.col(j).array() - c[j]).exp());
    } else {
      softmax.resize(static_cast<std::size_t>(m));
      log_sum_exp_with_softmax(a.col(j).data(), softmax.size(), softmax.data());
      for (Eigen::Index i = 0; i < m; ++i) d(i, j) += g[j] * softmax[static_cast<std::size_t>(i)];
    }
  }
}

// ---------------------------------------------------------------------------
// Recording.

template <class T>
block_operation<T> make_operation(void (*backward)(const block_operation<T>&, T*), const char* name,
                                  const std::source_location& where) {
  block_operation<T> op;
  op.backward = backward;
  op.name = name;
  op.where = where;
  return op;
}

template <class T>
void set_operand(block_operation<T>& op, std::size_t k, const matrix_operand<T>& o) {
  op.operand[k] = o.first;
  op.count[k] = o.count;
}

// Where a backward rule reads an operand's value: a matrix variable's own
// (it stays until clear()), or a constant's copied to the tape's arena.
template <class T>
const T* kept_value(basic_tape<T>& tape, const matrix_operand<T>& o) {
  if (o.count != 0) return o.value;
  T* p = block_recorder<T>::allocate(tape, static_cast<std::size_t>(o.size()));
  std::copy(o.value, o.value + o.size(), p);
  return p;
}

template <class T>
std::string shape(const matrix_operand<T>& o) {
  return std::to_string(o.rows) + " x " + std::to_string(o.cols);
}

// Stores a partial per element unless it is structurally one.
template <class P>
inline constexpr bool stored_partial_v = !is_one_v<P>;

template <class Rule, class T>
auto record_elementwise(const char* name, matrix_operand<T> a, matrix_operand<T> b,
                        const std::source_location& where) {
  using access = matrix_access<T>;
  access::settle(a);
  access::settle(b);
  if (!a.scalar && !b.scalar && (a.rows != b.rows || a.cols != b.cols))
    throw std::invalid_argument(std::string("gradguard: gg::") + name + "(A, B): A is " + shape(a) +
                                " and B is " + shape(b) +
                                "; elementwise operations need operands of one shape");
  basic_tape<T>& tape = access::tape_of(name, {&a, &b});
  const matrix_operand<T>& shaped = a.scalar ? b : a;
  const Eigen::Index n = shaped.size();
  const auto count = static_cast<std::size_t>(n);
  using partials_type = decltype(Rule::partials(T(), T(), T()));
  using pa_type = std::remove_cvref_t<std::tuple_element_t<0, partials_type>>;
  using pb_type = std::remove_cvref_t<std::tuple_element_t<1, partials_type>>;
  T* out = block_recorder<T>::allocate(tape, count);
  T* pa = stored_partial_v<pa_type> && a.count ? block_recorder<T>::allocate(tape, count) : nullptr;
  T* pb = stored_partial_v<pb_type> && b.count ? block_recorder<T>::allocate(tape, count) : nullptr;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T av = a[i], bv = b[i];
    const T r = Rule::value(av, bv);
    out[i] = r;
    const auto p = Rule::partials(r, av, bv);
    if constexpr (stored_partial_v<pa_type>)
      if (pa) pa[i] = static_cast<T>(force(std::get<0>(p)));
    if constexpr (stored_partial_v<pb_type>)
      if (pb) pb[i] = static_cast<T>(force(std::get<1>(p)));
  }
  auto op = make_operation<T>(&elementwise_backward<T>, name, where);
  set_operand(op, 0, a);
  set_operand(op, 1, b);
  op.data = {pa, pb, nullptr};
  op.dims[0] = n;
  const std::uint32_t first = block_recorder<T>::record(tape, count, op);
  return std::tuple{out, first, &tape, shaped.rows, shaped.cols};
}

template <class Rule, class T>
auto record_unary(const char* name, matrix_operand<T> a, const std::source_location& where) {
  using access = matrix_access<T>;
  access::settle(a);
  basic_tape<T>& tape = access::tape_of(name, {&a});
  const Eigen::Index n = a.size();
  const auto count = static_cast<std::size_t>(n);
  using pa_type = std::remove_cvref_t<std::tuple_element_t<0, decltype(Rule::partials(T(), T()))>>;
  T* out = block_recorder<T>::allocate(tape, count);
  T* pa = stored_partial_v<pa_type> ? block_recorder<T>::allocate(tape, count) : nullptr;
  for (Eigen::Index i = 0; i < n; ++i) {
    const T av = a[i];
    const T r = Rule::value(av);
    out[i] = r;
    if constexpr (stored_partial_v<pa_type>)
      pa[i] = static_cast<T>(force(std::get<0>(Rule::partials(r, av))));
  }
  auto op = make_operation<T>(&elementwise_backward<T>, name, where);
  set_operand(op, 0, a);
  op.data = {pa, nullptr, nullptr};
  op.dims[0] = n;
  const std::uint32_t first = block_recorder<T>::record(tape, count, op);
  return std::tuple{out, first, &tape, a.rows, a.cols};
}

// The result type of an operation on A (and B): a vector when it has one
// column by type, else a matrix.
template <class A>
inline constexpr int cols_of_v = Eigen::Dynamic;
template <class T>
inline constexpr int cols_of_v<basic_real_matrix<T, 1>> = 1;
template <eigen_numbers M>
inline constexpr int cols_of_v<M> = M::ColsAtCompileTime == 1 ? 1 : Eigen::Dynamic;

template <class T, int Cols>
basic_real_matrix<T, Cols> handle(const auto& recorded) {
  const auto& [value, first, tape, rows, cols] = recorded;
  return matrix_access<T>::template make<basic_real_matrix<T, Cols>>(value, first, *tape, rows,
                                                                     cols);
}

// What may stand beside a real_matrix in an operation.
template <class X, class T>
concept matrix_operand_of =
    is_real_matrix_v<X> || eigen_numbers<X> || std::same_as<X, basic_real<T>> || arithmetic<X>;

template <class A, class B>
struct matrix_pair_scalar {
  using type = void;
};
template <class T, int C, class B>
struct matrix_pair_scalar<basic_real_matrix<T, C>, B> {
  using type = T;
};
template <class A, class T, int C>
requires(!is_real_matrix_v<A>) struct matrix_pair_scalar<A, basic_real_matrix<T, C>> {
  using type = T;
};
// An Eigen matrix of numbers (a constant) beside a gg::real (broadcast).
template <eigen_numbers M, class T>
struct matrix_pair_scalar<M, basic_real<T>> {
  using type = T;
};
template <class T, eigen_numbers M>
struct matrix_pair_scalar<basic_real<T>, M> {
  using type = T;
};
template <class A, class B>
using matrix_scalar_t = typename matrix_pair_scalar<A, B>::type;

// Operands of an operation that has at least one real_matrix.
template <class A, class B>
concept real_matrix_operands = (is_real_matrix_v<A> || is_real_matrix_v<B>)&&matrix_operand_of<
    A, matrix_scalar_t<A, B>>&& matrix_operand_of<B, matrix_scalar_t<A, B>>;

// Operands of an elementwise operation: those, or a constant matrix and a
// gg::real (y - mu for data y: one block, the gradient goes to mu only).
template <class A, class B>
concept elementwise_operands = real_matrix_operands<A, B> ||(eigen_numbers<A>&& is_real_v<B>) ||
                               (is_real_v<A> && eigen_numbers<B>);

}  // namespace detail

// ---------------------------------------------------------------------------
// Operations. Each records one block on the tape.

// The matrix product (as Eigen's operator*): A is m x k, B is k x n.
template <class A, class B>
requires detail::real_matrix_operands<A, B> &&
    (!arithmetic<A> && !arithmetic<B> && !detail::is_real_v<A> &&
     !detail::is_real_v<B>)auto product(const A& a, const B& b,
                                        const std::source_location& where =
                                            std::source_location::current()) {
  using T = detail::matrix_scalar_t<A, B>;
  using access = detail::matrix_access<T>;
  auto oa = access::operand(a);
  auto ob = access::operand(b);
  access::settle(oa);
  access::settle(ob);
  if (oa.cols != ob.rows)
    throw std::invalid_argument("gradguard: A * B: A is " + detail::shape(oa) + " and B is " +
                                detail::shape(ob) + "; a product needs A.cols() == B.rows()");
  basic_tape<T>& tape = access::tape_of("product", {&oa, &ob});
  // The backward rule reads both values; a constant's is copied to the tape.
  const T* av = detail::kept_value(tape, oa);
  const T* bv = detail::kept_value(tape, ob);
  const auto m = oa.rows, k = oa.cols, n = ob.cols;
  T* out = detail::block_recorder<T>::allocate(tape, static_cast<std::size_t>(m * n));
  using matrix = detail::dynamic_matrix<T>;
  Eigen::Map<matrix>(out, m, n).noalias() =
      Eigen::Map<const matrix>(av, m, k) * Eigen::Map<const matrix>(bv, k, n);
  auto op = detail::make_operation<T>(&detail::product_backward<T>, "product", where);
  detail::set_operand(op, 0, oa);
  detail::set_operand(op, 1, ob);
  op.data = {av, bv, nullptr};
  op.dims = {m, k, n, 0};
  const std::uint32_t first =
      detail::block_recorder<T>::record(tape, static_cast<std::size_t>(m * n), op);
  return access::template make<basic_real_matrix<T, detail::cols_of_v<B>>>(out, first, tape, m, n);
}

template <class A, class B>
requires detail::real_matrix_operands<A, B> &&
    (!arithmetic<A> && !arithmetic<B> && !detail::is_real_v<A> && !detail::is_real_v<B>)auto
    operator*(const A& a, const B& b) {
  return product(a, b, std::source_location());
}

// Elementwise arithmetic: matrices of one shape, or a matrix and a scalar
// (a number or a gg::real, broadcast).
// A^T.
template <class T, int C>
basic_real_matrix<T, Eigen::Dynamic> transpose(
    const basic_real_matrix<T, C>& a,
    const std::source_location& where = std::source_location::current()) {
  using access = detail::matrix_access<T>;
  auto o = access::operand(a);
  basic_tape<T>& tape = access::tape_of("transpose", {&o});
  const auto n = static_cast<std::size_t>(a.size());
  T* out = detail::block_recorder<T>::allocate(tape, n);
  using matrix = detail::dynamic_matrix<T>;
  Eigen::Map<matrix>(out, a.cols(), a.rows()) = a.value().transpose();
  auto op = detail::make_operation<T>(&detail::transpose_backward<T>, "transpose", where);
  detail::set_operand(op, 0, o);
  op.dims = {a.rows(), a.cols(), 0, 0};
  const std::uint32_t first = detail::block_recorder<T>::record(tape, n, op);
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, a.cols(),
                                                                     a.rows());
}

namespace detail {
template <class T>
basic_real<T> record_reduction(void (*backward)(const block_operation<T>&, T*), const char* name,
                               const T& value, std::initializer_list<const matrix_operand<T>*> os,
                               std::array<const T*, 3> data, std::array<std::int64_t, 4> dims,
                               const std::source_location& where) {
  basic_tape<T>& tape = matrix_access<T>::tape_of(name, os);
  auto op = make_operation<T>(backward, name, where);
  std::size_t k = 0;
  for (const auto* o : os) set_operand(op, k++, *o);
  op.data = data;
  op.dims = dims;
  const std::uint32_t first = block_recorder<T>::record(tape, 1, op);
  return block_recorder<T>::real(value, first, tape.id());
}
}  // namespace detail

// sum(A), mean(A): a gg::real.
template <class T, int C>
basic_real<T> sum(const basic_real_matrix<T, C>& a,
                  const std::source_location& where = std::source_location::current()) {
  auto o = detail::matrix_access<T>::operand(a);
  return detail::record_reduction<T>(&detail::sum_backward<T>, "sum", a.value().sum(), {&o}, {},
                                     {a.size(), 1, 0, 0}, where);
}
template <class T, int C>
basic_real<T> mean(const basic_real_matrix<T, C>& a,
                   const std::source_location& where = std::source_location::current()) {
  auto o = detail::matrix_access<T>::operand(a);
  if (a.size() == 0) throw std::invalid_argument("gradguard: gg::mean(A) of an empty matrix");
  return detail::record_reduction<T>(&detail::sum_backward<T>, "mean", a.value().mean(), {&o}, {},
                                     {a.size(), a.size(), 0, 0}, where);
}

// prod(A): a gg::real, the product of all elements (1 for an empty matrix).
// Keeps the prefix products (one number per element) for the adjoint rule.
template <class T, int C>
basic_real<T> prod(const basic_real_matrix<T, C>& a,
                   const std::source_location& where = std::source_location::current()) {
  auto o = detail::matrix_access<T>::operand(a);
  basic_tape<T>& tape = detail::matrix_access<T>::tape_of("prod", {&o});
  const auto n = static_cast<std::size_t>(a.size());
  T* prefix = detail::block_recorder<T>::allocate(tape, n);
  T value(1);
  for (std::size_t i = 0; i < n; ++i) {
    prefix[i] = value;
    value *= o.value[i];
  }
  return detail::record_reduction<T>(&detail::prod_backward<T>, "prod", value, {&o},
                                     {o.value, prefix, nullptr}, {a.size(), 0, 0, 0}, where);
}

// dot(u, v) = sum(u .* v) over all elements (u, v of one shape).
template <class A, class B>
requires detail::real_matrix_operands<A, B> &&
    (!arithmetic<A> && !arithmetic<B> && !detail::is_real_v<A> && !detail::is_real_v<B>)
        basic_real<detail::matrix_scalar_t<A, B>> dot(
            const A& a, const B& b,
            const std::source_location& where = std::source_location::current()) {
  using T = detail::matrix_scalar_t<A, B>;
  using access = detail::matrix_access<T>;
  auto oa = access::operand(a);
  auto ob = access::operand(b);
  access::settle(oa);
  access::settle(ob);
  if (oa.size() != ob.size())
    throw std::invalid_argument("gradguard: gg::dot(u, v): u is " + detail::shape(oa) +
                                " and v is " + detail::shape(ob) +
                                "; a dot product needs as many elements in both");
  basic_tape<T>& tape = access::tape_of("dot", {&oa, &ob});
  const T* av = detail::kept_value(tape, oa);
  const T* bv = detail::kept_value(tape, ob);
  using vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  const T value =
      Eigen::Map<const vector>(av, oa.size()).dot(Eigen::Map<const vector>(bv, oa.size()));
  return detail::record_reduction<T>(&detail::dot_backward<T>, "dot", value, {&oa, &ob},
                                     {av, bv, nullptr}, {oa.size(), 0, 0, 0}, where);
}

// squared_norm(A) = sum(A .* A): dA += 2 dy A.
template <class T, int C>
basic_real<T> squared_norm(const basic_real_matrix<T, C>& a,
                           const std::source_location& where = std::source_location::current()) {
  return dot(a, a, where);
}

// log_sum_exp(A) = log(sum(exp(A))), computed with the maximum shifted out.
template <class T, int C>
basic_real<T> log_sum_exp(const basic_real_matrix<T, C>& a,
                          const std::source_location& where = std::source_location::current()) {
  using std::exp;
  using std::log;
  if (a.size() == 0)
    throw std::invalid_argument("gradguard: gg::log_sum_exp(A) of an empty matrix");
  auto o = detail::matrix_access<T>::operand(a);
  basic_tape<T>& tape = detail::matrix_access<T>::tape_of("log_sum_exp", {&o});
  // exp once: the shifted exponentials become the softmax the backward rule reads.
  const auto n = static_cast<std::size_t>(a.size());
  T* softmax = detail::block_recorder<T>::allocate(tape, n);
  const T value = detail::log_sum_exp_with_softmax(a.value().data(), n, softmax);
  return detail::record_reduction<T>(&detail::log_sum_exp_backward<T>, "log_sum_exp", value, {&o},
                                     {softmax, nullptr, nullptr}, {a.size(), 0, 0, 0}, where);
}

// The sums of A's columns (a 1 x n matrix) and of its rows (a vector).
template <class T, int C>
basic_real_matrix<T, Eigen::Dynamic> colwise_sum(
    const basic_real_matrix<T, C>& a,
    const std::source_location& where = std::source_location::current()) {
  using access = detail::matrix_access<T>;
  auto o = access::operand(a);
  basic_tape<T>& tape = access::tape_of("colwise_sum", {&o});
  T* out = detail::block_recorder<T>::allocate(tape, static_cast<std::size_t>(a.cols()));
  Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>(out, a.cols()) = a.value().colwise().sum();
  auto op = detail::make_operation<T>(&detail::colwise_sum_backward<T>, "colwise_sum", where);
  detail::set_operand(op, 0, o);
  op.dims = {a.rows(), a.cols(), 0, 0};
  const std::uint32_t first =
      detail::block_recorder<T>::record(tape, static_cast<std::size_t>(a.cols()), op);
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, 1, a.cols());
}
template <class T, int C>
basic_real_matrix<T, 1> rowwise_sum(
    const basic_real_matrix<T, C>& a,
    const std::source_location& where = std::source_location::current()) {
  using access = detail::matrix_access<T>;
  auto o = access::operand(a);
  basic_tape<T>& tape = access::tape_of("rowwise_sum", {&o});
  T* out = detail::block_recorder<T>::allocate(tape, static_cast<std::size_t>(a.rows()));
  Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(out, a.rows()) = a.value().rowwise().sum();
  auto op = detail::make_operation<T>(&detail::rowwise_sum_backward<T>, "rowwise_sum", where);
  detail::set_operand(op, 0, o);
  op.dims = {a.rows(), a.cols(), 0, 0};
  const std::uint32_t first =
      detail::block_recorder<T>::record(tape, static_cast<std::size_t>(a.rows()), op);
  return access::template make<basic_real_matrix<T, 1>>(out, first, tape, a.rows(), 1);
}

// M + v 1^T: the vector v added to every column of M (a bias per row).
template <class M, class V>
requires detail::real_matrix_operands<M, V> &&
    (!arithmetic<M> && !arithmetic<V> && !detail::is_real_v<M> &&
     !detail::is_real_v<V>)auto colwise_add(const M& m, const V& v,
                                            const std::source_location& where =
                                                std::source_location::current()) {
  using T = detail::matrix_scalar_t<M, V>;
  using access = detail::matrix_access<T>;
  auto om = access::operand(m);
  auto ov = access::operand(v);
  access::settle(om);
  access::settle(ov);
  if (ov.cols != 1 || ov.rows != om.rows)
    throw std::invalid_argument("gradguard: gg::colwise_add(M, v): M is " + detail::shape(om) +
                                " and v is " + detail::shape(ov) + "; v must be a vector of " +
                                std::to_string(om.rows) + " elements (one per row of M)");
  basic_tape<T>& tape = access::tape_of("colwise_add", {&om, &ov});
  const auto n = static_cast<std::size_t>(om.size());
  T* out = detail::block_recorder<T>::allocate(tape, n);
  using matrix = detail::dynamic_matrix<T>;
  Eigen::Map<matrix>(out, om.rows, om.cols) =
      Eigen::Map<const matrix>(om.value, om.rows, om.cols).colwise() +
      Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(ov.value, ov.rows);
  auto op = detail::make_operation<T>(&detail::colwise_add_backward<T>, "colwise_add", where);
  detail::set_operand(op, 0, om);
  detail::set_operand(op, 1, ov);
  op.dims = {om.rows, om.cols, 0, 0};
  const std::uint32_t first = detail::block_recorder<T>::record(tape, n, op);
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, om.rows,
                                                                     om.cols);
}

// The rows of the matrices stacked, in order (as Eigen's `M << A, B;` with
// one matrix below the other): all must have the same number of columns.
template <class T, int C>
basic_real_matrix<T, Eigen::Dynamic> vstack(
    std::span<const basic_real_matrix<T, C>> parts,
    const std::source_location& where = std::source_location::current()) {
  using access = detail::matrix_access<T>;
  if (parts.empty()) throw std::invalid_argument("gradguard: gg::vstack(parts): no parts");
  std::vector<detail::matrix_operand<T>> operands;
  operands.reserve(parts.size());
  Eigen::Index rows = 0;
  const Eigen::Index cols = parts[0].cols();
  for (const auto& part : parts) {
    if (part.cols() != cols)
      throw std::invalid_argument("gradguard: gg::vstack(parts): part " +
                                  std::to_string(operands.size()) + " has " +
                                  std::to_string(part.cols()) + " columns and part 0 has " +
                                  std::to_string(cols) + "; stacked rows need equal columns");
    operands.push_back(access::operand(part));
    rows += part.rows();
  }
  basic_tape<T>* tape = nullptr;
  for (const auto& o : operands) tape = &access::tape_of("vstack", {&o});
  for (const auto& o : operands)
    if (&access::tape_of("vstack", {&o}) != tape) throw tape->mismatch(o.first, o.tape_id);
  const auto n = static_cast<std::size_t>(rows * cols);
  T* out = detail::block_recorder<T>::allocate(*tape, n);
  std::uint32_t* ranges = detail::block_recorder<T>::allocate_indices(*tape, 2 * operands.size());
  Eigen::Map<detail::dynamic_matrix<T>> stacked(out, rows, cols);
  Eigen::Index top = 0;
  for (std::size_t r = 0; r < operands.size(); ++r) {
    const auto& o = operands[r];
    stacked.middleRows(top, o.rows) =
        Eigen::Map<const detail::dynamic_matrix<T>>(o.value, o.rows, o.cols);
    top += o.rows;
    ranges[2 * r] = o.first;
    ranges[2 * r + 1] = o.count;
  }
  auto op = detail::make_operation<T>(&detail::vstack_backward<T>, "vstack", where);
  op.ranges = ranges;
  op.range_count = static_cast<std::uint32_t>(operands.size());
  op.dims = {rows, cols, 0, 0};
  const std::uint32_t first = detail::block_recorder<T>::record(*tape, n, op);
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, *tape, rows, cols);
}
template <class T, int C>
basic_real_matrix<T, Eigen::Dynamic> vstack(
    std::initializer_list<basic_real_matrix<T, C>> parts,
    const std::source_location& where = std::source_location::current()) {
  return vstack(std::span<const basic_real_matrix<T, C>>(parts.begin(), parts.size()), where);
}
template <class T, int C>
basic_real_matrix<T, Eigen::Dynamic> vstack(
    const std::vector<basic_real_matrix<T, C>>& parts,
    const std::source_location& where = std::source_location::current()) {
  return vstack(std::span<const basic_real_matrix<T, C>>(parts), where);
}

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
  auto o = access::operand(a);
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
  auto op = detail::make_operation<T>(&detail::colwise_log_sum_exp_backward<T>,
                                      "colwise_log_sum_exp", where);
  detail::set_operand(op, 0, o);
  op.data = {o.value, out, nullptr};
  op.dims = {a.rows(), a.cols(), 0, 0};
  const std::uint32_t first = detail::block_recorder<T>::record(tape, n, op);
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, 1, a.cols());
}

// From an Eigen matrix of gg::real: a copy statement per element.
template <class T, int Cols>
template <class D>
requires std::same_as<typename D::Scalar, basic_real<T>>
basic_real_matrix<T, Cols>::basic_real_matrix(const Eigen::MatrixBase<D>& reals,
                                              const std::source_location& where)
    : rows_(reals.rows()), cols_(reals.cols()) {
  if (Cols == 1 && reals.cols() != 1)
    throw std::invalid_argument("gradguard: gg::real_vector(m): m has " +
                                std::to_string(reals.cols()) + " columns, a vector has one");
  const typename D::PlainObject m = reals;
  basic_tape<T>* tape = nullptr;
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    if (!m(k).on_tape()) continue;
    basic_tape<T>* t = m(k).tape();
    if (t == nullptr) detail::throw_stale(m(k).index());
    if (tape != nullptr && t != tape) throw tape->mismatch(m(k));
    tape = t;
  }
  if (tape == nullptr)
    throw std::invalid_argument(
        "gradguard: gg::real_matrix(m): no element of m is recorded on a tape; use an "
        "Eigen::MatrixXd for a constant matrix (matrix operations take one directly)");
  T* value = detail::block_recorder<T>::allocate(*tape, static_cast<std::size_t>(m.size()));
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    value[k] = m(k).value;
    const basic_real<T> copy = tape->record(m(k), where);
    if (k == 0) first_ = copy.index();
  }
  value_ = value;
  tape_id_ = tape->id();
}

}  // namespace gradguard
