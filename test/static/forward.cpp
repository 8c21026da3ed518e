// Forward mode in constant expressions on g++ and clang++: gg::dual is a
// literal type; structurally zero tangents are the type gg::zero; nested
// duals give second derivatives; value_and_grad<gg::forward> on numbers.
#include <gradguard/gradguard.hpp>

#include <array>
#include <type_traits>

namespace gg = gradguard;

namespace {
using d2 = gg::dual<double, 2>;
constexpr d2 x{2.0, {1.0, 0.0}};
constexpr d2 y{-3.0, {0.0, 1.0}};

// arithmetic, with numbers on either side
static_assert(gg::tangent(x * x + 3.0 * x)[0] == 7.0);
static_assert(gg::tangent(x * y - x / y + 1)[0] == -3.0 + 1.0 / 3.0);
static_assert(gg::tangent(x * y - x / y + 1)[1] == 2.0 + 2.0 / 9.0);
static_assert(gg::value(-x * 2 - 1) == -5.0);
static_assert(gg::tangent(d2(1 / x))[0] == -0.25);

// integer pow, sqrt, abs, min/max, select and comparisons
static_assert(gg::tangent(gg::pow(x, 3))[0] == 12.0);
static_assert(gg::tangent(gg::sqrt(x * 8.0))[0] == 1.0);
static_assert(gg::tangent(gg::abs(y))[1] == -1.0);
static_assert(gg::tangent(gg::max(x, y)) == std::array<double, 2>{1.0, 0.0});
static_assert(gg::tangent(gg::min(x, y)) == std::array<double, 2>{0.0, 1.0});
static_assert(gg::tangent(gg::select(x < y, x, y* y)) == std::array<double, 2>{0.0, -6.0});
static_assert(x > y && x == 2 && y != x && (x < y) == false);
static_assert(std::is_same_v<decltype(x < y), bool>);

// compound assignment in a constant expression
constexpr d2 accumulate() {
  d2 s = 0.0;
  for (int i = 1; i <= 3; ++i) s += i * x * y;
  s *= 2;
  return s;
}
static_assert(gg::tangent(accumulate()) == std::array<double, 2>{-36.0, 24.0});

// structural zeros
static_assert(std::is_same_v<decltype(gg::tangent(gg::floor(x))), gg::zero>);
static_assert(std::is_same_v<decltype(gg::tangent(gg::ceil(x))), gg::zero>);
static_assert(std::is_same_v<decltype(gg::tangent(gg::round(x))), gg::zero>);
static_assert(std::is_same_v<decltype(gg::tangent(gg::trunc(x))), gg::zero>);
static_assert(std::is_same_v<decltype(gg::tangent(gg::sign(x))), gg::zero>);
static_assert(std::is_same_v<decltype(gg::tangent(gg::stop_gradient(x))), gg::zero>);
static_assert(std::is_same_v<decltype(gg::tangent(gg::cast<int>(x))), gg::zero>);
static_assert(std::is_same_v<decltype(gg::tangent(gg::floor(x) + 2 * gg::round(y))), gg::zero>);
static_assert(gg::tangent(d2(gg::floor(x * 1.5))) == std::array<double, 2>{0.0, 0.0});
static_assert(gg::tangent(d2(gg::stop_gradient(x) * y))[1] == 2.0);

// second derivatives: d^2/dx^2 x^3 = 6x, d^2/dx dy x^2 y = 2x. Nested duals
// are constant expressions on clang++; g++ 12 rejects them ("modification of
// 'xx' is not a constant expression" while it evaluates a copy of a component
// of xx's tangent), and the unit tests check the same values at run time.
#if defined(__clang__)
using dd = gg::dual<gg::dual<double, 2>, 2>;
constexpr dd xx = dd::variable(d2::variable(2.0, 0), 0);
constexpr dd yy = dd::variable(d2::variable(-3.0, 1), 1);
static_assert(gg::tangent(gg::tangent(dd(xx * xx * xx))[0])[0] == 12.0);
static_assert(gg::tangent(gg::tangent(dd(xx * xx * yy))[0])[1] == 4.0);
static_assert(gg::tangent(gg::tangent(dd(xx * xx * yy))[1])[1] == 0.0);
#endif

// the functional form
constexpr auto r =
    gg::value_and_grad<gg::forward>([](auto a, auto b) { return a * a * b - b; }, 3.0, 2.0);
static_assert(r.value == 16.0 && r.gradient[0] == 12.0 && r.gradient[1] == 8.0);

// dual_like and the operators' constraints
static_assert(gg::dual_like<d2> && gg::dual_like<decltype(x * y)> && !gg::dual_like<double>);
static_assert(gg::dual_operands<d2, int> && gg::dual_operands<double, const d2&>);
static_assert(!gg::dual_operands<double, int> && !gg::dual_operands<d2, const char*>);
}  // namespace

int main() {}
