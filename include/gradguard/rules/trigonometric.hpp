// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Circular and hyperbolic functions and their inverses.
#pragma once

#include <string_view>
#include <tuple>

#include <gradguard/rules/math.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard::rules {

struct sin_rule {
  static constexpr std::string_view name = "sin";
  static constexpr auto value(auto x) {
    using math::sin;
    return sin(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::cos;
    return std::tuple{cos(x)};
  }
};

struct cos_rule {
  static constexpr std::string_view name = "cos";
  static constexpr auto value(auto x) {
    using math::cos;
    return cos(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::sin;
    return std::tuple{-sin(x)};
  }
};

struct tan_rule {
  static constexpr std::string_view name = "tan";
  static constexpr auto value(auto x) {
    using math::tan;
    return tan(x);
  }
  static constexpr auto partials(auto r, auto) {
    return std::tuple{1 + r * r};
  }  // sec^2 = 1 + tan^2
};

struct asin_rule {
  static constexpr std::string_view name = "asin";
  static constexpr auto value(auto x) {
    using math::asin;
    return asin(x);
  }
  static constexpr auto partials(auto, auto x) {  // 1 / sqrt(1 - x^2)
    using math::sqrt;
    return std::tuple{1 / sqrt(1 - x * x)};
  }
};

struct acos_rule {
  static constexpr std::string_view name = "acos";
  static constexpr auto value(auto x) {
    using math::acos;
    return acos(x);
  }
  static constexpr auto partials(auto, auto x) {  // -1 / sqrt(1 - x^2)
    using math::sqrt;
    return std::tuple{-1 / sqrt(1 - x * x)};
  }
};

struct atan_rule {
  static constexpr std::string_view name = "atan";
  static constexpr auto value(auto x) {
    using math::atan;
    return atan(x);
  }
  static constexpr auto partials(auto, auto x) { return std::tuple{1 / (1 + x * x)}; }
};

// atan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)
struct atan2_rule {
  static constexpr std::string_view name = "atan2";
  static constexpr auto value(auto y, auto x) {
    using math::atan2;
    return atan2(y, x);
  }
  static constexpr auto partials(auto, auto y, auto x) {
    auto r = x * x + y * y;
    return std::tuple{x / r, -y / r};
  }
};

struct sinh_rule {
  static constexpr std::string_view name = "sinh";
  static constexpr auto value(auto x) {
    using math::sinh;
    return sinh(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::cosh;
    return std::tuple{cosh(x)};
  }
};

struct cosh_rule {
  static constexpr std::string_view name = "cosh";
  static constexpr auto value(auto x) {
    using math::cosh;
    return cosh(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::sinh;
    return std::tuple{sinh(x)};
  }
};

struct tanh_rule {
  static constexpr std::string_view name = "tanh";
  static constexpr auto value(auto x) {
    using math::tanh;
    return tanh(x);
  }
  static constexpr auto partials(auto r, auto) { return std::tuple{1 - r * r}; }
};

struct asinh_rule {
  static constexpr std::string_view name = "asinh";
  static constexpr auto value(auto x) {
    using math::asinh;
    return asinh(x);
  }
  static constexpr auto partials(auto, auto x) {  // 1 / sqrt(x^2 + 1)
    using math::sqrt;
    return std::tuple{1 / sqrt(x * x + 1)};
  }
};

struct acosh_rule {
  static constexpr std::string_view name = "acosh";
  static constexpr auto value(auto x) {
    using math::acosh;
    return acosh(x);
  }
  static constexpr auto partials(auto, auto x) {  // 1 / sqrt(x^2 - 1), factored for accuracy
    using math::sqrt;
    return std::tuple{1 / (sqrt(x - 1) * sqrt(x + 1))};
  }
};

struct atanh_rule {
  static constexpr std::string_view name = "atanh";
  static constexpr auto value(auto x) {
    using math::atanh;
    return atanh(x);
  }
  static constexpr auto partials(auto, auto x) { return std::tuple{1 / (1 - x * x)}; }
};

}  // namespace gradguard::rules
