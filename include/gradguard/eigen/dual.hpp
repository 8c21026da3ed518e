// IWYU pragma: private, include <gradguard/eigen.hpp>
// gg::dual as an Eigen scalar (products, reductions, LLT, PartialPivLU,
// inverse, determinant), mixed with double without casts; Eigen vectors as
// arguments of gg::value_and_grad<gg::forward> and gg::jvp. Eigen's functors
// declare their result type as the scalar, so each expression of duals is
// evaluated where Eigen returns it; Eigen's math (numext::sqrt, abs,
// isfinite, ...) finds gradguard's functions by argument-dependent lookup.
#pragma once

#include <array>
#include <cstddef>
#include <stdexcept>
#include <type_traits>

#include <Eigen/Core>

#include <gradguard/forward.hpp>
#include <gradguard/forward/functional.hpp>

namespace Eigen {

template <class T, std::size_t N>
struct NumTraits<gradguard::dual<T, N>> : NumTraits<T> {
  using Real = gradguard::dual<T, N>;
  using NonInteger = Real;
  using Nested = Real;
  using Literal = typename NumTraits<T>::Literal;
  // An operation costs about one operation per tangent component.
  static constexpr int width_cost = N == gradguard::dynamic ? 8 : static_cast<int>(N);
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1 + width_cost,
    AddCost = (1 + width_cost) * NumTraits<T>::AddCost,
    MulCost = (1 + 2 * width_cost) * NumTraits<T>::MulCost,
  };
  static Real epsilon() { return NumTraits<T>::epsilon(); }
  static Real dummy_precision() { return NumTraits<T>::dummy_precision(); }
  static Real highest() { return NumTraits<T>::highest(); }
  static Real lowest() { return NumTraits<T>::lowest(); }
  static Real infinity() { return NumTraits<T>::infinity(); }
  static Real quiet_NaN() { return NumTraits<T>::quiet_NaN(); }
  static int digits10() { return NumTraits<T>::digits10(); }
};

// dual op double and double op dual give a dual: MatrixXd * Matrix<dual>.
template <class T, std::size_t N, class BinaryOp>
struct ScalarBinaryOpTraits<gradguard::dual<T, N>, T, BinaryOp> {
  using ReturnType = gradguard::dual<T, N>;
};
template <class T, std::size_t N, class BinaryOp>
struct ScalarBinaryOpTraits<T, gradguard::dual<T, N>, BinaryOp> {
  using ReturnType = gradguard::dual<T, N>;
};

namespace internal {
// The general matrix product kernel with a dual left and a double right
// operand: without FMA, Eigen's generic madd computes a * b into a temporary
// of the right operand's type (double), which cannot hold a dual (Ceres' Jet
// fails the same way). This madd accumulates c += a * b directly; the rest
// is Eigen's own traits (PacketSize + 16 selects the primary template).
template <class T, std::size_t N, bool ConjLhs, bool ConjRhs, int Arch, int PacketSize>
requires(PacketSize <
         16) class gebp_traits<gradguard::dual<T, N>, T, ConjLhs, ConjRhs, Arch, PacketSize>
    : public gebp_traits<gradguard::dual<T, N>, T, ConjLhs, ConjRhs, Arch, PacketSize + 16> {
  using base = gebp_traits<gradguard::dual<T, N>, T, ConjLhs, ConjRhs, Arch, PacketSize + 16>;

 public:
  template <class LhsPacketType, class RhsPacketType, class AccPacketType, class LaneIdType>
  EIGEN_STRONG_INLINE void madd(const LhsPacketType& a, const RhsPacketType& b, AccPacketType& c,
                                RhsPacketType&, const LaneIdType&) const {
    c += a * b;
  }
  template <class LhsPacketType, class AccPacketType, class LaneIdType>
  EIGEN_STRONG_INLINE void madd(const LhsPacketType& a, const typename base::RhsPacketx4& b,
                                AccPacketType& c, typename base::RhsPacket& tmp,
                                const LaneIdType& lane) const {
    madd(a, b.get(lane), c, tmp, lane);
  }
};

// A product's scale factor alpha (a dual: the result's scalar) converted to a
// double operand's type, in matrix-vector products with a double vector. It
// is 1, or a factor Eigen extracted from a scaled operand; a factor with a
// tangent cannot become a double without losing it, so that is an error.
template <class T, std::size_t N>
struct get_factor<gradguard::dual<T, N>, T> {
  static T run(const gradguard::dual<T, N>& x) {
    for (const auto& t : x.tangent)
      if (t != T(0))
        throw std::domain_error(
            "gradguard: an Eigen product of duals and doubles would drop the tangent of its "
            "scale factor; evaluate the scaled operand first (.eval())");
    return x.value;
  }
};
}  // namespace internal

}  // namespace Eigen

namespace gradguard {

// A vector or matrix argument: one tangent per element, in storage order (column by
// column by default); fn sees a matrix of gg::dual<double, gg::dynamic>.
template <class T, int Rows, int Cols, int Options, int MaxRows, int MaxCols>
struct forward_argument<Eigen::Matrix<T, Rows, Cols, Options, MaxRows, MaxCols>> {
  using matrix = Eigen::Matrix<T, Rows, Cols, Options, MaxRows, MaxCols>;
  static std::size_t size(const matrix& a) { return static_cast<std::size_t>(a.size()); }
  template <std::size_t N>
  static Eigen::Matrix<dual<double, N>, Rows, Cols, Options, MaxRows, MaxCols> make(
      const matrix& a, std::size_t offset, std::size_t n) {
    static_assert(N == dynamic);
    Eigen::Matrix<dual<double, N>, Rows, Cols, Options, MaxRows, MaxCols> d;
    d.resize(a.rows(), a.cols());  // not d(rows, cols): a fixed 1 x 2 would take them as values
    for (Eigen::Index i = 0; i < a.size(); ++i)
      d.data()[i] = dual<double, N>::variable(static_cast<double>(a.data()[i]),
                                              offset + static_cast<std::size_t>(i), n);
    return d;
  }
  template <class D>
  static const D& pass(const D& d) {
    return d;
  }
  template <class Tangent>
  static matrix gradient(const matrix& a, const Tangent& t, std::size_t offset) {
    matrix g;
    g.resize(a.rows(), a.cols());
    for (Eigen::Index i = 0; i < a.size(); ++i)
      g.data()[i] = static_cast<T>(detail::component(t, offset + static_cast<std::size_t>(i)));
    return g;
  }
};

// gg::jvp(fn, x, v) with Eigen vectors: fn takes a
// const Eigen::Matrix<gg::dual<double>, Eigen::Dynamic, 1>& and returns a
// dual or an Eigen vector expression of duals (then value and tangent are
// Eigen::VectorXd).
template <class Fn>
auto jvp(Fn&& fn, const Eigen::VectorXd& x, const Eigen::VectorXd& v) {
  detail::check_jvp_sizes(static_cast<std::size_t>(x.size()), static_cast<std::size_t>(v.size()));
  Eigen::Matrix<dual<double>, Eigen::Dynamic, 1> xd(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) xd[i] = dual<double>(x[i], {v[i]});
  const auto& y = fn(static_cast<const Eigen::Matrix<dual<double>, Eigen::Dynamic, 1>&>(xd));
  using Y = std::remove_cvref_t<decltype(y)>;
  if constexpr (dual_like<Y>) {
    detail::check_refers_inside(y, std::array{detail::owned_storage(xd)}, "jvp(fn, x, v)");
    return detail::jvp_output(y);
  } else {
    static_assert(std::is_base_of_v<Eigen::DenseBase<Y>, Y>,
                  "gradguard::jvp(fn, x, v): with Eigen vectors, fn must return a gg::dual or an "
                  "Eigen vector expression of duals");
    const Eigen::Matrix<dual<double>, Eigen::Dynamic, 1> yd = y;
    jvp_result<Eigen::VectorXd> r{Eigen::VectorXd(yd.size()), Eigen::VectorXd(yd.size())};
    for (Eigen::Index i = 0; i < yd.size(); ++i) {
      r.value[i] = gradguard::value(yd[i]);
      r.tangent[i] = gradguard::tangent(yd[i])[0];
    }
    return r;
  }
}

}  // namespace gradguard
