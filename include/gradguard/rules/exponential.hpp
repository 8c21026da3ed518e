// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Powers, roots, exponentials and logarithms.
#pragma once

#include <limits>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <gradguard/rules/math.hpp>
#include <gradguard/rules/piecewise.hpp>  // math::select
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard::rules {

struct exp_rule {
  static constexpr std::string_view name = "exp";
  static constexpr auto value(auto x) {
    using math::exp;
    return exp(x);
  }
  static constexpr auto partials(auto r, auto) { return std::tuple{r}; }  // d e^x = e^x
};

struct exp2_rule {
  static constexpr std::string_view name = "exp2";
  static constexpr auto value(auto x) {
    using math::exp2;
    return exp2(x);
  }
  static constexpr auto partials(auto r, auto) {  // d 2^x = ln 2 * 2^x
    return std::tuple{math::ln2 * r};
  }
};

struct expm1_rule {
  static constexpr std::string_view name = "expm1";
  static constexpr auto value(auto x) {
    using math::expm1;
    return expm1(x);
  }
  static constexpr auto partials(auto r, auto) { return std::tuple{r + 1}; }  // e^x = expm1(x) + 1
};

struct log_rule {
  static constexpr std::string_view name = "log";
  static constexpr auto value(auto x) {
    using math::log;
    return log(x);
  }
  static constexpr auto partials(auto, auto x) { return std::tuple{1 / x}; }
};

struct log2_rule {
  static constexpr std::string_view name = "log2";
  static constexpr auto value(auto x) {
    using math::log2;
    return log2(x);
  }
  static constexpr auto partials(auto, auto x) {  // 1 / (x ln 2)
    return std::tuple{math::log2e / x};
  }
};

struct log10_rule {
  static constexpr std::string_view name = "log10";
  static constexpr auto value(auto x) {
    using math::log10;
    return log10(x);
  }
  static constexpr auto partials(auto, auto x) {  // 1 / (x ln 10)
    return std::tuple{math::log10e / x};
  }
};

struct log1p_rule {
  static constexpr std::string_view name = "log1p";
  static constexpr auto value(auto x) {
    using math::log1p;
    return log1p(x);
  }
  static constexpr auto partials(auto, auto x) { return std::tuple{1 / (1 + x)}; }
};

struct sqrt_rule {
  static constexpr std::string_view name = "sqrt";
  static constexpr auto value(auto x) {
    using math::sqrt;
    return sqrt(x);
  }
  static constexpr auto partials(auto r, auto) {
    return std::tuple{one{} / (2 * r)};
  }  // 1 / (2 sqrt x)
};

struct cbrt_rule {
  static constexpr std::string_view name = "cbrt";
  static constexpr auto value(auto x) {
    using math::cbrt;
    return cbrt(x);
  }
  static constexpr auto partials(auto r, auto) {  // 1 / (3 cbrt(x)^2)
    return std::tuple{1 / (3 * (r * r))};
  }
};

struct square_rule {
  static constexpr std::string_view name = "square";
  static constexpr auto value(auto x) { return x * x; }
  static constexpr auto partials(auto, auto x) { return std::tuple{2 * x}; }
};

// pow(x, y): d/dx = y x^(y-1), d/dy = log(x) x^y. The second is lazy: with a
// constant or integer exponent it is never computed. At the edges, as
// PyTorch and JAX: d/dx x^0 = 0 also at x = 0 (not 0 * inf), and d/dy 0^y = 0
// for y >= 0 (not log(0) * 0 = NaN; 0^y is constant 0 for y > 0).
struct pow_rule {
  static constexpr std::string_view name = "pow";
  static constexpr auto value(auto x, auto y) {
    using math::pow;
    return pow(x, y);
  }
  static constexpr auto partials(auto r, auto x, auto y) {
    return std::tuple{lazy{[=] { return d_base(r, x, y); }},
                      lazy{[=] { return d_exponent(r, x, y); }}};
  }

 private:
  static constexpr auto d_exponent(auto r, auto x, auto y) {
    using math::log;
    using math::select;
    if constexpr (std::is_same_v<decltype(x == 0), bool>) {  // numbers, duals
      const bool flat = x == 0 && y >= 0;
      return select(flat, 0, log(x) * r);
    } else {  // symbolic: the same, written with expressions
      return select(x == 0, select(y >= 0, 0, log(x) * r), log(x) * r);
    }
  }
  // y x^(y-1) = y r / x saves a second pow where that is exact to rounding:
  // a floating exponent, x != 0 and r normal (it neither overflowed nor
  // underflowed). Integer exponents keep the exact repeated squaring.
  static constexpr auto d_base(auto r, auto x, auto y) {
    using math::pow;
    using R = decltype(r);
    if constexpr (std::is_floating_point_v<R> && std::is_floating_point_v<decltype(y)> &&
                  arithmetic<decltype(x)>) {
      const R m = r < 0 ? -r : r;
      if (x != 0 && m >= std::numeric_limits<R>::min() && m <= std::numeric_limits<R>::max())
        return y * r / x;
    }
    // d/dx x^0 = 0 also at x = 0, where y x^(y-1) is 0 * inf (and so
    // d^2/dx^2 x^1, d^3/dx^3 x^2, ...). Only there: elsewhere y x^(y-1) is
    // finite, and its derivative in y (x^(y-1) at y = 0) must stay.
    using math::select;
    using Y = decltype(y);
    if constexpr (std::is_integral_v<Y>) {
      // The most negative y: y - 1 would overflow; x^(y-1) = x^y / x.
      constexpr Y least = std::numeric_limits<Y>::min();
      if constexpr (std::is_floating_point_v<R>) {
        if (y == least) [[unlikely]]
          return static_cast<R>(y) * (r / x);
      } else {  // nested duals
        const Y y1 = y == least ? least : Y(y - 1);
        return select(y == least, y * (pow(x, y) / x), select(x == 0 && y == 0, 0, y * pow(x, y1)));
      }
    }
    if constexpr (std::is_same_v<decltype(x == 0), bool>) {  // numbers, duals
      return select(x == 0 && y == 0, 0, y * pow(x, y - 1));
    } else {  // symbolic
      return select(x == 0, select(y == 0, 0, y * pow(x, y - 1)), y * pow(x, y - 1));
    }
  }
};

// hypot(x, y) = sqrt(x^2 + y^2): d/dx = x / r, d/dy = y / r
struct hypot_rule {
  static constexpr std::string_view name = "hypot";
  static constexpr auto value(auto x, auto y) {
    using math::hypot;
    return hypot(x, y);
  }
  static constexpr auto partials(auto r, auto x, auto y) { return std::tuple{x / r, y / r}; }
};

}  // namespace gradguard::rules
