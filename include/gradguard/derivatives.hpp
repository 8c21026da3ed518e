// Jacobians and Hessians of generic functions: one algorithm for each case,
// whatever the container of x.
//
//   auto f = [](const auto& x) { ... return y; };   // y: a range (or a scalar)
//   gg::dense_matrix<double> J = gg::jacobian(f, x);  // m x n, x a std::vector<double>
//   gg::dense_matrix<double> H = gg::hessian(g, x);   // n x n, g scalar-valued
//
// With an Eigen vector x (<gradguard/eigen.hpp>) the same drivers return an
// Eigen::MatrixXd and call fn with Eigen vectors. The algorithms:
//
//   jacobian, m < n   reverse mode: fn recorded once on a gg::tape, one sweep
//                     per output (tape.jacobian);
//   jacobian, m >= n  forward mode: fn run with gg::dual<double, W>, W inputs
//                     per pass (W = 4 for n <= 4, else 8);
//   hessian           forward over reverse: fn recorded on a
//                     gg::basic_tape<gg::dual<double, W>> whose variables are
//                     seeded with W directions e_j; one reverse sweep gives
//                     the gradient and W columns of H. ceil(n / W) recordings.
//
// fn is called with a vector of another scalar (gg::dual, gg::real,
// gg::basic_real<gg::dual<...>>), so write it generic: `const auto& x`.
#pragma once

#include <array>
#include <cstddef>
#include <source_location>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gradguard/forward/dual.hpp>
#include <gradguard/forward/functional.hpp>  // check_refers_inside
#include <gradguard/tape/real.hpp>
#include <gradguard/tape/tape.hpp>

namespace gradguard {

namespace detail {

// The tangents carried by one forward pass. Fixed widths keep the tangents
// in registers. Two widths: small_chunk for n <= 4, forward_chunk above.
// Each width is a separate instantiation of fn and of the tape over
// dual<double, width> (a Hessian at four widths was a third of
// eigen/drivers_test's compile time); the unused lanes of n < 4 cost a few
// multiplications each.
inline constexpr std::size_t small_chunk = 4;
inline constexpr std::size_t forward_chunk = 8;

// The elements of fn's result as S: a range indexed with (i) (an Eigen
// vector) or [i] (std::vector), or one scalar.
template <class S, class R>
std::vector<S> result_elements(const R& r) {
  std::vector<S> v;
  if constexpr (requires {
                  r.size();
                  r(0);
                }) {
    for (decltype(r.size()) i = 0; i < r.size(); ++i) v.push_back(S(r(i)));
  } else if constexpr (requires {
                         r.size();
                         r[0];
                       }) {
    for (decltype(r.size()) i = 0; i < r.size(); ++i) v.push_back(S(r[i]));
  } else if constexpr (is_real_v<S>) {
    v.push_back(recorded<typename S::value_type>(r));  // a static expression: no header line
  } else {
    v.push_back(S(r));
  }
  return v;
}

// A driver's Traits say how it calls fn and what it returns:
// Traits::argument(std::vector<S>) is the container fn takes (the vector
// itself, or an Eigen vector), Traits::matrix(rows, cols) the result and
// Traits::at(matrix, i, j) its element.

// m: the number of outputs (fn evaluated once with doubles).
template <class Traits, class Fn>
std::size_t output_count(Fn& fn, std::span<const double> x) {
  return result_elements<double>(fn(Traits::argument(std::vector<double>(x.begin(), x.end()))))
      .size();
}

// J by forward passes, Width tangents at a time.
template <class Traits, std::size_t Width, class Fn>
auto forward_jacobian(Fn& fn, std::span<const double> x, std::size_t m) {
  using D = dual<double, Width>;
  const std::size_t n = x.size();
  auto J = Traits::matrix(m, n);
  for (std::size_t start = 0; start < n; start += Width) {
    std::vector<D> xd(n);
    for (std::size_t j = 0; j < n; ++j) {
      xd[j] = D(x[j]);
      if (j >= start && j < start + Width) xd[j].tangent[j - start] = 1.0;
    }
    const auto arg = Traits::argument(std::move(xd));
    const auto r = fn(arg);
    check_refers_inside(r, std::array{owned_storage(arg)}, "jacobian(fn, x)");
    const std::vector<D> y = result_elements<D>(r);
    if (y.size() != m)
      throw std::logic_error("gradguard::jacobian(fn, x): fn returned " + std::to_string(y.size()) +
                             " values with duals and " + std::to_string(m) +
                             " with doubles; it must return as many for any scalar type");
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t k = 0; k < Width && start + k < n; ++k)
        Traits::at(J, i, start + k) = y[i].tangent[k];
  }
  return J;
}

// J by one recording on a tape and one reverse sweep per output.
template <class Traits, class Fn>
auto reverse_jacobian(Fn& fn, std::span<const double> x) {
  tape t(check_finite, false);
  const std::vector<real> xs = t.variables("x", std::vector<double>(x.begin(), x.end()));
  const std::vector<real> ys = result_elements<real>(fn(Traits::argument(xs)));
  // An input that no output depends on is a column of true zeros here.
  const dense_matrix<double> j = t.jacobian(ys, xs, allow_unconnected);
  auto J = Traits::matrix(j.rows, j.cols);
  for (std::size_t r = 0; r < j.rows; ++r)
    for (std::size_t c = 0; c < j.cols; ++c) Traits::at(J, r, c) = j(r, c);
  return J;
}

template <class Traits, class Fn>
auto jacobian(Fn& fn, std::span<const double> x) {
  const std::size_t m = output_count<Traits>(fn, x);
  const std::size_t n = x.size();
  if (m < n) return reverse_jacobian<Traits>(fn, x);
  if (n <= small_chunk) return forward_jacobian<Traits, small_chunk>(fn, x, m);
  return forward_jacobian<Traits, forward_chunk>(fn, x, m);
}

// H by forward over reverse, Width columns per recording.
template <class Traits, std::size_t Width, class Fn>
auto forward_over_reverse_hessian(Fn& fn, std::span<const double> x,
                                  const std::source_location& where) {
  using S = dual<double, Width>;
  using R = basic_real<S>;
  const std::size_t n = x.size();
  auto H = Traits::matrix(n, n);
  basic_tape<S> t(check_finite, false);
  std::vector<S> seeded(n);
  std::vector<R> xs(n);
  for (std::size_t start = 0; start < n; start += Width) {
    t.clear();
    for (std::size_t j = 0; j < n; ++j) {
      seeded[j] = S(x[j]);
      if (j >= start && j < start + Width) seeded[j].tangent[j - start] = 1.0;
    }
    t.variables("x", seeded, std::span<R>(xs), trainable::yes, where);  // the caller's line
    const auto arg = Traits::argument(xs);  // outlives fn's result, which may refer to it
    const R y = recorded<S>(fn(arg), where);
    const auto g = t.gradient(y, xs);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < Width && start + k < n; ++k)
        Traits::at(H, i, start + k) = g[i].tangent[k];
  }
  return H;
}

template <class Y>
inline constexpr bool is_scalar_result_v = !requires(const Y& y) {
  y.size();
};

template <class Traits, class Fn>
auto hessian(Fn& fn, std::span<const double> x, const std::source_location& where) {
  using R = basic_real<dual<double, small_chunk>>;
  using Y = decltype(fn(Traits::argument(std::declval<std::vector<R>>())));
  if constexpr (!is_scalar_result_v<Y>) {
    // Here, before fn is instantiated at both widths: one error, not three.
    static_assert(is_scalar_result_v<Y>,
                  "gradguard::hessian(fn, x): fn returns a vector; the Hessian is of a "
                  "scalar-valued fn (for a vector-valued fn, take gg::jacobian)");
    return Traits::matrix(0, 0);
  } else if (x.size() <= small_chunk) {
    return forward_over_reverse_hessian<Traits, small_chunk>(fn, x, where);
  } else {
    return forward_over_reverse_hessian<Traits, forward_chunk>(fn, x, where);
  }
}

// The drivers for a std::vector<double> x: fn takes a const std::vector<S>&.
struct vector_derivatives {
  template <class S>
  static std::vector<S> argument(std::vector<S> x) {
    return x;
  }
  static dense_matrix<double> matrix(std::size_t rows, std::size_t cols) {
    return {rows, cols, std::vector<double>(rows * cols)};
  }
  static double& at(dense_matrix<double>& m, std::size_t i, std::size_t j) { return m(i, j); }
};

}  // namespace detail

// The m x n Jacobian of fn at x: fn takes a const std::vector<S>& and
// returns a range of S (std::vector) or one S. Reverse mode when fn has fewer
// outputs than inputs, else forward mode (the header comment). fn is
// evaluated once with doubles first, to learn m. An input that no output
// depends on is a column of zeros.
template <class Fn>
dense_matrix<double> jacobian(Fn&& fn, const std::vector<double>& x) {
  return detail::jacobian<detail::vector_derivatives>(fn, x);
}

// The n x n Hessian of a scalar fn at x, forward over reverse: fn takes a
// const std::vector<S>& (S = gg::basic_real<gg::dual<double, W>>) and
// returns a value convertible to S. A variable fn does not use throws
// gg::missing_gradient naming the caller's line (`where`).
template <class Fn>
dense_matrix<double> hessian(Fn&& fn, const std::vector<double>& x,
                             const std::source_location& where = std::source_location::current()) {
  return detail::hessian<detail::vector_derivatives>(fn, x, where);
}

}  // namespace gradguard
