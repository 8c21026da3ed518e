// IWYU pragma: private, include <gradguard/eigen.hpp>
// How a gg::real_matrix operation records its block: its operands, whatever
// they are (matrix_operand), the tape they are on, and one builder,
// record_operation, that every operation calls with its payload. The operations
// themselves (eigen/elementwise.hpp, eigen/linear.hpp, eigen/reductions.hpp)
// each define a payload struct whose static backward function sits beside
// the code that records it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include <gradguard/eigen/matrix.hpp>
#include <gradguard/tape/block.hpp>
#include <gradguard/tape/tape.hpp>

namespace gradguard::detail {

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

  // A copy's value points at its own number or owned matrix where the
  // original's pointed at its own: operands are returned and stored by value.
  matrix_operand() = default;
  matrix_operand(const matrix_operand& o) : matrix_operand(o, o.owned, storage_of(o)) {}
  matrix_operand(matrix_operand&& o) noexcept
      : matrix_operand(o, std::move(o.owned), storage_of(o)) {}
  matrix_operand& operator=(const matrix_operand&) = delete;
  matrix_operand& operator=(matrix_operand&&) = delete;
  ~matrix_operand() = default;

 private:
  enum class storage { elsewhere, number, owned };
  static storage storage_of(const matrix_operand& o) noexcept {
    if (o.value == &o.number) return storage::number;
    if (o.owned.size() != 0 && o.value == o.owned.data()) return storage::owned;
    return storage::elsewhere;
  }
  template <class Owned>
  matrix_operand(const matrix_operand& o, Owned&& own, storage where)
      : value(o.value),
        rows(o.rows),
        cols(o.cols),
        first(o.first),
        count(o.count),
        tape_id(o.tape_id),
        scalar(o.scalar),
        owned(std::forward<Owned>(own)),
        number(o.number) {
    if (where == storage::number) value = &number;
    if (where == storage::owned) value = owned.data();
  }
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
    o.value = &o.number;
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
    o.value = &o.number;
    o.scalar = true;
    return o;
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

// Records one operation on the tape of its operands: `outputs` values (already
// computed into the tape's arena by the caller), the operands whose adjoints
// its backward function adds to (at most three; more as `ranges`, pairs of
// first value and count), and its payload P, which P::backward reads back in
// the sweep. Returns the index of the first output.
template <class P, class T>
std::uint32_t record_operation(basic_tape<T>& tape, const char* name,
                               const std::source_location& where,
                               std::initializer_list<const matrix_operand<T>*> operands,
                               std::size_t outputs, const P& payload,
                               std::span<const std::uint32_t> ranges = {}) {
  if (operands.size() > block_operation<T>::max_operands)
    throw std::logic_error("gradguard: a block has at most 3 operands; pass more as ranges");
  return block_recorder<T>::record(tape, outputs, [&](block_operation<T>& op) noexcept {
    op.name = name;
    op.where = where;
    std::size_t k = 0;
    for (const auto* o : operands) {
      op.operand[k] = o->first;
      op.count[k] = o->count;
      ++k;
    }
    op.ranges = ranges.data();
    op.range_count = static_cast<std::uint32_t>(ranges.size() / 2);
    op.set_payload(payload);
  });
}

// g * p, or 0 where the element is unused (g = 0): an elementwise block is n
// scalar statements, and one with a zero adjoint passes nothing on, even
// where its partial is infinite (sqrt at 0).
template <class T>
T chained(const T& g, const T& p) {
  return is_constant_zero(g) ? T(0) : g * p;
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

// The error of an operation on two operands of shapes it cannot take, in one
// form: "gradguard: gg::dot(u, v): u is 2 x 1 and v is 3 x 1; <need>".
template <class T>
[[noreturn]] void throw_shapes(std::string_view call, std::string_view a_name,
                               const matrix_operand<T>& a, std::string_view b_name,
                               const matrix_operand<T>& b, std::string_view need) {
  throw std::invalid_argument("gradguard: " + std::string(call) + ": " + std::string(a_name) +
                              " is " + shape(a) + " and " + std::string(b_name) + " is " +
                              shape(b) + "; " + std::string(need));
}

// The result type of an operation on A (and B): a vector when it has one
// column by type, else a matrix.
template <class A>
inline constexpr int cols_of_v = Eigen::Dynamic;
template <class T>
inline constexpr int cols_of_v<basic_real_matrix<T, 1>> = 1;
template <eigen_numbers M>
inline constexpr int cols_of_v<M> = M::ColsAtCompileTime == 1 ? 1 : Eigen::Dynamic;

// The handle of a recorded matrix result.
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

// Operands of a linear-algebra operation (product, dot, colwise_add): two
// matrices, at least one a real_matrix (no scalar: that is elementwise).
template <class A, class B>
concept matrix_pair = real_matrix_operands<A, B> && !arithmetic<A> && !arithmetic<B> &&
                      !is_real_v<A> && !is_real_v<B>;

// Operands of an elementwise operation: those, or a constant matrix and a
// gg::real (y - mu for data y: one block, the gradient goes to mu only).
template <class A, class B>
concept elementwise_operands = real_matrix_operands<A, B> ||(eigen_numbers<A>&& is_real_v<B>) ||
                               (is_real_v<A> && eigen_numbers<B>);

}  // namespace gradguard::detail
