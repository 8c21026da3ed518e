// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Central finite differences: the one numeric derivative of gradguard, used by
// gg::check_gradient and by the library's own tests and benchmarks.
//
//   auto d = gg::central_difference([](double t) { return std::sin(t); }, 0.5, 1e-3);
//   d.derivative;  // cos(0.5) to ~1e-13 (Richardson: the 5-point stencil)
//   d.spread;      // |D(h) - D(2h)|: large where f has a kink or a jump near x
//
// f may return a number or a std::vector of numbers (then every output is
// differentiated at once). Any floating type: long double gives a reference
// far more accurate than a double derivative under test.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace gradguard {

// The derivative estimate and the disagreement between the steps h and 2h
// (0 without Richardson extrapolation, where only h is used).
template <class R>
struct finite_difference_result {
  R derivative;
  R spread;
};

// The default relative step: the one that balances truncation and rounding
// errors, eps^(1/5) for the 5-point stencil (error ~ h^4) and cbrt(eps) for
// the 2-point one (error ~ h^2).
template <std::floating_point T>
T default_relative_step(bool richardson = true) {
  const T eps = std::numeric_limits<T>::epsilon();
  return richardson ? std::pow(eps, T(0.2)) : std::cbrt(eps);
}

// The step for x: relative * max(1, |x|), rounded so that x + h - x == h
// exactly (the rounding of x + h would otherwise be an error of its own).
template <std::floating_point T>
T step_for(T x, T relative) {
  const T h = relative * std::max(T(1), std::fabs(x));
  const volatile T moved = x + h;  // volatile: the compiler must round it
  return moved - x;
}

namespace detail {

// (a - b) * s elementwise, for a number or a std::vector of numbers.
template <class R, class T>
R scaled_difference(const R& a, const R& b, T s) {
  if constexpr (std::is_arithmetic_v<R>) {
    return (a - b) * s;
  } else {
    R out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) out[i] = (a[i] - b[i]) * s;
    return out;
  }
}

// {(4 d1 - d2) / 3, |d1 - d2|}: Richardson's extrapolation of the central
// differences d1 (step h) and d2 (step 2h), whose errors are c h^2 and 4 c h^2.
template <class R>
finite_difference_result<R> richardson(const R& d1, const R& d2) {
  if constexpr (std::is_arithmetic_v<R>) {
    return {(4 * d1 - d2) / 3, std::fabs(d1 - d2)};
  } else {
    finite_difference_result<R> r{R(d1.size()), R(d1.size())};
    for (std::size_t i = 0; i < d1.size(); ++i) {
      r.derivative[i] = (4 * d1[i] - d2[i]) / 3;
      r.spread[i] = std::fabs(d1[i] - d2[i]);
    }
    return r;
  }
}

}  // namespace detail

// d/dx f(x) by central differences with step h (see step_for): with
// Richardson, (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / (12 h), exact for
// polynomials of degree 4; without, (f(x+h) - f(x-h)) / (2 h).
template <std::floating_point T, class F>
requires std::invocable<const F&, T>
auto central_difference(const F& f, T x, T h, bool richardson = true) {
  using R = std::remove_cvref_t<std::invoke_result_t<const F&, T>>;
  const R d1 = detail::scaled_difference(f(x + h), f(x - h), T(1) / (2 * h));
  if (!richardson) {
    R spread = d1;
    if constexpr (std::is_arithmetic_v<R>) spread = 0;
    else std::fill(spread.begin(), spread.end(), 0);
    return finite_difference_result<R>{d1, spread};
  }
  const R d2 = detail::scaled_difference(f(x + 2 * h), f(x - 2 * h), T(1) / (4 * h));
  return detail::richardson(d1, d2);
}

// d f / d x[i] for a function f of an indexable x (std::array, std::vector, an
// Eigen vector: anything that copies and has x[i]), by central_difference of
// f at a copy of x whose element i moves, with the step step_for(x[i],
// relative); relative 0 takes default_relative_step. The tests' and the
// benchmarks' partial derivatives all come from here. An i past the end of x
// throws std::out_of_range.
//
//   auto f = [](const std::array<double, 2>& v) { return v[0] * v[1]; };
//   gg::central_partial(f, std::array{2.0, 3.0}, 0).derivative;  // 3
template <class F, class X,
          std::floating_point T = std::remove_cvref_t<decltype(std::declval<X&>()[0])>>
requires std::invocable<const F&, const X&>
auto central_partial(const F& f, const X& x, std::size_t i, T relative = 0,
                     bool richardson = true) {
  const auto n = static_cast<std::size_t>(std::size(x));
  if (i >= n)
    throw std::out_of_range("gg::central_partial(f, x, i): i = " + std::to_string(i) +
                            " is past the end of x (" + std::to_string(n) + " elements)");
  X q = x;
  auto& qi = q[i];
  const T x0 = qi;
  const T h = step_for(x0, relative > 0 ? relative : default_relative_step<T>(richardson));
  return central_difference(
      [&](T t) {
        qi = t;
        return f(static_cast<const X&>(q));
      },
      x0, h, richardson);
}

// The rounding noise of central_difference for values of magnitude |fx| held
// in V (the precision f computes in), with step h: the bound that a
// tolerance must include (each value may be off by eps |fx|).
template <class V, std::floating_point T>
T finite_difference_noise(T fx, T h) {
  using F = std::conditional_t<std::is_floating_point_v<V>, V, T>;
  return 8 * static_cast<T>(std::numeric_limits<F>::epsilon()) * std::fabs(fx) / h;
}

}  // namespace gradguard
