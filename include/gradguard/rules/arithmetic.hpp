// IWYU pragma: private, include <gradguard/gradguard.hpp>
// + - * / and unary minus.
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>

#include <gradguard/rules/vocabulary.hpp>

namespace gradguard::rules {

// Binary operators print infix; `precedence` follows C++ (smaller binds tighter).
struct add_rule {
  static constexpr std::string_view name = "+";
  static constexpr int precedence = 6;
  static constexpr auto value(auto a, auto b) { return a + b; }
  // d(a + b) = da + db
  static constexpr auto partials(auto, auto, auto) { return std::tuple{one{}, one{}}; }
};

struct sub_rule {
  static constexpr std::string_view name = "-";
  static constexpr int precedence = 6;
  static constexpr auto value(auto a, auto b) { return a - b; }
  // d(a - b) = da - db
  static constexpr auto partials(auto, auto, auto) { return std::tuple{one{}, -1}; }
};

struct mul_rule {
  static constexpr std::string_view name = "*";
  static constexpr int precedence = 5;
  static constexpr auto value(auto a, auto b) { return a * b; }
  // d(a b) = b da + a db
  static constexpr auto partials(auto, auto a, auto b) { return std::tuple{b, a}; }
};

struct div_rule {
  static constexpr std::string_view name = "/";
  static constexpr int precedence = 5;
  static constexpr auto value(auto a, auto b) { return a / b; }
  // d(a / b) = da / b - (a / b) db / b
  static constexpr auto partials(auto r, auto, auto b) {
    if constexpr (std::is_floating_point_v<decltype(r)>) {
      const auto ib = one{} / b;  // one division for both partials, as by hand
      return std::tuple{ib, -r * ib};
    } else {
      return std::tuple{one{} / b, -r / b};  // symbolic: keeps the printed form
    }
  }
};

struct neg_rule {
  static constexpr std::string_view name = "-";
  static constexpr int precedence = 3;
  static constexpr auto value(auto a) { return -a; }
  static constexpr auto partials(auto, auto) { return std::tuple{-1}; }
};

}  // namespace gradguard::rules
