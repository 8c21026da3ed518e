// IWYU pragma: private, include <gradguard/eigen.hpp>
// gg::real as an Eigen scalar, and Eigen vectors as arguments of
// gg::value_and_grad<gg::taped>. Every Eigen operation on gg::real records
// scalar statements; its result type is gg::real (Eigen's functors declare
// their result type, so an expression node is recorded where it is returned).
// Eigen's math (numext::exp, sqrt, abs, maxi, isfinite, ...) calls the
// function unqualified after `using std::f;`, so it finds gg::exp etc. by
// argument-dependent lookup. Products, reductions, LLT, LDLT, PartialPivLU,
// FullPivLU, HouseholderQR, inverse() and determinant() work on
// Eigen::Matrix<gg::real, ...>, and matrices of double mix with matrices of
// gg::real in sums and products without a cast.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/LU>  // determinant_impl, specialised below

#include <gradguard/expr/node.hpp>
#include <gradguard/tape/functional.hpp>
#include <gradguard/tape/tape.hpp>

namespace gradguard::detail {
// A product of a matrix of gg::real and a matrix of plain numbers.
template <class L, class R>
inline constexpr bool is_mixed_real_product_v =
    is_real_v<typename L::Scalar> != is_real_v<typename R::Scalar>;
}  // namespace gradguard::detail

namespace Eigen {

template <class T>
struct NumTraits<gradguard::basic_real<T>> : NumTraits<T> {
  using Real = gradguard::basic_real<T>;
  using NonInteger = Real;
  using Nested = Real;
  using Literal = T;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1,
    AddCost = 3,
    MulCost = 3,
  };
  // Constants, on no tape.
  static Real epsilon() { return NumTraits<T>::epsilon(); }
  static Real dummy_precision() { return NumTraits<T>::dummy_precision(); }
  static Real highest() { return NumTraits<T>::highest(); }
  static Real lowest() { return NumTraits<T>::lowest(); }
  static Real infinity() { return NumTraits<T>::infinity(); }
  static Real quiet_NaN() { return NumTraits<T>::quiet_NaN(); }
  static int digits() { return NumTraits<T>::digits(); }
  static int digits10() { return NumTraits<T>::digits10(); }
  static int max_digits10() { return std::numeric_limits<T>::max_digits10; }
};

template <class T, class BinaryOp>
struct ScalarBinaryOpTraits<gradguard::basic_real<T>, T, BinaryOp> {
  using ReturnType = gradguard::basic_real<T>;
};
template <class T, class BinaryOp>
struct ScalarBinaryOpTraits<T, gradguard::basic_real<T>, BinaryOp> {
  using ReturnType = gradguard::basic_real<T>;
};

namespace internal {

// `-h * v` in Eigen's Householder code: the scalar is an expression of
// gg::real. It converts to a number only to say that it must not (a
// static_assert), which Eigen's is_convertible takes for a yes: promote it to
// the matrix's scalar instead (recorded once, as a gg::real).
template <class T, class Rule, class... Args>
struct promote_scalar_arg<gradguard::basic_real<T>, gradguard::node<Rule, Args...>, false> {
  using type = gradguard::basic_real<T>;
};

// A matrix of double times a matrix of gg::real (or the reverse): Eigen's
// GEMM and GEMV kernels convert the scale factor alpha to the right-hand
// scalar (a gg::real to double would cut its gradient) and add packets of
// the two scalar types. Evaluate the product coefficient by coefficient,
// as Eigen itself does for small sizes.
template <class Lhs, class Rhs>
struct gradguard_mixed_product
    : generic_product_impl<Lhs, Rhs, DenseShape, DenseShape, CoeffBasedProductMode> {
  using Scalar = typename Product<Lhs, Rhs>::Scalar;
  template <class Dst>
  static void scaleAndAddTo(Dst& dst, const Lhs& lhs, const Rhs& rhs, const Scalar& alpha) {
    call_assignment_no_alias(dst, alpha * lhs.lazyProduct(rhs),
                             add_assign_op<typename Dst::Scalar, Scalar>());
  }
};
template <class Lhs, class Rhs>
requires gradguard::detail::is_mixed_real_product_v<Lhs, Rhs>
struct generic_product_impl<Lhs, Rhs, DenseShape, DenseShape, GemmProduct>
    : gradguard_mixed_product<Lhs, Rhs> {
};
template <class Lhs, class Rhs>
requires gradguard::detail::is_mixed_real_product_v<Lhs, Rhs>
struct generic_product_impl<Lhs, Rhs, DenseShape, DenseShape, GemvProduct>
    : gradguard_mixed_product<Lhs, Rhs> {
};

// Eigen's 4x4 determinant calls internal::pmadd(-a, d, b * c), a template
// of one type, with an expression, a gg::real and an expression. The same
// cofactor expansion, recorded as one statement per minor.
template <class Derived>
requires gradguard::detail::is_real_v<typename Derived::Scalar>
struct determinant_impl<Derived, 4> {
  using Scalar = typename Derived::Scalar;
  static Scalar run(const Derived& m) {
    const Scalar d2_01 = det2(m, 0, 1);
    const Scalar d2_02 = det2(m, 0, 2);
    const Scalar d2_03 = det2(m, 0, 3);
    const Scalar d2_12 = det2(m, 1, 2);
    const Scalar d2_13 = det2(m, 1, 3);
    const Scalar d2_23 = det2(m, 2, 3);
    const Scalar d3_0 = det3(m, 1, d2_23, 2, d2_13, 3, d2_12);
    const Scalar d3_1 = det3(m, 0, d2_23, 2, d2_03, 3, d2_02);
    const Scalar d3_2 = det3(m, 0, d2_13, 1, d2_03, 3, d2_01);
    const Scalar d3_3 = det3(m, 0, d2_12, 1, d2_02, 2, d2_01);
    return m(1, 3) * d3_1 - m(0, 3) * d3_0 + m(3, 3) * d3_3 - m(2, 3) * d3_2;
  }
  static Scalar det2(const Derived& m, Index i0, Index i1) {
    return m(i0, 0) * m(i1, 1) - m(i1, 0) * m(i0, 1);
  }
  static Scalar det3(const Derived& m, Index i0, const Scalar& d0, Index i1, const Scalar& d1,
                     Index i2, const Scalar& d2) {
    return m(i0, 2) * d0 - m(i1, 2) * d1 + m(i2, 2) * d2;
  }
};

}  // namespace internal
}  // namespace Eigen

namespace gradguard {

// Tests of the value, found by Eigen's numext::isfinite etc. (allFinite(),
// hasNaN()): a bool, which carries no derivative.
template <class T>
bool isfinite(const basic_real<T>& x) {
  using std::isfinite;
  return isfinite(x.value);
}
// std::isnan and std::isinf of a gg::real's value (for Eigen's algorithms, which ask).
template <class T>
bool isnan(const basic_real<T>& x) {
  using std::isnan;
  return isnan(x.value);
}
template <class T>
bool isinf(const basic_real<T>& x) {
  using std::isinf;
  return isinf(x.value);
}

// gg::value(m): the values of a matrix or array of gg::real (or of an
// expression of them, which is evaluated, and recorded, first), as a matrix
// or array of numbers of the same shape, as gg::value(r) for one real.
template <class M>
requires std::derived_from<M, Eigen::DenseBase<M>> && detail::is_real_v<typename M::Scalar>
auto value(const M& m) {
  using T = typename M::Scalar::value_type;
  return m.unaryExpr([](const basic_real<T>& r) { return r.value; }).eval();
}

// A vector or matrix argument: one variable per element, named "arg1[k]" in storage
// order (column by column by default); fn sees a matrix of gg::real.
template <class T, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
struct taped_argument<Eigen::Matrix<T, Rows, Cols, Options, MaxRows, MaxCols>> {
  using matrix = Eigen::Matrix<T, Rows, Cols, Options, MaxRows, MaxCols>;
  using real_elements = Eigen::Matrix<real, Rows, Cols, Options, MaxRows, MaxCols>;
  static real_elements make(tape& t, const std::string& name, const matrix& a) {
    real_elements r;
    r.resize(a.rows(), a.cols());  // not r(rows, cols): a fixed 1 x 2 would take them as values
    t.variables(name, std::span<const T>(a.data(), static_cast<std::size_t>(a.size())),
                std::span<real>(r.data(), static_cast<std::size_t>(r.size())));
    return r;
  }
  static void reals(const real_elements& r, std::vector<real>& out) {
    out.insert(out.end(), r.data(), r.data() + r.size());
  }
  static matrix gradient(const matrix& a, std::span<const double> g) {
    matrix m;
    m.resize(a.rows(), a.cols());
    for (Eigen::Index i = 0; i < a.size(); ++i)
      m.data()[i] = static_cast<T>(g[static_cast<std::size_t>(i)]);
    return m;
  }
};

}  // namespace gradguard
