// IWYU pragma: private, include <gradguard/eigen.hpp>
// gg::real_matrix and gg::real_vector: matrix-valued tape variables. A
// matrix operation is recorded as one block with a matrix adjoint rule
// (dA += dC * B^T, dB += A^T * dC for C = A * B) instead of one statement
// per scalar operation: a K x K product costs three products, not K^3
// recorded multiply-adds. Elementwise functions take their value and partials
// from the same rule table as every other engine.
//
// This header holds the handle; eigen/operand.hpp how an operation records
// its block; the operations, each with its backward function beside it, are
// in eigen/elementwise.hpp, eigen/linear.hpp and eigen/reductions.hpp.
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

#include <cstddef>
#include <cstdint>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include <gradguard/eigen/real.hpp>
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

// A matrix of reals on a tape (Cols = 1: a column vector): a small handle to values and adjoints
// the tape keeps, valid until tape.clear(), like a gg::real. Made by tape.variable("A", M) or by an
// operation; gg::real_matrix and gg::real_vector are the double ones.
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
  detail::value_range<T> tape_values() const noexcept {
    return {first_, static_cast<std::uint32_t>(size()), tape_id_};
  }
  [[deprecated("renamed tape_values()")]] detail::value_range<T> tape_block() const noexcept {
    return tape_values();
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

// gg::value(A): A's value, read-only (as A.value()).
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
    const basic_real<T> copy = tape->record_statement(m(k), where);
    if (k == 0) first_ = copy.index();
  }
  value_ = value;
  tape_id_ = tape->id();
}

}  // namespace gradguard
