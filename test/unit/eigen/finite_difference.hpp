// A check shared by the linear algebra tests of Eigen::Matrix<gg::real>:
// the same generic function is run on doubles and on gg::real; its values
// must agree, and its Jacobian from the tape must agree with central finite
// differences of the double version.
#pragma once

#include <gradguard/eigen.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <type_traits>
#include <vector>

namespace gg = gradguard;

namespace gradguard_test {

template <class S>
using mat = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
template <class S>
using vec = Eigen::Matrix<S, Eigen::Dynamic, 1>;

// The scalar type of the elements of x (double or gg::real).
template <class X>
using scalar_of = std::remove_cvref_t<decltype(std::declval<const X&>()[0])>;

// A fixed-size matrix from x[offset...], column by column.
template <int R, int C, class S>
Eigen::Matrix<S, R, C> fixed(const std::vector<S>& x, std::size_t offset = 0) {
  return Eigen::Map<const Eigen::Matrix<S, R, C>>(x.data() + offset);
}
// A dynamic matrix from x[offset...], column by column.
template <class S>
mat<S> dynamic(const std::vector<S>& x, Eigen::Index rows, Eigen::Index cols,
               std::size_t offset = 0) {
  return Eigen::Map<const mat<S>>(x.data() + offset, rows, cols);
}

// A dynamic column vector from x[offset...].
template <class S>
vec<S> column(const std::vector<S>& x, Eigen::Index size, std::size_t offset = 0) {
  return Eigen::Map<const vec<S>>(x.data() + offset, size);
}

// The elements of a result: a scalar, or a matrix (column by column).
template <class S, class Out>
std::vector<S> flatten(const Out& out) {
  if constexpr (std::is_same_v<Out, S>) {
    return {out};
  } else {
    const auto plain = out.eval();
    return std::vector<S>(plain.data(), plain.data() + plain.size());
  }
}

// n numbers in [lo, hi), the same for every run.
inline std::vector<double> numbers(std::size_t n, std::uint32_t seed, double lo = -1.0,
                                   double hi = 1.0) {
  std::vector<double> x(n);
  std::uint32_t s = seed * 2654435761u + 12345u;
  for (double& v : x) {
    s = s * 1664525u + 1013904223u;
    v = lo + (hi - lo) * static_cast<double>(s >> 8) / static_cast<double>(1u << 24);
  }
  return x;
}

// The elements of m (column by column) followed by those of rest.
inline std::vector<double> join(const Eigen::MatrixXd& m, const std::vector<double>& rest = {}) {
  std::vector<double> x(m.data(), m.data() + m.size());
  x.insert(x.end(), rest.begin(), rest.end());
  return x;
}

// A symmetric positive definite n x n matrix.
inline Eigen::MatrixXd spd(Eigen::Index n, std::uint32_t seed) {
  const Eigen::MatrixXd b =
      Eigen::Map<const Eigen::MatrixXd>(numbers(std::size_t(n * n), seed).data(), n, n);
  return b * b.transpose() + double(n) * Eigen::MatrixXd::Identity(n, n);
}

// A well-conditioned n x n matrix whose largest entry in each column is
// not on the diagonal, so that PartialPivLU has to swap rows.
inline Eigen::MatrixXd needs_pivoting(Eigen::Index n, std::uint32_t seed) {
  Eigen::MatrixXd a =
      Eigen::Map<const Eigen::MatrixXd>(numbers(std::size_t(n * n), seed).data(), n, n);
  for (Eigen::Index j = 0; j < n; ++j) a((j + 1) % n, j) += 2.0 * double(n);
  return a;
}

struct tolerance {
  double step = 1e-5;      // relative to max(1, |x|)
  double relative = 1e-6;  // of max(1, |finite difference|)
};

using double_function = std::function<std::vector<double>(const std::vector<double>&)>;
using real_function = std::function<std::vector<gg::real>(const std::vector<gg::real>&)>;

// Checks values and every entry of the Jacobian at x0 (not a template, so
// that each test case instantiates only its function).
inline void expect_derivatives_of(const double_function& f, const real_function& g,
                                  const std::vector<double>& x0, tolerance tol) {
  const std::vector<double> expected = f(x0);

  gg::tape tape;
  const std::vector<gg::real> x = tape.variables("x", x0);
  const std::vector<gg::real> y = g(x);
  ASSERT_EQ(y.size(), expected.size());
  for (std::size_t i = 0; i < y.size(); ++i)
    EXPECT_NEAR(gg::value(y[i]), expected[i], 1e-12 * std::max(1.0, std::abs(expected[i])))
        << "value of output " << i;

  // The tape's derivatives: a gradient into caller storage for one output,
  // a Jacobian for several (variables that do not reach an output get 0).
  gg::dense_matrix<double> jacobian;
  if (y.size() == 1) {
    jacobian = {1, x.size(), std::vector<double>(x.size())};
    tape.gradient(y[0], x, std::span<double>(jacobian.data), gg::allow_unconnected);
  } else {
    jacobian = tape.jacobian(y, x, gg::allow_unconnected);
  }
  ASSERT_EQ(jacobian.rows, y.size());
  ASSERT_EQ(jacobian.cols, x.size());

  double largest = 0.0;
  for (std::size_t j = 0; j < x0.size(); ++j) {
    // the 2-point stencil (the tolerance is set for it): every output at once
    const std::vector<double> d = gg::central_difference(
                                      [&](double t) {
                                        std::vector<double> x = x0;
                                        x[j] = t;
                                        return f(x);
                                      },
                                      x0[j], tol.step * std::max(1.0, std::abs(x0[j])), false)
                                      .derivative;
    for (std::size_t i = 0; i < y.size(); ++i) {
      const double fd = d[i];
      largest = std::max(largest, std::abs(fd));
      EXPECT_NEAR(jacobian(i, j), fd, tol.relative * std::max(1.0, std::abs(fd)))
          << "d output[" << i << "] / d x[" << j << "]";
    }
  }
  EXPECT_GT(largest, 1e-3) << "the finite differences vanish: the check would prove nothing";
}

// fn(x) for x a std::vector of double or of gg::real returns a scalar or an
// Eigen matrix of the same scalar type: its double version gives the values
// and the finite differences, its gg::real version the tape's derivatives.
template <class Fn>
void expect_derivatives(const Fn& fn, const std::vector<double>& x0, tolerance tol = {}) {
  expect_derivatives_of([&](const std::vector<double>& x) { return flatten<double>(fn(x)); },
                        [&](const std::vector<gg::real>& x) { return flatten<gg::real>(fn(x)); },
                        x0, tol);
}

}  // namespace gradguard_test
