// IWYU pragma: private, include <gradguard/eigen.hpp>
// Jacobians and Hessians of generic functions of an Eigen vector.
//
//   auto f = [](const auto& x) { ... return y; };   // y: a vector (or a scalar)
//   Eigen::MatrixXd J = gg::jacobian(f, x);           // m x n
//   Eigen::MatrixXd H = gg::hessian(g, x);            // n x n, g scalar-valued
//
// fn is called with Eigen vectors of another scalar (gg::dual, gg::real), so
// write it generic: `const auto& x`, and the scalar as
// `typename std::decay_t<decltype(x)>::Scalar`.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include <gradguard/eigen/dual.hpp>
#include <gradguard/eigen/real.hpp>
#include <gradguard/forward.hpp>
#include <gradguard/tape/tape.hpp>

namespace gradguard {

namespace detail {

// The tangents carried by one forward pass: a Jacobian of n columns takes
// ceil(n / width) passes. Fixed widths keep the tangents in registers. Two
// widths: small_chunk for n <= 4, forward_chunk above. Each width is a
// separate instantiation of fn and of the tape over dual<double, width>
// (a Hessian at four widths was a third of eigen/drivers_test's compile
// time); the unused lanes of n < 4 cost a few multiplications each.
inline constexpr std::size_t small_chunk = 4;
inline constexpr std::size_t forward_chunk = 8;

template <class S>
using eigen_vector = Eigen::Matrix<S, Eigen::Dynamic, 1>;

// fn's result as a vector of S (a scalar result is a vector of one).
template <class S, class R>
eigen_vector<S> as_vector(const R& r) {
  if constexpr (requires {
                  r.size();
                  r(0);
                }) {
    eigen_vector<S> v(r.size());
    for (Eigen::Index i = 0; i < r.size(); ++i) v[i] = r(i);
    return v;
  } else {
    eigen_vector<S> v(1);
    if constexpr (is_real_v<S>) v[0] = recorded<typename S::value_type>(r);  // no header line
    else v[0] = r;
    return v;
  }
}

// J by forward passes, Width tangents at a time.
template <std::size_t Width, class Fn>
Eigen::MatrixXd forward_jacobian(Fn& fn, const Eigen::VectorXd& x, Eigen::Index m) {
  using D = dual<double, Width>;
  const Eigen::Index n = x.size();
  Eigen::MatrixXd J(m, n);
  eigen_vector<D> xd(n);
  for (Eigen::Index start = 0; start < n; start += static_cast<Eigen::Index>(Width)) {
    for (Eigen::Index j = 0; j < n; ++j) {
      xd[j] = D(x[j]);
      if (j >= start && j < start + static_cast<Eigen::Index>(Width))
        xd[j].tangent[static_cast<std::size_t>(j - start)] = 1.0;
    }
    const auto r = fn(static_cast<const eigen_vector<D>&>(xd));
    check_refers_inside(r, std::array{owned_storage(xd)}, "jacobian(fn, x)");
    const eigen_vector<D> y = as_vector<D>(r);
    if (y.size() != m)
      throw std::logic_error("gradguard::jacobian(fn, x): fn returned " + std::to_string(y.size()) +
                             " values with duals and " + std::to_string(m) +
                             " with doubles; it must return as many for any scalar type");
    for (Eigen::Index i = 0; i < m; ++i)
      for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(Width) && start + k < n; ++k)
        J(i, start + k) = y[i].tangent[static_cast<std::size_t>(k)];
  }
  return J;
}

// J by one recording on a tape and one reverse sweep per output.
template <class Fn>
Eigen::MatrixXd reverse_jacobian(Fn& fn, const Eigen::VectorXd& x) {
  tape t(check_finite, false);
  const std::vector<real> xs = t.variables("x", std::vector<double>(x.data(), x.data() + x.size()));
  eigen_vector<real> xr(x.size());
  for (Eigen::Index j = 0; j < x.size(); ++j) xr[j] = xs[static_cast<std::size_t>(j)];
  const eigen_vector<real> y = as_vector<real>(fn(static_cast<const eigen_vector<real>&>(xr)));
  const std::vector<real> ys(y.data(), y.data() + y.size());
  // An input that no output depends on is a column of true zeros here.
  const dense_matrix<double> j = t.jacobian(ys, xs, allow_unconnected);
  Eigen::MatrixXd J(static_cast<Eigen::Index>(j.rows), static_cast<Eigen::Index>(j.cols));
  for (std::size_t r = 0; r < j.rows; ++r)
    for (std::size_t c = 0; c < j.cols; ++c)
      J(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = j(r, c);
  return J;
}

template <std::size_t Width, class Fn>
Eigen::MatrixXd forward_over_reverse_hessian(Fn& fn, const Eigen::VectorXd& x,
                                             const std::source_location& where) {
  using S = dual<double, Width>;
  using R = basic_real<S>;
  const Eigen::Index n = x.size();
  Eigen::MatrixXd H(n, n);
  basic_tape<S> t(check_finite, false);
  std::vector<S> seeded(static_cast<std::size_t>(n));
  std::vector<R> xs(static_cast<std::size_t>(n));
  eigen_vector<R> xr(n);
  for (Eigen::Index start = 0; start < n; start += static_cast<Eigen::Index>(Width)) {
    t.clear();
    for (Eigen::Index j = 0; j < n; ++j) {
      seeded[static_cast<std::size_t>(j)] = S(x[j]);
      if (j >= start && j < start + static_cast<Eigen::Index>(Width))
        seeded[static_cast<std::size_t>(j)].tangent[static_cast<std::size_t>(j - start)] = 1.0;
    }
    t.variables("x", seeded, std::span<R>(xs), trainable::yes, where);  // the caller's line
    for (Eigen::Index j = 0; j < n; ++j) xr[j] = xs[static_cast<std::size_t>(j)];
    const R y = recorded<S>(fn(static_cast<const eigen_vector<R>&>(xr)), where);
    const auto g = t.gradient(y, xs);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(Width) && start + k < n; ++k)
        H(i, start + k) = g[static_cast<std::size_t>(i)].tangent[static_cast<std::size_t>(k)];
  }
  return H;
}

}  // namespace detail

// The m x n Jacobian of fn at x. With fewer outputs than inputs it records fn
// once on a tape and sweeps once per output (reverse mode); otherwise it runs
// fn with duals, eight inputs per pass (forward mode). fn is evaluated once
// with doubles first, to learn m.
template <class Fn, class D>
requires std::is_floating_point_v<typename D::Scalar> Eigen::MatrixXd jacobian(
    Fn&& fn, const Eigen::MatrixBase<D>& x) {
  static_assert(D::ColsAtCompileTime == 1,
                "gradguard::jacobian(fn, x): x must be a column vector (Eigen::VectorXd)");
  const Eigen::VectorXd xv = x.template cast<double>();
  const Eigen::Index m = detail::as_vector<double>(fn(xv)).size();
  const Eigen::Index n = xv.size();
  if (m < n) return detail::reverse_jacobian(fn, xv);
  if (n <= static_cast<Eigen::Index>(detail::small_chunk))
    return detail::forward_jacobian<detail::small_chunk>(fn, xv, m);
  return detail::forward_jacobian<detail::forward_chunk>(fn, xv, m);
}

// The n x n Hessian of a scalar fn at x, forward over reverse: fn is recorded
// on a tape whose values are duals (the tangents seeded with eight directions
// e_j at a time), and one reverse sweep gives the gradient with its
// directional derivatives, which are eight columns of the Hessian.
// ceil(n / 8) recordings and sweeps in all.
template <class Fn, class D>
requires std::is_floating_point_v<typename D::Scalar> Eigen::MatrixXd hessian(
    Fn&& fn, const Eigen::MatrixBase<D>& x,
    const std::source_location& where = std::source_location::current()) {
  static_assert(D::ColsAtCompileTime == 1,
                "gradguard::hessian(fn, x): x must be a column vector (Eigen::VectorXd)");
  const Eigen::VectorXd xv = x.template cast<double>();
  const Eigen::Index n = xv.size();
  if (n <= static_cast<Eigen::Index>(detail::small_chunk))
    return detail::forward_over_reverse_hessian<detail::small_chunk>(fn, xv, where);
  return detail::forward_over_reverse_hessian<detail::forward_chunk>(fn, xv, where);
}

}  // namespace gradguard
