// gg::check_gradient with Eigen vectors: on the tape and in forward mode,
// beside numbers and std::vector; a wrong gradient and an empty vector fail.
#include <gradguard/eigen.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace gg = gradguard;
using ::testing::HasSubstr;

namespace {

// |v|^2 * v[0] + s * sum(exp(v)): generic in the scalar of v.
auto fn = [](const auto& v, auto s) {
  using std::exp;
  return (v.array() * v.array()).sum() * v[0] + s * v.array().exp().sum();
};

// x / (1 + x^2) with a vjp that forgets the quotient rule's second term.
constexpr auto wrong_ratio = gg::custom_gradient([](auto x) { return x / (1 + x * x); },
                                                 [](auto g, auto x) { return g / (1 + x * x); });

TEST(CheckGradientEigen, VectorsOnTheTapeAndForward) {
  Eigen::VectorXd v(3);
  v << 1.0, -0.5, 2.0;
  const auto r = gg::check_gradient(fn, v, 0.3);
  EXPECT_TRUE(r) << r;
  EXPECT_EQ(r.engines, (std::vector<std::string>{"taped", "forward"}));
  ASSERT_EQ(r.entries.size(), 8u);
  // d/dv0 = |v|^2 + 2 v0^2 + s exp(v0)
  EXPECT_NEAR(r.entries[0].analytic, 5.25 + 2 + 0.3 * std::exp(1.0), 1e-13);
  EXPECT_EQ(r.entries[0].component, "arg1[0]");
  const Eigen::Vector2d fixed(0.25, 0.75);  // a fixed-size vector
  EXPECT_TRUE(gg::check_gradient(fn, fixed, 0.3));
}

TEST(CheckGradientEigen, AWrongGradientFails) {
  auto g = [](const auto& v) {
    using S = typename std::decay_t<decltype(v)>::Scalar;
    S acc = 0.0;
    for (Eigen::Index i = 0; i < v.size(); ++i) acc = acc + wrong_ratio(v[i]);
    return acc;
  };
  Eigen::VectorXd v(2);
  v << 0.5, 2.0;
  const auto r = gg::check_gradient<gg::taped>(g, v);
  EXPECT_FALSE(r);
  ASSERT_EQ(r.entries.size(), 2u);
  EXPECT_NEAR(r.entries[1].analytic, 1 / 5.0, 1e-15);
  EXPECT_NEAR(r.entries[1].numeric, (1 - 4.0) / 25.0, 1e-10);
}

// The shapes the engines take; a matrix, a row vector, floats and
// std::array are compile errors naming their position.
static_assert(gg::detail::checked_vector<Eigen::VectorXd>);
static_assert(gg::detail::checked_vector<Eigen::Vector3d>);
static_assert(gg::detail::checked_vector<std::vector<double>>);
static_assert(!gg::detail::checked_vector<Eigen::MatrixXd>);
static_assert(!gg::detail::checked_vector<Eigen::RowVectorXd>);
static_assert(!gg::detail::checked_vector<Eigen::VectorXf>);
static_assert(!gg::detail::checked_vector<std::vector<float>>);
static_assert(!gg::detail::checked_vector<std::array<double, 3>>);

TEST(CheckGradientEigen, AnEmptyVectorFails) {
  const auto r = gg::check_gradient(fn, Eigen::VectorXd(), 0.3);
  EXPECT_FALSE(r);
  std::ostringstream os;
  os << r;
  EXPECT_THAT(os.str(), HasSubstr("argument arg1 is empty"));
}

}  // namespace
