// Transcendental values and derivatives in constant expressions: g++ folds
// <cmath>, clang++ does not (there this file checks nothing but compiles).
#include <gradguard/gradguard.hpp>

#include <numbers>

namespace gg = gradguard;

namespace {
#if !defined(__clang__)
constexpr auto zero = gg::var<"x">(0.0);
constexpr auto two = gg::var<"t">(2.0);  // its own name: one name, one variable

static_assert(gg::derivative(gg::exp(zero), zero) == 1.0);
static_assert(gg::derivative(gg::exp(2.0 * zero), zero) == 2.0);
static_assert(gg::derivative(gg::expm1(zero), zero) == 1.0);
static_assert(gg::derivative(gg::exp2(zero), zero) == 0.6931471805599453);
static_assert(gg::derivative(gg::log(two), two) == 0.5);
static_assert(gg::derivative(gg::log1p(zero), zero) == 1.0);
static_assert(gg::derivative(gg::sin(zero), zero) == 1.0);
static_assert(gg::derivative(gg::cos(zero), zero) == 0.0);
static_assert(gg::derivative(gg::tan(zero), zero) == 1.0);
static_assert(gg::derivative(gg::atan(zero), zero) == 1.0);
static_assert(gg::derivative(gg::asin(zero), zero) == 1.0);
static_assert(gg::derivative(gg::sinh(zero), zero) == 1.0);
static_assert(gg::derivative(gg::tanh(zero), zero) == 1.0);
static_assert(gg::derivative(gg::asinh(zero), zero) == 1.0);
static_assert(gg::derivative(gg::atanh(zero), zero) == 1.0);
static_assert(gg::derivative(gg::sigmoid(zero), zero) == 0.25);
static_assert(gg::derivative(gg::softplus(zero), zero) == 0.5);
static_assert(gg::derivative(gg::erf(zero), zero) == 1.1283791670955126);  // 2 / sqrt(pi)
static_assert(gg::derivative(gg::atan2(zero, two), zero) == 0.5);
static_assert(gg::derivative(gg::hypot(two, zero), two) == 1.0);
static_assert(gg::derivative(gg::pow(two, 0.5 + zero * 0.0), two) == 0.5 * 0.7071067811865476);
static_assert(gg::value(gg::d(gg::d(gg::sin(zero), zero), zero)) == 0.0);
static_assert(gg::value(gg::d(gg::d(gg::exp(zero), zero), zero)) == 1.0);
#endif
}  // namespace

int main() { return 0; }

// The constants the rules use instead of <numbers> are its values.
static_assert(gg::math::pi_v<double> == std::numbers::pi &&
              gg::math::pi_v<float> == std::numbers::pi_v<float>);
static_assert(gg::math::ln2 == std::numbers::ln2 && gg::math::log2e == std::numbers::log2e &&
              gg::math::log10e == std::numbers::log10e &&
              gg::math::inv_sqrtpi == std::numbers::inv_sqrtpi);
