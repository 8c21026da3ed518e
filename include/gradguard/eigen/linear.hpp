// IWYU pragma: private, include <gradguard/eigen.hpp>
// The linear-algebra operations of gg::real_matrix: the matrix product,
// the transpose, the dot product, a bias added to every column, rows
// stacked. Each records one block; its payload, with the backward function
// that reads it, is written beside it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <gradguard/eigen/operand.hpp>

namespace gradguard {

namespace detail {
// C = A B, A m x k, B k x n: dA += dC B^T, dB += A^T dC (values kept on the tape).
template <class T>
struct product_op {
  const T* a;
  const T* b;
  Eigen::Index m, k, n;

  static void backward(const block_operation<T>& op, const product_op& p, T* adj) {
    using matrix = dynamic_matrix<T>;
    const Eigen::Map<const matrix> g(adj + op.first, p.m, p.n);
    if (op.count[0] != 0)
      Eigen::Map<matrix>(adj + op.operand[0], p.m, p.k).noalias() +=
          g * Eigen::Map<const matrix>(p.b, p.k, p.n).transpose();
    if (op.count[1] != 0)
      Eigen::Map<matrix>(adj + op.operand[1], p.k, p.n).noalias() +=
          Eigen::Map<const matrix>(p.a, p.m, p.k).transpose() * g;
  }
};
}  // namespace detail

// The matrix product (as Eigen's operator*): A is m x k, B is k x n.
template <class A, class B>
requires detail::matrix_pair<A, B>
auto product(const A& a, const B& b,
             const std::source_location& where = std::source_location::current()) {
  using T = detail::matrix_scalar_t<A, B>;
  using access = detail::matrix_access<T>;
  auto oa = access::operand(a);
  auto ob = access::operand(b);
  if (oa.cols != ob.rows)
    detail::throw_shapes("A * B", "A", oa, "B", ob, "a product needs A.cols() == B.rows()");
  basic_tape<T>& tape = access::tape_of("product", {&oa, &ob});
  // The backward rule reads both values; a constant's is copied to the tape.
  const T* av = detail::kept_value(tape, oa);
  const T* bv = detail::kept_value(tape, ob);
  const auto m = oa.rows, k = oa.cols, n = ob.cols;
  T* out = detail::block_recorder<T>::allocate(tape, static_cast<std::size_t>(m * n));
  using matrix = detail::dynamic_matrix<T>;
  Eigen::Map<matrix>(out, m, n).noalias() =
      Eigen::Map<const matrix>(av, m, k) * Eigen::Map<const matrix>(bv, k, n);
  const std::uint32_t first =
      detail::record_operation(tape, "product", where, {&oa, &ob}, static_cast<std::size_t>(m * n),
                               detail::product_op<T>{av, bv, m, k, n});
  return access::template make<basic_real_matrix<T, detail::cols_of_v<B>>>(out, first, tape, m, n);
}

// A * B for matrices: the product (a scalar times a matrix is elementwise).
template <class A, class B>
requires detail::matrix_pair<A, B>
auto operator*(const A& a, const B& b) { return product(a, b, std::source_location()); }

namespace detail {
// C = A^T, A m x n: dA += dC^T.
template <class T>
struct transpose_op {
  Eigen::Index m, n;

  static void backward(const block_operation<T>& op, const transpose_op& p, T* adj) {
    using matrix = dynamic_matrix<T>;
    Eigen::Map<matrix>(adj + op.operand[0], p.m, p.n) +=
        Eigen::Map<const matrix>(adj + op.first, p.n, p.m).transpose();
  }
};
}  // namespace detail

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
  const std::uint32_t first = detail::record_operation(tape, "transpose", where, {&o}, n,
                                                       detail::transpose_op<T>{a.rows(), a.cols()});
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, a.cols(),
                                                                     a.rows());
}

namespace detail {
// y = sum(u .* v) of n elements: du += dy v, dv += dy u (values kept on the tape).
template <class T>
struct dot_op {
  const T* u;
  const T* v;
  std::size_t n;

  static void backward(const block_operation<T>& op, const dot_op& p, T* adj) {
    const T g = adj[op.first];
    for (std::size_t k = 0; k < 2; ++k) {
      if (op.count[k] == 0) continue;
      T* d = adj + op.operand[k];
      const T* other = k == 0 ? p.v : p.u;
      for (std::size_t i = 0; i < p.n; ++i) d[i] += g * other[i];
    }
  }
};
}  // namespace detail

// dot(u, v) = sum(u .* v) over all elements (u, v of one shape).
template <class A, class B>
requires detail::matrix_pair<A, B> basic_real<detail::matrix_scalar_t<A, B>> dot(
    const A& a, const B& b, const std::source_location& where = std::source_location::current()) {
  using T = detail::matrix_scalar_t<A, B>;
  using access = detail::matrix_access<T>;
  auto oa = access::operand(a);
  auto ob = access::operand(b);
  if (oa.size() != ob.size())
    detail::throw_shapes("gg::dot(u, v)", "u", oa, "v", ob,
                         "a dot product needs as many elements in both");
  basic_tape<T>& tape = access::tape_of("dot", {&oa, &ob});
  const T* av = detail::kept_value(tape, oa);
  const T* bv = detail::kept_value(tape, ob);
  using vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  const T value =
      Eigen::Map<const vector>(av, oa.size()).dot(Eigen::Map<const vector>(bv, oa.size()));
  const std::uint32_t first =
      detail::record_operation(tape, "dot", where, {&oa, &ob}, 1,
                               detail::dot_op<T>{av, bv, static_cast<std::size_t>(oa.size())});
  return detail::block_recorder<T>::real(value, first, tape.id());
}

// squared_norm(A) = sum(A .* A): dA += 2 dy A.
template <class T, int C>
basic_real<T> squared_norm(const basic_real_matrix<T, C>& a,
                           const std::source_location& where = std::source_location::current()) {
  return dot(a, a, where);
}

namespace detail {
// C = M + v 1^T, M m x n: dM += dC, dv += the row sums of dC.
template <class T>
struct colwise_add_op {
  Eigen::Index m, n;

  static void backward(const block_operation<T>& op, const colwise_add_op& p, T* adj) {
    using matrix = dynamic_matrix<T>;
    const Eigen::Map<const matrix> g(adj + op.first, p.m, p.n);
    if (op.count[0] != 0) Eigen::Map<matrix>(adj + op.operand[0], p.m, p.n) += g;
    if (op.count[1] != 0)
      Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, 1>>(adj + op.operand[1], p.m) +=
          g.rowwise().sum();
  }
};
}  // namespace detail

// M + v 1^T: the vector v added to every column of M (a bias per row).
template <class M, class V>
requires detail::matrix_pair<M, V>
auto colwise_add(const M& m, const V& v,
                 const std::source_location& where = std::source_location::current()) {
  using T = detail::matrix_scalar_t<M, V>;
  using access = detail::matrix_access<T>;
  auto om = access::operand(m);
  auto ov = access::operand(v);
  if (ov.cols != 1 || ov.rows != om.rows)
    detail::throw_shapes(
        "gg::colwise_add(M, v)", "M", om, "v", ov,
        "v must be a vector of " + std::to_string(om.rows) + " elements (one per row of M)");
  basic_tape<T>& tape = access::tape_of("colwise_add", {&om, &ov});
  const auto n = static_cast<std::size_t>(om.size());
  T* out = detail::block_recorder<T>::allocate(tape, n);
  using matrix = detail::dynamic_matrix<T>;
  Eigen::Map<matrix>(out, om.rows, om.cols) =
      Eigen::Map<const matrix>(om.value, om.rows, om.cols).colwise() +
      Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>>(ov.value, ov.rows);
  const std::uint32_t first = detail::record_operation(tape, "colwise_add", where, {&om, &ov}, n,
                                                       detail::colwise_add_op<T>{om.rows, om.cols});
  return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(out, first, tape, om.rows,
                                                                     om.cols);
}

namespace detail {
// C = the rows of M_1, ..., M_r stacked (all of n columns; the parts are the
// block's ranges): dM_i += its rows of dC.
template <class T>
struct vstack_op {
  Eigen::Index rows, cols;

  static void backward(const block_operation<T>& op, const vstack_op& p, T* adj) {
    using matrix = dynamic_matrix<T>;
    const Eigen::Map<const matrix> g(adj + op.first, p.rows, p.cols);
    Eigen::Index top = 0;
    for (std::uint32_t r = 0; r < op.range_count; ++r) {
      const Eigen::Index ri = static_cast<Eigen::Index>(op.ranges[2 * r + 1]) / p.cols;
      Eigen::Map<matrix>(adj + op.ranges[2 * r], ri, p.cols) += g.middleRows(top, ri);
      top += ri;
    }
  }
};
}  // namespace detail

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
  const std::uint32_t first =
      detail::record_operation(*tape, "vstack", where, {}, n, detail::vstack_op<T>{rows, cols},
                               std::span<const std::uint32_t>(ranges, 2 * operands.size()));
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

}  // namespace gradguard
