// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Operations whose derivative is zero almost everywhere, or that leave the
// real numbers: they declare a structural-zero partial, so the activity
// analysis removes their operands from the active set and reports the cut.
#pragma once

#include <concepts>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <gradguard/rules/math.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard::rules {

struct piecewise_constant {
  static constexpr bool differentiable = false;
  static constexpr auto partials(auto, auto...) { return std::tuple{zero{}}; }
};

struct floor_rule : piecewise_constant {
  static constexpr std::string_view name = "floor";
  static constexpr auto value(auto x) {
    using math::floor;
    return floor(x);
  }
};
struct ceil_rule : piecewise_constant {
  static constexpr std::string_view name = "ceil";
  static constexpr auto value(auto x) {
    using math::ceil;
    return ceil(x);
  }
};
struct round_rule : piecewise_constant {
  static constexpr std::string_view name = "round";
  static constexpr auto value(auto x) {
    using math::round;
    return round(x);
  }
};
struct trunc_rule : piecewise_constant {
  static constexpr std::string_view name = "trunc";
  static constexpr auto value(auto x) {
    using math::trunc;
    return trunc(x);
  }
};
struct sign_rule : piecewise_constant {
  static constexpr std::string_view name = "sign";
  static constexpr auto value(auto x) {
    using math::sign;
    return sign(x);
  }
};

// Comparisons give booleans: usable in select, never differentiated.
struct comparison {
  static constexpr bool differentiable = false;
  static constexpr int precedence = 9;
  static constexpr auto partials(auto, auto, auto) { return std::tuple{zero{}, zero{}}; }
};
struct less_rule : comparison {
  static constexpr std::string_view name = "<";
  static constexpr auto value(auto a, auto b) { return a < b; }
};
struct less_equal_rule : comparison {
  static constexpr std::string_view name = "<=";
  static constexpr auto value(auto a, auto b) { return a <= b; }
};
struct greater_rule : comparison {
  static constexpr std::string_view name = ">";
  static constexpr auto value(auto a, auto b) { return a > b; }
};
struct greater_equal_rule : comparison {
  static constexpr std::string_view name = ">=";
  static constexpr auto value(auto a, auto b) { return a >= b; }
};
struct equal_to_rule : comparison {
  static constexpr std::string_view name = "==";
  static constexpr int precedence = 10;
  static constexpr auto value(auto a, auto b) { return a == b; }
};
struct not_equal_to_rule : comparison {
  static constexpr std::string_view name = "!=";
  static constexpr int precedence = 10;
  static constexpr auto value(auto a, auto b) { return a != b; }
};

// cast<T>: to a floating type it is the identity for derivatives; to an
// integer or bool it cuts the path.
template <class T>
struct cast_rule {
  using target = T;
  static constexpr std::string_view name = "cast";
  static constexpr bool differentiable = std::floating_point<T>;
  static constexpr auto value(auto x) {
    if constexpr (std::integral<T> && std::floating_point<decltype(x)>)
      if (!math::converts_to_integer<T>(x)) [[unlikely]]
        throw_not_representable(static_cast<double>(x));  // in a constant expression: an error here
    return static_cast<T>(x);
  }
  static constexpr auto partials(auto, auto) {
    if constexpr (std::floating_point<T>) return std::tuple{one{}};
    else return std::tuple{zero{}};
  }

 private:
  [[noreturn]] static void throw_not_representable(double x);
  static constexpr const char* integer_name() {
    if constexpr (std::is_same_v<T, int>) return "int";
    else if constexpr (std::is_same_v<T, long>) return "long";
    else if constexpr (std::is_same_v<T, long long>) return "long long";
    else if constexpr (std::is_same_v<T, unsigned>) return "unsigned";
    else if constexpr (std::is_same_v<T, short>) return "short";
    else return "integer type";
  }
};

template <class T>
[[noreturn]] void cast_rule<T>::throw_not_representable(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  throw std::domain_error(std::string("gradguard: gg::cast<") + integer_name() +
                          ">(x): x = " + text +
                          " is NaN or outside the range of the integer type (C++ leaves "
                          "the conversion undefined); clamp it first, e.g. gg::cast<" +
                          integer_name() +
                          ">(gg::min(gg::max(x, lo), hi)), or test x with "
                          "std::isfinite");
}

// stop_gradient(x) = x with no derivative: the user's explicit cut.
struct stop_gradient_rule {
  static constexpr std::string_view name = "stop_gradient";
  static constexpr bool differentiable = false;
  using cut_reason = reason::stop_gradient;
  static constexpr auto value(auto x) { return x; }
  static constexpr auto partials(auto, auto) { return std::tuple{zero{}}; }
};

}  // namespace gradguard::rules
