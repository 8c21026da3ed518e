// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Scalar mathematics for plain numbers, usable in constant expressions where
// the standard library is not (sqrt, abs, rounding, integer powers on both
// compilers; g++ also folds the transcendental functions of <cmath>).
// Rules call these through `using math::f; f(x);` so that expression and
// dual types find their own overloads by argument-dependent lookup.
#pragma once

#include <bit>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

#include <gradguard/rules/vocabulary.hpp>

namespace gradguard::math {

// The constants of <numbers> that the rules use, with the same values (the
// header is 0.1 s of every parse of the umbrella;
// test/static/constexpr_transcendental.cpp checks them against it).
template <class F>
inline constexpr F pi_v = static_cast<F>(3.141592653589793238462643383279502884L);
inline constexpr double ln2 = 0.693147180559945309417232121458176568;
inline constexpr double log2e = 1.442695040888963407359924681001892137;
inline constexpr double log10e = 0.434294481903251827651128918916605082;
inline constexpr double inv_sqrtpi = 0.564189583547756286948079451560772586;

// The floating type a function of T returns: T itself, or double for integers.
template <class T>
using floating_t = std::conditional_t<std::is_floating_point_v<T>, T, double>;

namespace detail {
// Correctly rounded sqrt of a positive finite double, as IEEE (and so
// std::sqrt) requires: digit by digit on the integer significand.
constexpr double correctly_rounded_sqrt(double v) {
  auto bits = std::bit_cast<std::uint64_t>(v);
  int e = static_cast<int>(bits >> 52);
  std::uint64_t m = bits & ((std::uint64_t{1} << 52) - 1);
  if (e == 0) {  // subnormal: normalise
    e = 1;
    while (!(m >> 52)) m <<= 1, --e;
  } else {
    m |= std::uint64_t{1} << 52;
  }
  e -= 1075;  // v = m 2^e
  if (e & 1) m <<= 1, --e;
  // root = floor(sqrt(m 2^56)), in [2^54, 2^55); rem != 0 when inexact
  std::uint64_t root = 0, rem = 0;
  for (int bit = 108; bit >= 0; bit -= 2) {
    rem = (rem << 2) | (bit >= 56 ? (m >> (bit - 56)) & 3 : 0);
    std::uint64_t t = (root << 2) | 1;
    if (rem >= t) rem -= t, root = (root << 1) | 1;
    else root <<= 1;
  }
  std::uint64_t q = root >> 2;  // 53 bits, then round to nearest even
  if (((root >> 1) & 1) && ((root & 1) || rem != 0 || (q & 1))) ++q;
  double r = static_cast<double>(q);
  for (int s = e / 2 - 26; s > 0; --s) r *= 2;
  for (int s = e / 2 - 26; s < 0; ++s) r *= 0.5;
  return r;
}
}  // namespace detail

template <arithmetic T>
constexpr floating_t<T> sqrt(T x) {
  using F = floating_t<T>;
  if (std::is_constant_evaluated()) {
    F v = static_cast<F>(x);
    if (v < 0 || v != v) return std::numeric_limits<F>::quiet_NaN();
    if (v == 0 || v == std::numeric_limits<F>::infinity()) return v;
    // float: rounding the double result again is exact for sqrt (53 >= 2 * 24 + 2)
    if constexpr (sizeof(F) <= sizeof(double))
      return static_cast<F>(detail::correctly_rounded_sqrt(static_cast<double>(v)));
    F r = v >= 1 ? v : F(1);  // Newton from above converges monotonically
    for (int i = 0; i < 20000; ++i) {
      F next = F(0.5) * (r + v / r);
      if (next >= r) break;
      r = next;
    }
    return r;
  }
  return std::sqrt(static_cast<F>(x));
}

template <arithmetic T>
constexpr T abs(T x) {
  if constexpr (std::is_unsigned_v<T>) return x;
  else return x < 0 ? -x : (x == 0 ? T(0) : x);  // abs(-0.0) == +0.0
}

template <arithmetic T>
constexpr floating_t<T> trunc(T x) {
  using F = floating_t<T>;
  F v = static_cast<F>(x);
  if (std::is_constant_evaluated()) {
    // Beyond 2^mantissa every representable value is already integral.
    if (!(abs(v) < F(1) / std::numeric_limits<F>::epsilon())) return v;
    return static_cast<F>(static_cast<long long>(v));
  }
  return std::trunc(v);
}

template <arithmetic T>
constexpr floating_t<T> floor(T x) {
  using F = floating_t<T>;
  if (std::is_constant_evaluated()) {
    F t = trunc(x);
    return t > static_cast<F>(x) ? t - 1 : t;
  }
  return std::floor(static_cast<F>(x));
}

template <arithmetic T>
constexpr floating_t<T> ceil(T x) {
  using F = floating_t<T>;
  if (std::is_constant_evaluated()) {
    F t = trunc(x);
    return t < static_cast<F>(x) ? t + 1 : t;
  }
  return std::ceil(static_cast<F>(x));
}

template <arithmetic T>
constexpr floating_t<T> round(T x) {  // halfway cases away from zero, as std::round
  using F = floating_t<T>;
  if (std::is_constant_evaluated()) {
    // v - trunc(v) is exact, where v + 0.5 would round (0.49999999999999994, 2^52 + 1)
    F v = static_cast<F>(x), t = trunc(v), frac = v - t;
    return frac >= F(0.5) ? t + 1 : frac <= F(-0.5) ? t - 1 : t;
  }
  return std::round(static_cast<F>(x));
}

template <arithmetic T>
constexpr T sign(T x) {
  return static_cast<T>((T(0) < x) - (x < T(0)));
}

// x^n for an integer n by repeated squaring: exact and constexpr.
template <arithmetic T, std::integral N>
constexpr floating_t<T> ipow(T x, N n) {
  using F = floating_t<T>;
  F base = static_cast<F>(x), r = 1;
  bool negative = n < 0;
  // |n| in unsigned arithmetic: -n overflows for the most negative n.
  const auto u = static_cast<unsigned long long>(n);
  unsigned long long e = negative ? 0ull - u : u;
  while (e > 0) {
    if (e & 1) r *= base;
    base *= base;
    e >>= 1;
  }
  return negative ? F(1) / r : r;
}

// Whether the floating x converts to the integer type T (C++ leaves NaN and
// values out of range undefined): -2^k <= trunc(x) < 2^k, bounds exact in F.
template <std::integral T, std::floating_point F>
constexpr bool converts_to_integer(F x) {
  if constexpr (std::is_same_v<T, bool>) {
    return true;  // x != 0, defined for every x
  } else {
    const F lower = std::is_signed_v<T> ? static_cast<F>(std::numeric_limits<T>::min()) : F(0);
    const F upper = static_cast<F>(std::numeric_limits<T>::max() / 2 + 1) * F(2);
    return (x >= lower || x > lower - F(1)) && x < upper;  // NaN fails both
  }
}

// The transcendental functions: std:: at run time; g++ folds them in
// constant expressions, clang++ does not.
#define GRADGUARD_MATH_UNARY(name)                   \
  template <arithmetic T>                            \
  constexpr floating_t<T> name(T x) {                \
    return std::name(static_cast<floating_t<T>>(x)); \
  }
GRADGUARD_MATH_UNARY(exp)
GRADGUARD_MATH_UNARY(exp2)
GRADGUARD_MATH_UNARY(expm1)
GRADGUARD_MATH_UNARY(log)
GRADGUARD_MATH_UNARY(log2)
GRADGUARD_MATH_UNARY(log10)
GRADGUARD_MATH_UNARY(log1p)
GRADGUARD_MATH_UNARY(cbrt)
GRADGUARD_MATH_UNARY(sin)
GRADGUARD_MATH_UNARY(cos)
GRADGUARD_MATH_UNARY(tan)
GRADGUARD_MATH_UNARY(asin)
GRADGUARD_MATH_UNARY(acos)
GRADGUARD_MATH_UNARY(atan)
GRADGUARD_MATH_UNARY(sinh)
GRADGUARD_MATH_UNARY(cosh)
GRADGUARD_MATH_UNARY(tanh)
GRADGUARD_MATH_UNARY(asinh)
GRADGUARD_MATH_UNARY(acosh)
GRADGUARD_MATH_UNARY(atanh)
GRADGUARD_MATH_UNARY(erf)
GRADGUARD_MATH_UNARY(erfc)
GRADGUARD_MATH_UNARY(tgamma)
GRADGUARD_MATH_UNARY(lgamma)
#undef GRADGUARD_MATH_UNARY

template <arithmetic T, arithmetic U>
constexpr auto pow(T x, U y) {
  using F = floating_t<std::common_type_t<T, U>>;
  if constexpr (std::is_integral_v<U>) return static_cast<F>(ipow(x, y));
  else return std::pow(static_cast<F>(x), static_cast<F>(y));
}
template <arithmetic T, arithmetic U>
constexpr auto atan2(T y, U x) {
  using F = floating_t<std::common_type_t<T, U>>;
  return std::atan2(static_cast<F>(y), static_cast<F>(x));
}
template <arithmetic T, arithmetic U>
constexpr auto hypot(T x, U y) {
  using F = floating_t<std::common_type_t<T, U>>;
  return std::hypot(static_cast<F>(x), static_cast<F>(y));
}

template <arithmetic T>
constexpr floating_t<T> sigmoid(T x) {
  using F = floating_t<T>;
  F v = static_cast<F>(x);
  // Written so that neither branch overflows: e^-|x| <= 1.
  if (v >= 0) return F(1) / (F(1) + std::exp(-v));
  F e = std::exp(v);
  return e / (F(1) + e);
}
template <arithmetic T>
constexpr floating_t<T> softplus(T x) {  // log(1 + e^x) without overflow
  using F = floating_t<T>;
  F v = static_cast<F>(x);
  return (v > 0 ? v : F(0)) + std::log1p(std::exp(-(v < 0 ? -v : v)));
}

// Polygamma psi^(n)(x) for x > 0 and small n: recurrence up to x >= 10, then
// the asymptotic series (error below 1e-15 relative there). n = 0 is digamma.
template <arithmetic T>
constexpr floating_t<T> polygamma(int n, T x) {
  using F = floating_t<T>;
  F z = static_cast<F>(x), shift = 0;
  if (z != z) return z;
  if (z <= 0 && z == floor(z)) return std::numeric_limits<F>::quiet_NaN();  // poles
  if (n == 0 && z < 0) {
    // reflection: psi(1 - x) - psi(x) = pi cot(pi x)
    return polygamma(0, F(1) - z) - pi_v<F> / std::tan(pi_v<F> * z);
  }
  F factorial = 1;  // (n)!
  for (int k = 2; k <= n; ++k) factorial *= F(k);
  F sign_n = (n % 2 == 1) ? F(1) : F(-1);  // (-1)^(n+1)
  while (z < F(10)) {
    if (n == 0) shift -= F(1) / z;
    else shift += sign_n * factorial / ipow(z, n + 1);
    z += F(1);
  }
  // Bernoulli numbers B_2 .. B_16
  constexpr double b2k[] = {1.0 / 6,  -1.0 / 30,     1.0 / 42, -1.0 / 30,
                            5.0 / 66, -691.0 / 2730, 7.0 / 6,  -3617.0 / 510};
  F series = 0;
  if (n == 0) {
    series = std::log(z) - F(1) / (2 * z);
    for (int k = 1; k <= 8; ++k) series -= F(b2k[k - 1]) / (2 * k * ipow(z, 2 * k));
  } else {
    F fact_nm1 = factorial / F(n);  // (n-1)!
    series = fact_nm1 / ipow(z, n) + factorial / (2 * ipow(z, n + 1));
    // (2k + n - 1)! / (2k)!
    for (int k = 1; k <= 8; ++k) {
      F ratio = 1;
      for (int j = 2 * k + 1; j <= 2 * k + n - 1; ++j) ratio *= F(j);
      series += F(b2k[k - 1]) * ratio / ipow(z, 2 * k + n);
    }
    series *= sign_n;
  }
  return series + shift;
}

}  // namespace gradguard::math
