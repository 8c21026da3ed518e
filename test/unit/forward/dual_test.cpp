// gg::dual: arithmetic and functions against finite differences, structural
// zeros as types, comparisons, compound assignment, lifetimes, nesting
// (second derivatives), gg::dynamic tangents. Every rule's derivative is
// checked by the law tests (test/unit/rules/law.hpp), in forward mode too.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>

namespace gg = gradguard;

namespace {

template <std::size_t N>
using dual = gg::dual<double, N>;

// d f / d x_i at x by the 5-point central stencil (f: array -> double;
// gg::central_partial).
template <std::size_t N, class F>
double partial(const F& f, const std::array<double, N>& x, std::size_t i) {
  return gg::central_partial(f, x, i, 1e-4).derivative;
}

// The gradient of f at x in one forward pass, with N tangents.
template <std::size_t N, class F>
dual<N> forward_pass(const F& f, const std::array<double, N>& x) {
  std::array<dual<N>, N> d;
  for (std::size_t i = 0; i < N; ++i) d[i] = dual<N>::variable(x[i], i);
  return f(std::as_const(d));
}

// A function of 4 inputs with products, quotients, transcendentals, numbers
// on either side of each operator and a select; generic in the scalar.
struct composite {
  template <class S>
  S operator()(const std::array<S, 4>& x) const {
    using std::exp, std::log, std::sin, std::sqrt, std::pow, std::atan2, std::tanh;
    S y = exp(0.3 * x[0]) * sin(x[1]) + log(1.0 + x[2] * x[2]) / (2 + x[3]);
    y += pow(x[0], 3) - sqrt(x[3]) * atan2(x[1], x[2]);
    y -= 2.0 / (1.5 + tanh(x[0] * x[3]));
    y *= 1.0 + 0.1 * x[1];
    y /= 3 - 0.2 * x[2];
    return y;
  }
};

TEST(Dual, CompositeFunctionMatchesFiniteDifferences) {
  const std::array<double, 4> x{0.7, -1.3, 0.4, 2.2};
  const auto y = forward_pass<4>(composite{}, x);
  EXPECT_NEAR(gg::value(y), composite{}(x), 1e-15);  // the compiler may contract to FMA differently
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_NEAR(gg::tangent(y)[i], partial<4>(composite{}, x, i), 1e-8) << "input " << i;
}

TEST(Dual, IsALiteralType) {
  constexpr dual<2> x{2.0, {1.0, 0.0}};
  static_assert(gg::tangent(x * x + 3.0 * x)[0] == 7.0);  // 2x + 3
  static_assert(gg::tangent(x * x + 3.0 * x)[1] == 0.0);
  static_assert(gg::value(x * x + 3.0 * x) == 10.0);
  constexpr dual<2> y = x / (1 + x) - 2 * x;  // d = 1 / (1 + x)^2 - 2
  static_assert(gg::tangent(y)[0] == 1.0 / 9.0 - 2.0);
  constexpr dual<1> s = gg::sqrt(dual<1>{4.0, {1.0}});  // 1 / (2 sqrt x)
  static_assert(gg::tangent(s)[0] == 0.25);
  EXPECT_EQ(gg::tangent(y)[0], 1.0 / 9.0 - 2.0);
}

TEST(Dual, NumbersAreConstants) {
  const dual<2> x = dual<2>::variable(3.0, 1);
  const dual<2> y = 2 * x + 1.5 - x / 4 + 7 - 2.0 * (1 - x);
  EXPECT_DOUBLE_EQ(gg::value(y), 6 + 1.5 - 0.75 + 7 - 2.0 * (1 - 3));
  EXPECT_DOUBLE_EQ(gg::tangent(y)[0], 0.0);
  EXPECT_DOUBLE_EQ(gg::tangent(y)[1], 2 - 0.25 + 2);
  const dual<2> c = 5;  // a constant: zero tangent
  EXPECT_EQ(gg::tangent(c), (std::array<double, 2>{0, 0}));
}

TEST(Dual, StructuralZerosAreTypes) {
  const dual<2> x = dual<2>::variable(2.5, 0);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::floor(x))), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::ceil(x))), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::round(x))), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::trunc(x))), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::sign(x))), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::stop_gradient(x))), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::cast<int>(x))), gg::zero>);
  static_assert(std::is_same_v<decltype(gg::tangent(gg::floor(x) * 2 + 1)), gg::zero>);
  static_assert(!std::is_same_v<decltype(gg::tangent(gg::floor(x) * x)), gg::zero>);
  EXPECT_EQ(gg::value(gg::floor(x)), 2.0);
  EXPECT_EQ(gg::value(gg::stop_gradient(x)), 2.5);
  // converted to a dual: zeros
  const dual<2> f = gg::floor(x);
  EXPECT_EQ(gg::tangent(f), (std::array<double, 2>{0, 0}));
  // a zero tangent in a product: only the other operand's path remains
  const dual<2> g = gg::stop_gradient(x) * x;  // d = value of the stopped x
  EXPECT_DOUBLE_EQ(gg::tangent(g)[0], 2.5);
  // the finite differences of floor(x) * x away from a jump: floor(x)
  EXPECT_NEAR(
      gg::tangent(dual<2>(gg::floor(x) * x))[0],
      partial<1>([](auto q) { return std::floor(q[0]) * q[0]; }, std::array<double, 1>{2.5}, 0),
      1e-8);
}

TEST(Dual, CastToAFloatingTypeKeepsTheTangent) {
  const dual<1> x = dual<1>::variable(1.25, 0);
  const gg::dual<float, 1> f = gg::cast<float>(x * x);
  EXPECT_FLOAT_EQ(gg::value(f), 1.5625f);
  EXPECT_FLOAT_EQ(gg::tangent(f)[0], 2.5f);
  EXPECT_EQ(gg::value(gg::cast<int>(x * 4)), 5);
}

TEST(Dual, ComparisonsCompareValues) {
  const dual<2> x{2.0, {1.0, 0.0}}, y{2.0, {0.0, 1.0}}, z{3.0, {1.0, 1.0}};
  EXPECT_TRUE(x == y);  // values only, as Ceres' Jet
  EXPECT_FALSE(x != y);
  EXPECT_TRUE(x < z && z > x && x <= y && y >= x);
  EXPECT_TRUE(x == 2 && 2.0 == x && x < 2.5 && 1 < x && x * x > 3.5);
  EXPECT_TRUE(x * y == 4.0);
  static_assert(std::is_same_v<decltype(x < z), bool>);
}

TEST(Dual, CompoundAssignmentIncludingAliasing) {
  const dual<2> y = dual<2>::variable(3.0, 1);
  dual<2> x = dual<2>::variable(2.0, 0);
  x += y;  // x + y
  x -= 1;  // x + y - 1
  x *= x;  // (x + y - 1)^2
  x /= y;  // (x + y - 1)^2 / y
  // at (2, 3): value 16/3, d/dx = 2 * 4 / 3, d/dy = 8/3 - 16/9
  EXPECT_DOUBLE_EQ(gg::value(x), 16.0 / 3);
  EXPECT_DOUBLE_EQ(gg::tangent(x)[0], 8.0 / 3);
  EXPECT_DOUBLE_EQ(gg::tangent(x)[1], 8.0 / 3 - 16.0 / 9);
  dual<2> z = dual<2>::variable(2.0, 0);
  z = z * z * z + gg::sin(z);  // reads z while writing it
  EXPECT_DOUBLE_EQ(gg::tangent(z)[0], 12 + std::cos(2.0));
}

TEST(Dual, SelectReadsOnlyTheTakenBranch) {
  const dual<1> x = dual<1>::variable(0.0, 0);
  // sqrt'(0) is infinite: 0 * inf would be NaN if the untaken branch were read
  const dual<1> y = gg::select(x > 0, gg::sqrt(x), 2 * x);
  EXPECT_EQ(gg::tangent(y)[0], 2.0);
  const dual<1> w = gg::select(x < 1, x * x + x, 5.0);
  EXPECT_EQ(gg::tangent(w)[0], 1.0);
  const dual<1> v = gg::select(x > 1, x, 5.0);  // a constant branch taken
  EXPECT_EQ(gg::tangent(v)[0], 0.0);
}

TEST(Dual, MinMaxAndAbsFollowTheChosenOperand) {
  const dual<2> x = dual<2>::variable(-1.5, 0), y = dual<2>::variable(0.5, 1);
  EXPECT_EQ(gg::tangent(dual<2>(gg::max(x, y))), (std::array<double, 2>{0, 1}));
  EXPECT_EQ(gg::tangent(dual<2>(gg::min(x, y))), (std::array<double, 2>{1, 0}));
  EXPECT_EQ(gg::tangent(dual<2>(gg::fmax(x, 0.0))), (std::array<double, 2>{0, 0}));
  EXPECT_EQ(gg::tangent(dual<2>(gg::abs(x * y))), (std::array<double, 2>{-0.5, 1.5}));
}

// Counts the calls of a rule's value and partials: d/dx x^2 = 2x.
struct counting_square_rule {
  static inline int values = 0, partials_calls = 0;
  static auto value(auto x) {
    ++values;
    return x * x;
  }
  static auto partials(auto, auto x) {
    ++partials_calls;
    return std::tuple{2 * x};
  }
};

TEST(Dual, PartialsAreComputedOncePerOperationNotPerTangent) {
  std::array<dual<8>, 8> x;
  for (std::size_t i = 0; i < 8; ++i) x[i] = dual<8>::variable(1.0 + static_cast<double>(i), i);
  const dual<8> s = x[0] + x[1] * x[2] + x[7];
  const dual<8> y = gg::detail::apply_rule<counting_square_rule>(s);
  EXPECT_EQ(counting_square_rule::values, 1);
  EXPECT_EQ(counting_square_rule::partials_calls, 1);
  EXPECT_EQ(gg::tangent(y)[1], 2 * gg::value(s) * 3);
}

TEST(Dual, ExpressionsHoldRvaluesAndCopiesByValue) {
  const dual<2> a = dual<2>::variable(1.5, 0);
  auto make = [](double v) { return dual<2>::variable(v, 1); };
  auto e = gg::exp(a) * make(2.0);  // the dual make returns is moved into e
  const dual<2> r = e;
  EXPECT_DOUBLE_EQ(gg::tangent(r)[0], std::exp(1.5) * 2.0);
  EXPECT_DOUBLE_EQ(gg::tangent(r)[1], std::exp(1.5));
  // a callable that takes its duals by value and returns an expression of them
  auto product = [](auto p, auto q) { return p * q + p; };
  const dual<2> s = product(a, make(4.0));
  EXPECT_DOUBLE_EQ(gg::tangent(s)[0], 5.0);
  EXPECT_DOUBLE_EQ(gg::tangent(s)[1], 1.5);
  // a local dual of a lambda in the expression it returns
  auto local = [](const dual<2>& p) {
    dual<2> t = p * p;
    return t * 2.0;
  };
  const dual<2> u = local(a);
  EXPECT_DOUBLE_EQ(gg::tangent(u)[0], 6.0);
}

TEST(Dual, DoesNotConvertToANumber) {
  // (the compile-fail test dual_to_number checks the message)
  const dual<1> x = dual<1>::variable(1.0, 0);
  const double v = gg::value(x);
  EXPECT_EQ(v, 1.0);
}

TEST(Dual, Finiteness) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(gg::isfinite(dual<2>{1.0, {2.0, 3.0}}));
  EXPECT_FALSE(gg::isfinite(dual<2>{1.0, {inf, 3.0}}));
  EXPECT_TRUE(gg::isinf(dual<2>{1.0, {inf, 3.0}}));
  EXPECT_TRUE(gg::isnan(dual<2>{nan, {0.0, 3.0}}));
  EXPECT_FALSE(gg::isnan(dual<2>{1.0, {inf, 3.0}}));
  const dual<1> zero_x = dual<1>::variable(0.0, 0);
  EXPECT_FALSE(gg::isfinite(gg::sqrt(zero_x)));  // an infinite derivative
}

// What gg::basic_tape<T> needs of its value type (forward over reverse).
TEST(Dual, OffersWhatATapeNeedsOfItsValueType) {
  using T = dual<1>;
  T a = T(0), b = T(1), c = T(2.5);
  a += b * c;
  a = a * c + T(1);
  EXPECT_DOUBLE_EQ(gg::value(a), 2.5 * 2.5 + 1);
  EXPECT_TRUE(gg::isfinite(a));
  EXPECT_TRUE(a != T(0));
  static_assert(std::is_copy_constructible_v<T> && std::is_default_constructible_v<T>);
}

// f(x, y) = e^x sin y + x^3 y^2; its Hessian by nesting duals.
TEST(Dual, NestedDualsGiveSecondDerivatives) {
  using inner = dual<2>;
  using outer = gg::dual<inner, 2>;
  const double x0 = 0.6, y0 = -1.1;
  const outer x = outer::variable(inner::variable(x0, 0), 0);
  const outer y = outer::variable(inner::variable(y0, 1), 1);
  const outer f = gg::exp(x) * gg::sin(y) + gg::pow(x, 3) * gg::pow(y, 2);
  // value and gradient, twice
  EXPECT_DOUBLE_EQ(gg::value(gg::value(f)),
                   std::exp(x0) * std::sin(y0) + std::pow(x0, 3) * y0 * y0);
  const double fx = std::exp(x0) * std::sin(y0) + 3 * x0 * x0 * y0 * y0;
  const double fy = std::exp(x0) * std::cos(y0) + 2 * std::pow(x0, 3) * y0;
  EXPECT_DOUBLE_EQ(gg::tangent(gg::value(f))[0], fx);
  EXPECT_DOUBLE_EQ(gg::value(gg::tangent(f)[1]), fy);
  // the Hessian, symmetric
  const double fxx = std::exp(x0) * std::sin(y0) + 6 * x0 * y0 * y0;
  const double fxy = std::exp(x0) * std::cos(y0) + 6 * x0 * x0 * y0;
  const double fyy = -std::exp(x0) * std::sin(y0) + 2 * std::pow(x0, 3);
  EXPECT_NEAR(gg::tangent(gg::tangent(f)[0])[0], fxx, 1e-13);
  EXPECT_NEAR(gg::tangent(gg::tangent(f)[0])[1], fxy, 1e-13);
  EXPECT_NEAR(gg::tangent(gg::tangent(f)[1])[0], fxy, 1e-13);
  EXPECT_NEAR(gg::tangent(gg::tangent(f)[1])[1], fyy, 1e-13);
}

TEST(Dual, NestedSecondDerivativesOfKnownFunctions) {
  using dd = gg::dual<dual<1>, 1>;
  auto second = [](auto fn, double x0) {
    const dd x = dd::variable(dual<1>::variable(x0, 0), 0);
    const dd y = fn(x);
    return gg::tangent(gg::tangent(y)[0])[0];
  };
  EXPECT_NEAR(second([](const dd& x) { return dd(gg::log(x)); }, 2.0), -0.25, 1e-15);
  EXPECT_NEAR(second([](const dd& x) { return dd(gg::pow(x, 3)); }, 1.5), 9.0, 1e-14);
  EXPECT_NEAR(second([](const dd& x) { return dd(1 / x); }, 2.0), 0.25, 1e-15);
  EXPECT_NEAR(second([](const dd& x) { return dd(gg::sqrt(x)); }, 4.0), -1.0 / 32, 1e-15);
  EXPECT_NEAR(second([](const dd& x) { return dd(gg::tanh(x)); }, 0.3),
              -2 * std::tanh(0.3) * (1 - std::tanh(0.3) * std::tanh(0.3)), 1e-15);
  EXPECT_NEAR(second([](const dd& x) { return dd(gg::sigmoid(x)); }, 0.0), 0.0, 1e-15);
  EXPECT_NEAR(second([](const dd& x) { return dd(gg::atan(x)); }, 1.0), -0.5, 1e-15);
  // third order: three levels, d^3/dx^3 x^4 = 24x
  using ddd = gg::dual<dd, 1>;
  const ddd x = ddd::variable(dd::variable(dual<1>::variable(2.0, 0), 0), 0);
  const ddd y = x * x * x * x;
  EXPECT_DOUBLE_EQ(gg::tangent(gg::tangent(gg::tangent(y)[0])[0])[0], 48.0);
}

TEST(Dual, DynamicTangentsAreSizedAtRunTime) {
  using dyn = gg::dual<double, gg::dynamic>;
  const std::size_t n = 5;
  std::vector<dyn> x;
  for (std::size_t i = 0; i < n; ++i)
    x.push_back(dyn::variable(0.5 + static_cast<double>(i), i, n));
  dyn s = 0.0;  // a constant: an empty tangent, all zeros
  EXPECT_TRUE(gg::tangent(s).empty());
  for (std::size_t i = 0; i < n; ++i) s += gg::log(x[i]) * x[(i + 1) % n];
  ASSERT_EQ(gg::tangent(s).size(), n);
  auto f = [](const std::array<double, 5>& q) {
    double r = 0;
    for (std::size_t i = 0; i < 5; ++i) r += std::log(q[i]) * q[(i + 1) % 5];
    return r;
  };
  const std::array<double, 5> x0{0.5, 1.5, 2.5, 3.5, 4.5};
  for (std::size_t i = 0; i < n; ++i)
    EXPECT_NEAR(gg::tangent(s)[i], partial<5>(f, x0, i), 1e-8) << "input " << i;
  const dyn c = gg::floor(x[0]);  // a structural zero becomes a constant
  EXPECT_TRUE(gg::tangent(c).empty());
  const dyn m = c * x[2] + 1.0;
  EXPECT_EQ(gg::tangent(m).size(), n);
  EXPECT_EQ(gg::tangent(m)[2], 0.0);  // floor(0.5) = 0
}

// NaN safety: a tangent component that is exactly 0 contributes 0, even
// times an infinite partial (sqrt'(0) = inf): d/dx (x^2 + sqrt(y)) at
// (3, 0) is 6, as the tape and the static reverse mode give, not inf * 0.
TEST(Dual, ZeroTangentsTimesInfinitePartialsContributeZero) {
  auto f = [](const auto& x, const auto& y) { return x * x + gg::sqrt(y); };
  const std::array<double, 2> at{3.0, 0.0};
  auto fd_x = [&](std::array<double, 1> q) { return q[0] * q[0] + std::sqrt(at[1]); };
  const auto r = forward_pass<2>([&](const auto& d) { return dual<2>(f(d[0], d[1])); }, at);
  EXPECT_NEAR(gg::tangent(r)[0], partial<1>(fd_x, {at[0]}, 0), 1e-8);
  EXPECT_EQ(gg::tangent(r)[0], 6.0);
  EXPECT_EQ(gg::tangent(r)[1], std::numeric_limits<double>::infinity());  // really infinite
  EXPECT_EQ(gg::value_and_grad(f, 3.0, 0.0).gradient[0], 6.0);            // the static reverse mode

  using dyn = gg::dual<double, gg::dynamic>;
  const dyn x = dyn::variable(3.0, 0, 2), y = dyn::variable(0.0, 1, 2);
  EXPECT_EQ(gg::tangent(dyn(f(x, y)))[0], 6.0);
  // through a longer expression: the infinite coefficient of b's tangent is
  // e^a inf, and b's tangent along a is 0
  const dual<2> a = dual<2>::variable(2.0, 0), b = dual<2>::variable(0.0, 1);
  const dual<2> g = gg::exp(a) * (1.0 + gg::sqrt(b)) + gg::cbrt(b);
  EXPECT_NEAR(gg::tangent(g)[0], std::exp(2.0), 1e-15);

  // second derivatives: d^2/dx^2 = 2, d/dx = 6, with nested duals
  using dd = gg::dual<dual<2>, 2>;
  const dd xx = dd::variable(dual<2>::variable(3.0, 0), 0);
  const dd yy = dd::variable(dual<2>::variable(0.0, 1), 1);
  const dd h = f(xx, yy);
  EXPECT_EQ(gg::tangent(gg::value(h))[0], 6.0);
  EXPECT_EQ(gg::value(gg::tangent(h)[0]), 6.0);
  EXPECT_EQ(gg::tangent(gg::tangent(h)[0])[0], 2.0);
}

TEST(Dual, SeedingAnInputOutsideTheTangentsThrows) {
  EXPECT_THROW((void)dual<2>::variable(1.0, 2), std::out_of_range);
  using dyn = gg::dual<double, gg::dynamic>;
  EXPECT_THROW((void)dyn::variable(1.0, 3, 3), std::out_of_range);  // wrote past the buffer
  EXPECT_THROW((void)dyn::variable(1.0, 0, 0), std::out_of_range);
  EXPECT_EQ(gg::tangent(dyn::variable(1.0, 2, 3))[2], 1.0);
  try {
    (void)dual<4>::variable(1.0, 7);
    ADD_FAILURE() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(),
                 "gradguard: gg::dual<T, 4>::variable(v, 7): input 7 of N = 4 has no tangent; "
                 "inputs are numbered 0 to N - 1 (give the dual a larger N, or gg::dynamic)");
  }
}

TEST(Dual, DynamicDualsOfDifferentWidthsDoNotCombine) {
  using dyn = gg::dual<double, gg::dynamic>;
  const dyn a = dyn::variable(1.0, 0, 2), b = dyn::variable(2.0, 1, 3);
  EXPECT_THROW((void)dyn(a * b), std::invalid_argument);
  EXPECT_THROW((void)dyn(a + gg::sin(b)), std::invalid_argument);
  dyn c = a;
  EXPECT_THROW(c += b, std::invalid_argument);
  try {
    (void)dyn(a - b);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "gradguard: an operation on gg::dual<T, gg::dynamic> combines duals with 2 and "
                 "3 tangents; seed every input with the same n (dual::variable(v, i, n)), or take "
                 "a value with no derivative as a constant (gg::value(d))");
  }
  // a constant (an empty tangent) goes with any width
  const dyn k = 4.0;
  EXPECT_EQ(gg::tangent(dyn(a * k + k)).size(), 2u);
}

}  // namespace
