// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Error and gamma functions, polygamma, and the activations sigmoid/softplus.
#pragma once

#include <string_view>
#include <tuple>
#include <type_traits>

#include <gradguard/rules/math.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {
namespace math {
// psi^(N)(x) with the order as a type, so that expressions can carry it.
template <int N, arithmetic T>
constexpr floating_t<T> polygamma(std::integral_constant<int, N>, T x) {
  return polygamma(N, x);
}
}  // namespace math

namespace rules {

// d/dx erf(x) = 2 / sqrt(pi) e^(-x^2)
struct erf_rule {
  static constexpr std::string_view name = "erf";
  static constexpr auto value(auto x) {
    using math::erf;
    return erf(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::exp;
    return std::tuple{math::inv_sqrtpi * 2 * exp(-(x * x))};
  }
};

struct erfc_rule {
  static constexpr std::string_view name = "erfc";
  static constexpr auto value(auto x) {
    using math::erfc;
    return erfc(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::exp;
    return std::tuple{-math::inv_sqrtpi * 2 * exp(-(x * x))};
  }
};

// psi^(N), the N-th derivative of digamma: d/dx psi^(N)(x) = psi^(N+1)(x).
template <int N>
struct polygamma_rule {
  static constexpr std::string_view name = N == 0 ? "digamma" : N == 1 ? "trigamma" : "polygamma";
  static constexpr auto value(auto x) {
    using math::polygamma;
    return polygamma(std::integral_constant<int, N>{}, x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::polygamma;
    return std::tuple{polygamma(std::integral_constant<int, N + 1>{}, x)};
  }
};

// d/dx Gamma(x) = Gamma(x) psi(x)
struct tgamma_rule {
  static constexpr std::string_view name = "tgamma";
  static constexpr auto value(auto x) {
    using math::tgamma;
    return tgamma(x);
  }
  static constexpr auto partials(auto r, auto x) {
    using math::polygamma;
    return std::tuple{r * polygamma(std::integral_constant<int, 0>{}, x)};
  }
};

// d/dx log |Gamma(x)| = psi(x)
struct lgamma_rule {
  static constexpr std::string_view name = "lgamma";
  static constexpr auto value(auto x) {
    using math::lgamma;
    return lgamma(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::polygamma;
    return std::tuple{polygamma(std::integral_constant<int, 0>{}, x)};
  }
};

// sigmoid(x) = 1 / (1 + e^-x); d/dx = s (1 - s)
struct sigmoid_rule {
  static constexpr std::string_view name = "sigmoid";
  static constexpr auto value(auto x) {
    using math::sigmoid;
    return sigmoid(x);
  }
  static constexpr auto partials(auto r, auto) { return std::tuple{r * (1 - r)}; }
};

// softplus(x) = log(1 + e^x); d/dx = sigmoid(x)
struct softplus_rule {
  static constexpr std::string_view name = "softplus";
  static constexpr auto value(auto x) {
    using math::softplus;
    return softplus(x);
  }
  static constexpr auto partials(auto, auto x) {
    using math::sigmoid;
    return std::tuple{sigmoid(x)};
  }
};

}  // namespace rules
}  // namespace gradguard
