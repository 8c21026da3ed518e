// Values and derivatives that must be constant expressions on g++ and
// clang++: arithmetic, integer pow, sqrt, abs, min/max, select, comparisons,
// rounding and casts.
#include <gradguard/gradguard.hpp>

#include <climits>
#include <type_traits>

namespace gg = gradguard;

namespace {
constexpr auto x = gg::var<"x">(2.0);
constexpr auto y = gg::var<"y">(-3.0);
constexpr auto four = gg::var<"q">(4.0);

// arithmetic
constexpr auto f = x * y + x / y - 3.0 * x + (-x);
static_assert(gg::value(f) == -6.0 + 2.0 / -3.0 - 6.0 - 2.0);
static_assert(gg::derivative(f, x) == -3.0 + 1.0 / -3.0 - 3.0 - 1.0);
static_assert(gg::derivative(f, y) == 2.0 - (2.0 / -3.0) / -3.0);
constexpr auto g = gg::gradient(x * x * y, x, y);
static_assert(g[x] == -12.0 && g[y] == 4.0);
constexpr auto vg = gg::value_and_gradient(x * x * y, x, y);
static_assert(vg.get<0>() == -12.0 && vg.get<1>() == -12.0 && vg.get<2>() == 4.0);
static_assert(gg::value(gg::d(gg::d(x * x * x, x), x)) == 12.0);
static_assert(gg::value(gg::d(gg::d(gg::d(x * x * x * y, x), x), y)) == 12.0);
static_assert(gg::value_and_grad([](auto a, auto b) { return a * b - b; }, 2.0, 5.0).gradient[1] ==
              1.0);

// integer pow (repeated squaring: exact)
static_assert(gg::value(gg::pow(x, 10)) == 1024.0);
static_assert(gg::derivative(gg::pow(x, 3), x) == 12.0);
static_assert(gg::derivative(gg::pow(y, 3), y) == 27.0);
static_assert(gg::derivative(gg::pow(x, -2), x) == -0.25);
static_assert(gg::derivative(gg::pow(gg::var<"x">(0.0), 2), gg::var<"x">(0.0)) == 0.0);
static_assert(gg::value(gg::d(gg::d(gg::pow(x, 4), x), x)) == 48.0);
// the most negative exponents: y x^(y-1) without computing y - 1, |y| in
// unsigned arithmetic (both overflowed: undefined, so not constant)
constexpr auto minus_one = gg::var<"x">(-1.0);
static_assert(gg::derivative(gg::pow(gg::var<"x">(1.0), INT_MIN), gg::var<"x">(1.0)) ==
              -2147483648.0);
static_assert(gg::derivative(gg::pow(minus_one, INT_MIN), minus_one) == 2147483648.0);  // (-1)^odd
static_assert(gg::value(gg::pow(minus_one, LLONG_MIN)) == 1.0);
static_assert(gg::derivative(gg::pow(minus_one, LLONG_MIN), minus_one) == 9223372036854775808.0);

// sqrt: correctly rounded, as std::sqrt at run time
static_assert(gg::value(gg::sqrt(four)) == 2.0);
static_assert(gg::derivative(gg::sqrt(four), four) == 0.25);
static_assert(gg::value(gg::sqrt(x)) == 1.4142135623730951);
static_assert(gg::value(gg::sqrt(gg::var<"x">(2.0f))) == 1.41421354f);
static_assert(gg::value(gg::sqrt(gg::var<"x">(1e-300))) == 1e-150);
static_assert(gg::value(gg::sqrt(gg::var<"x">(0.01))) == 0.1);
static_assert(gg::value(gg::sqrt(gg::var<"x">(10.0))) == 3.1622776601683795);
static_assert(gg::derivative(gg::sqrt(x * x), x) == 1.0);
static_assert(gg::value(gg::d(gg::d(gg::sqrt(four), four), four)) == -1.0 / 32.0);

// abs
static_assert(gg::value(gg::abs(y)) == 3.0 && gg::derivative(gg::abs(y), y) == -1.0);
static_assert(gg::derivative(gg::abs(x), x) == 1.0);
static_assert(gg::derivative(gg::abs(gg::var<"x">(0.0)), gg::var<"x">(0.0)) == 0.0);
static_assert(gg::derivative(gg::fabs(y * 2.0), y) == -2.0);

// min, max: ties go to the first operand
static_assert(gg::value(gg::min(x, y)) == -3.0 && gg::value(gg::max(x, y)) == 2.0);
static_assert(gg::derivative(gg::min(x, y), y) == 1.0 && gg::derivative(gg::min(x, y), x) == 0.0);
static_assert(gg::derivative(gg::max(x, y), x) == 1.0 && gg::derivative(gg::max(x, y), y) == 0.0);
static_assert(gg::derivative(gg::min(x, x * 1.0), x) == 1.0);
static_assert(gg::gradient(gg::max(x, four * 0.5), x, four)[four] == 0.0);
static_assert(gg::derivative(gg::fmax(y, x), x) == 1.0);

// select and comparisons
static_assert(gg::value(gg::select(x < y, x, y)) == -3.0);
static_assert(gg::derivative(gg::select(x < y, x* x, y* y), y) == -6.0);
static_assert(gg::derivative(gg::select(x < y, x* x, y* y), x) == 0.0);
// the branch not taken is not visited: 1 / (2 sqrt(0)) would not be a constant
static_assert(gg::derivative(gg::select(x < 0, gg::sqrt(x * 0.0), x), x) == 1.0);
static_assert(gg::value(x < y) == false && gg::value(x > y) == true);
static_assert(gg::value(x <= x) && gg::value(x >= x) && gg::value(x == x) && !gg::value(x != x));
static_assert(std::is_same_v<decltype(gg::value(x < y)), bool>);
static_assert(std::is_same_v<decltype(gg::derivative(x < y, x, gg::allow_unconnected)), gg::zero>);

// rounding, edge cases included
static_assert(gg::value(gg::floor(gg::var<"x">(-2.5))) == -3.0);
static_assert(gg::value(gg::ceil(gg::var<"x">(-2.5))) == -2.0);
static_assert(gg::value(gg::trunc(gg::var<"x">(-2.5))) == -2.0);
static_assert(gg::value(gg::round(gg::var<"x">(-2.5))) == -3.0);
static_assert(gg::value(gg::round(gg::var<"x">(2.5))) == 3.0);
static_assert(gg::value(gg::round(gg::var<"x">(0.49999999999999994))) == 0.0);
static_assert(gg::value(gg::round(gg::var<"x">(4503599627370497.0))) == 4503599627370497.0);
static_assert(gg::value(gg::floor(gg::var<"x">(1e300))) == 1e300);
static_assert(gg::value(gg::ceil(gg::var<"x">(1e-300))) == 1.0);
static_assert(gg::value(gg::floor(gg::var<"x">(-1e-300))) == -1.0);
static_assert(gg::value(gg::round(gg::var<"x">(2.5f))) == 3.0f);
static_assert(gg::value(gg::sign(y)) == -1.0 && gg::value(gg::sign(gg::var<"x">(0.0))) == 0.0);
static_assert(gg::derivative(gg::floor(x) * x, x) == 2.0);  // floor(x) is a constant factor
static_assert(gg::derivative(gg::round(x) + x, x) == 1.0);

// casts
static_assert(gg::value(gg::cast<int>(gg::var<"x">(2.7))) == 2);
static_assert(gg::value(gg::cast<int>(gg::var<"x">(-2.7))) == -2);
static_assert(std::is_same_v<decltype(gg::value(gg::cast<int>(x))), int>);
static_assert(gg::value(gg::cast<bool>(x)) && !gg::value(gg::cast<bool>(x * 0.0)));
static_assert(gg::value(gg::cast<float>(x)) == 2.0f);
static_assert(std::is_same_v<decltype(gg::derivative(gg::cast<float>(x), x)), float>);
static_assert(gg::derivative(gg::cast<float>(x * x), x) == 4.0f);
static_assert(gg::derivative(gg::cast<double>(gg::cast<int>(x)) + x, x) == 1.0);

// integer variables carry values; frozen and constants too
constexpr auto n = gg::var<"n">(3);
static_assert(gg::value(x * n) == 6.0 && gg::derivative(x * n, x) == 3.0);
static_assert(gg::derivative(x * gg::frozen<"w">(0.5) + gg::constant(1.5) * x, x) == 2.0);

// a repeated variables-only sub-tree is evaluated once (shared.hpp), also in
// constant evaluation: d/dx (x^4 + x^2 + sqrt(x^2)) = 4x^3 + 2x + 1 at x = 2
constexpr auto sq = x * x;
static_assert(gg::detail::shared_nodes_t<decltype(sq * sq + sq + gg::sqrt(sq))>::size == 1);
static_assert(gg::derivative(sq * sq + sq + gg::sqrt(sq), x) == 37.0);
static_assert(gg::detail::shared_nodes_t<decltype(sq * 2.0 + sq * 2.0)>::size == 1);  // x * x only
}  // namespace

int main() { return 0; }
