// gg::value_and_grad<gg::forward> (numbers, gg::nondiff, std::vector) and
// gg::jvp, each against the static engine or finite differences.
#include <gradguard/gradguard.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <vector>

namespace gg = gradguard;

namespace {

// d f / d x_i by the 5-point central stencil (gg::central_partial).
template <class F>
double partial(const F& f, const std::vector<double>& x, std::size_t i) {
  return gg::central_partial(f, x, i, 1e-4).derivative;
}

TEST(ForwardValueAndGrad, NumbersMatchTheStaticEngine) {
  auto fn = [](auto x, auto y, auto z) { return gg::exp(x * y) / (1 + z * z) + gg::sin(x) * z; };
  const auto forward = gg::value_and_grad<gg::forward>(fn, 0.3, -1.2, 2.0);
  const auto reverse = gg::value_and_grad(fn, 0.3, -1.2, 2.0);
  static_assert(std::is_same_v<decltype(forward),
                               const gg::value_and_grad_result<double, std::array<double, 3>>>);
  EXPECT_DOUBLE_EQ(forward.value, reverse.value);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(forward.gradient[i], reverse.gradient[i], 1e-15);
  auto [value, gradient] = forward;  // structured bindings, as the static form
  EXPECT_EQ(value, forward.value);
  EXPECT_EQ(gradient.size(), 3u);
}

// One driver, three engines by tag, one result type; the untagged call is
// the static engine. Each against central differences.
TEST(ValueAndGrad, EveryEngineTagGivesTheSameResultType) {
  auto fn = [](auto x, auto y) { return gg::log(1 + x * x) * y - gg::cos(y) / (2 + x); };
  using result = const gg::value_and_grad_result<double, std::array<double, 2>>;
  const auto untagged = gg::value_and_grad(fn, 0.7, -0.4);
  const auto named = gg::value_and_grad<gg::static_expression>(fn, 0.7, -0.4);
  const auto taped = gg::value_and_grad<gg::taped>(fn, 0.7, -0.4);
  const auto forward = gg::value_and_grad<gg::forward>(fn, 0.7, -0.4);
  static_assert(
      std::is_same_v<decltype(untagged), result> && std::is_same_v<decltype(named), result> &&
      std::is_same_v<decltype(taped), result> && std::is_same_v<decltype(forward), result>);
  const auto plain = [&](const std::vector<double>& v) { return fn(v[0], v[1]); };
  const std::vector<double> at{0.7, -0.4};
  for (const auto* r : {&untagged, &named, &taped, &forward}) {
    EXPECT_NEAR(r->value, plain(at), 1e-15);
    for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(r->gradient[i], partial(plain, at, i), 1e-9);
  }
  EXPECT_EQ(named.gradient, untagged.gradient);  // the same function
}

TEST(ForwardValueAndGrad, IsUsableInConstantExpressions) {
  constexpr auto r =
      gg::value_and_grad<gg::forward>([](auto x, auto y) { return x * x * y + 3 * y; }, 2.0, 5.0);
  static_assert(r.value == 35.0 && r.gradient[0] == 20.0 && r.gradient[1] == 7.0);
  EXPECT_EQ(r.gradient[1], 7.0);
}

TEST(ForwardValueAndGrad, NondiffArgumentsArePassedThrough) {
  auto power = [](auto x, auto n) { return gg::pow(x, n); };
  const auto r = gg::value_and_grad<gg::forward>(power, 2.0, gg::nondiff(3));
  EXPECT_EQ(r.value, 8.0);
  ASSERT_EQ(r.gradient.size(), 1u);
  EXPECT_EQ(r.gradient[0], 12.0);
}

TEST(ForwardValueAndGrad, VectorArgumentsHaveGradientsOfTheirShape) {
  auto fn = [](auto scale, const auto& v, auto offset, const auto& w) {
    gg::dual<double, gg::dynamic> acc = 0.0;
    for (std::size_t i = 0; i < v.size(); ++i) acc += gg::log1p(v[i] * v[i]) * w[i % w.size()];
    return scale * acc + offset;
  };
  const std::vector<double> v{0.5, -1.5, 2.0}, w{1.25, -0.75};
  const auto r = gg::value_and_grad<gg::forward>(fn, 1.5, v, gg::nondiff(0.25), w);
  const auto& [g_scale, g_v, g_w] = r.gradient;
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(g_v)>, std::vector<double>>);
  ASSERT_EQ(g_v.size(), 3u);
  ASSERT_EQ(g_w.size(), 2u);
  // finite differences over all inputs at once: (scale, v..., w...)
  auto flat = [&](const std::vector<double>& q) {
    double acc = 0;
    for (std::size_t i = 0; i < 3; ++i) acc += std::log1p(q[1 + i] * q[1 + i]) * q[4 + i % 2];
    return q[0] * acc + 0.25;
  };
  const std::vector<double> x{1.5, 0.5, -1.5, 2.0, 1.25, -0.75};
  EXPECT_NEAR(r.value, flat(x), 1e-14);
  EXPECT_NEAR(g_scale, partial(flat, x, 0), 1e-8);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(g_v[i], partial(flat, x, 1 + i), 1e-8);
  for (std::size_t i = 0; i < 2; ++i) EXPECT_NEAR(g_w[i], partial(flat, x, 4 + i), 1e-8);
}

TEST(ForwardValueAndGrad, AgreesWithTheTape) {
  auto fn = [](const auto& x) {
    std::remove_cvref_t<decltype(x[0])> s = 0.0;  // gg::dual or gg::real
    for (std::size_t i = 0; i + 1 < x.size(); ++i) s += gg::tanh(x[i] - x[i + 1]) * x[i];
    return s;
  };
  const std::vector<double> x{0.1, 0.7, -0.4, 1.3};
  const auto forward = gg::value_and_grad<gg::forward>(fn, x);
  const auto taped = gg::value_and_grad<gg::taped>(fn, x);
  EXPECT_DOUBLE_EQ(forward.value, taped.value);
  for (std::size_t i = 0; i < x.size(); ++i)
    EXPECT_NEAR(std::get<0>(forward.gradient)[i], std::get<0>(taped.gradient)[i], 1e-15);
}

TEST(Jvp, ScalarOutputIsTheDirectionalDerivative) {
  auto fn = [](const auto& x) { return gg::exp(x[0]) * gg::cos(x[1]) + x[0] * x[1] * x[2]; };
  const std::vector<double> x{0.4, 1.1, -2.0}, v{1.0, -0.5, 2.0};
  const auto r = gg::jvp(fn, x, v);
  static_assert(std::is_same_v<decltype(r), const gg::jvp_result<double>>);
  auto f = [](const std::vector<double>& q) {
    return std::exp(q[0]) * std::cos(q[1]) + q[0] * q[1] * q[2];
  };
  double expected = 0;
  for (std::size_t i = 0; i < 3; ++i) expected += partial(f, x, i) * v[i];
  EXPECT_DOUBLE_EQ(r.value, f(x));
  EXPECT_NEAR(r.tangent, expected, 1e-8);
}

// f: R^2 -> R^3, its Jacobian one column per jvp with v = e_i.
TEST(Jvp, VectorOutputGivesJacobianColumns) {
  auto fn = [](const std::vector<gg::dual<double>>& x) {
    return std::vector<gg::dual<double>>{x[0] * x[1], gg::sin(x[0]) + x[1], gg::hypot(x[0], x[1])};
  };
  auto component = [](std::size_t k) {
    return [k](const std::vector<double>& q) {
      const double out[] = {q[0] * q[1], std::sin(q[0]) + q[1], std::hypot(q[0], q[1])};
      return out[k];
    };
  };
  const std::vector<double> x{0.8, -2.5};
  for (std::size_t i = 0; i < 2; ++i) {
    std::vector<double> e(2, 0.0);
    e[i] = 1.0;
    const auto column = gg::jvp(fn, x, e);
    ASSERT_EQ(column.tangent.size(), 3u);
    for (std::size_t k = 0; k < 3; ++k) {
      EXPECT_DOUBLE_EQ(column.value[k], component(k)(x));
      EXPECT_NEAR(column.tangent[k], partial(component(k), x, i), 1e-8)
          << "J(" << k << ", " << i << ")";
    }
  }
}

TEST(Jvp, MismatchedSizesThrow) {
  auto fn = [](const auto& x) { return x[0] * 2.0; };
  EXPECT_THROW(gg::jvp(fn, std::vector<double>{1, 2}, std::vector<double>{1}),
               std::invalid_argument);
}

// x^3 + x as an expression that refers to x (a const lvalue dual).
template <class X>
auto cube_plus(const X& x) {
  return x * x * x + x;
}

// A result that refers to duals that died with fn is refused before it is
// read (it gave 1 for 37 with g++ -O2; ASan: stack-use-after-scope).
TEST(ForwardDrivers, RefuseAResultThatRefersToDualsThatDiedWithFn) {
  using testing::HasSubstr;
  using testing::ThrowsMessage;
  // fn takes x by value: cube_plus refers to fn's own copy.
  EXPECT_THAT([] { gg::value_and_grad<gg::forward>([](auto x) { return cube_plus(x); }, 3.0); },
              ThrowsMessage<std::logic_error>(HasSubstr(
                  "value_and_grad<gg::forward>(fn, args...): fn returned an expression of duals "
                  "that refers to a gg::dual that is not one of its arguments")));
  // A const local of fn.
  auto local = [](const auto& x, const auto& y) {
    const std::remove_cvref_t<decltype(x)> s = x * y;
    return s * x;
  };
  EXPECT_THROW(gg::value_and_grad<gg::forward>(local, 3.0, 2.0), std::logic_error);
  // The same in a std::vector argument (gg::dynamic) and in gg::jvp.
  auto vector_local = [](const auto& v) {
    const gg::dual<double, gg::dynamic> s = v[0] * v[1];
    return s * v[0];
  };
  EXPECT_THROW(gg::value_and_grad<gg::forward>(vector_local, std::vector<double>{3, 2}),
               std::logic_error);
  // A gg::dual_view of a local (views are the library's own, but public).
  auto view_local = [](const auto& x) {
    const std::remove_cvref_t<decltype(x)> s = x * x;
    return gg::dual_view(s);
  };
  EXPECT_THROW(gg::value_and_grad<gg::forward>(view_local, 3.0), std::logic_error);
  auto jvp_local = [](const auto& v) {
    const gg::dual<double> s = v[0] * v[1];
    return s * v[0];
  };
  EXPECT_THROW(gg::jvp(jvp_local, std::vector<double>{3, 2}, std::vector<double>{1, 0}),
               std::logic_error);

  // The fixes the message names give the derivative, checked against finite
  // differences: parameters by reference, and a const local made a dual.
  const double h = 1e-4;
  auto fd = [h](auto f, double at) { return gg::central_difference(f, at, h).derivative; };
  EXPECT_NEAR(
      gg::value_and_grad<gg::forward>([](const auto& x) { return cube_plus(x); }, 3.0).gradient[0],
      fd([](double t) { return t * t * t + t; }, 3.0), 1e-7);
  auto local_as_dual = [](const auto& x, const auto& y) {
    using S = std::remove_cvref_t<decltype(x)>;
    const S s = x * y;
    return S(s * x);
  };
  const auto g = gg::value_and_grad<gg::forward>(local_as_dual, 3.0, 2.0);
  EXPECT_NEAR(g.gradient[0], fd([](double t) { return t * t * 2; }, 3.0), 1e-7);
  EXPECT_NEAR(g.gradient[1], fd([](double t) { return 9 * t; }, 2.0), 1e-7);
}

}  // namespace
