// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Powers, roots, exponentials and logarithms.
#pragma once

#include <numbers>
#include <string_view>
#include <tuple>

#include <gradguard/rules/math.hpp>
#include <gradguard/rules/rule.hpp>

namespace gradguard::rules {

struct exp_rule {
  static constexpr std::string_view name = "exp";
  static constexpr auto value(auto x) { using math::exp; return exp(x); }
  static constexpr auto partials(auto r, auto) { return std::tuple{r}; }  // d e^x = e^x
};

struct exp2_rule {
  static constexpr std::string_view name = "exp2";
  static constexpr auto value(auto x) { using math::exp2; return exp2(x); }
  static constexpr auto partials(auto r, auto) {  // d 2^x = ln 2 * 2^x
    return std::tuple{std::numbers::ln2 * r};
  }
};

struct expm1_rule {
  static constexpr std::string_view name = "expm1";
  static constexpr auto value(auto x) { using math::expm1; return expm1(x); }
  static constexpr auto partials(auto r, auto) { return std::tuple{r + 1}; }  // e^x = expm1(x) + 1
};

struct log_rule {
  static constexpr std::string_view name = "log";
  static constexpr auto value(auto x) { using math::log; return log(x); }
  static constexpr auto partials(auto, auto x) { return std::tuple{1 / x}; }
};

struct log2_rule {
  static constexpr std::string_view name = "log2";
  static constexpr auto value(auto x) { using math::log2; return log2(x); }
  static constexpr auto partials(auto, auto x) {  // 1 / (x ln 2)
    return std::tuple{std::numbers::log2e / x};
  }
};

struct log10_rule {
  static constexpr std::string_view name = "log10";
  static constexpr auto value(auto x) { using math::log10; return log10(x); }
  static constexpr auto partials(auto, auto x) {  // 1 / (x ln 10)
    return std::tuple{std::numbers::log10e / x};
  }
};

struct log1p_rule {
  static constexpr std::string_view name = "log1p";
  static constexpr auto value(auto x) { using math::log1p; return log1p(x); }
  static constexpr auto partials(auto, auto x) { return std::tuple{1 / (1 + x)}; }
};

struct sqrt_rule {
  static constexpr std::string_view name = "sqrt";
  static constexpr auto value(auto x) { using math::sqrt; return sqrt(x); }
  static constexpr auto partials(auto r, auto) { return std::tuple{0.5 / r}; }  // 1 / (2 sqrt x)
};

struct cbrt_rule {
  static constexpr std::string_view name = "cbrt";
  static constexpr auto value(auto x) { using math::cbrt; return cbrt(x); }
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
// constant or integer exponent it is never computed.
struct pow_rule {
  static constexpr std::string_view name = "pow";
  static constexpr auto value(auto x, auto y) { using math::pow; return pow(x, y); }
  static constexpr auto partials(auto r, auto x, auto y) {
    using math::pow;
    using math::log;
    return std::tuple{y * pow(x, y - 1), lazy{[=] { return log(x) * r; }}};
  }
};

// hypot(x, y) = sqrt(x^2 + y^2): d/dx = x / r, d/dy = y / r
struct hypot_rule {
  static constexpr std::string_view name = "hypot";
  static constexpr auto value(auto x, auto y) { using math::hypot; return hypot(x, y); }
  static constexpr auto partials(auto r, auto x, auto y) { return std::tuple{x / r, y / r}; }
};

}  // namespace gradguard::rules
