// IWYU pragma: private, include <gradguard/eigen.hpp>
// Jacobians and Hessians of generic functions of an Eigen vector: the
// drivers of <gradguard/derivatives.hpp> (the same algorithms) with Eigen
// types.
//
//   auto f = [](const auto& x) { ... return y; };   // y: a vector (or a scalar)
//   Eigen::MatrixXd J = gg::jacobian(f, x);           // m x n
//   Eigen::MatrixXd H = gg::hessian(g, x);            // n x n, g scalar-valued
//
// fn is called with Eigen vectors of another scalar (gg::dual, gg::real), so
// write it generic: `const auto& x`, and the scalar as
// `typename std::decay_t<decltype(x)>::Scalar`.
#pragma once

#include <cstddef>
#include <source_location>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include <gradguard/derivatives.hpp>
#include <gradguard/eigen/dual.hpp>  // Eigen::NumTraits of the scalars fn is called with
#include <gradguard/eigen/real.hpp>

namespace gradguard {

namespace detail {

template <class S>
using eigen_vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;

// The drivers for an Eigen vector x: fn takes a const Eigen vector of S.
struct eigen_derivatives {
  template <class S>
  static eigen_vector<S> argument(const std::vector<S>& x) {
    eigen_vector<S> v(static_cast<Eigen::Index>(x.size()));
    for (std::size_t j = 0; j < x.size(); ++j) v[static_cast<Eigen::Index>(j)] = x[j];
    return v;
  }
  static Eigen::MatrixXd matrix(std::size_t rows, std::size_t cols) {
    return Eigen::MatrixXd(static_cast<Eigen::Index>(rows), static_cast<Eigen::Index>(cols));
  }
  static double& at(Eigen::MatrixXd& m, std::size_t i, std::size_t j) {
    return m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
  }
};

template <class D>
std::vector<double> as_doubles(const Eigen::MatrixBase<D>& x) {
  static_assert(D::ColsAtCompileTime == 1,
                "gradguard::jacobian(fn, x) and gradguard::hessian(fn, x): x must be a column "
                "vector (Eigen::VectorXd)");
  std::vector<double> v(static_cast<std::size_t>(x.size()));
  for (Eigen::Index j = 0; j < x.size(); ++j) v[static_cast<std::size_t>(j)] = double(x[j]);
  return v;
}

}  // namespace detail

// The m x n Jacobian of fn at x (the algorithms: <gradguard/derivatives.hpp>).
template <class Fn, class D>
requires std::is_floating_point_v<typename D::Scalar> Eigen::MatrixXd jacobian(
    Fn&& fn, const Eigen::MatrixBase<D>& x) {
  return detail::jacobian<detail::eigen_derivatives>(fn, detail::as_doubles(x));
}

// The n x n Hessian of a scalar fn at x, forward over reverse
// (<gradguard/derivatives.hpp>). A variable fn does not use throws
// gg::missing_gradient naming the caller's line (`where`).
template <class Fn, class D>
requires std::is_floating_point_v<typename D::Scalar> Eigen::MatrixXd hessian(
    Fn&& fn, const Eigen::MatrixBase<D>& x,
    const std::source_location& where = std::source_location::current()) {
  return detail::hessian<detail::eigen_derivatives>(fn, detail::as_doubles(x), where);
}

}  // namespace gradguard
