// gg::check_gradient with Eigen vectors and matrices: on the tape and in
// forward mode; a wrong gradient and an empty vector fail.
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

TEST(CheckGradientEigen, Matrices) {
  // sum(A A^T) * A(0, 1): one component per element, in storage order
  auto gram = [](const auto& A) { return (A * A.transpose()).sum() * A(0, 1); };
  Eigen::MatrixXd a(2, 3);
  a << 1.0, -0.5, 2.0, 0.25, 1.5, -1.0;
  const auto r = gg::check_gradient(gram, a);
  EXPECT_TRUE(r) << r;
  ASSERT_EQ(r.entries.size(), 12u);
  EXPECT_EQ(r.entries[2].component, "arg1[2]");  // a(0, 1), column by column
  const Eigen::Matrix2d fixed = (Eigen::Matrix2d() << 0.5, 1.0, -1.0, 2.0).finished();
  EXPECT_TRUE(gg::check_gradient(gram, fixed));
  const Eigen::RowVector3d row(0.5, -1.0, 2.0);
  EXPECT_TRUE(gg::check_gradient([](const auto& v) { return v.squaredNorm() * v(0, 1); }, row));
}

// The shapes the engines take; a float matrix, an Array, a Map and
// std::array are compile errors naming their position.
static_assert(gg::detail::checked_vector<Eigen::VectorXd>);
static_assert(gg::detail::checked_vector<Eigen::Vector3d>);
static_assert(gg::detail::checked_vector<Eigen::MatrixXd>);
static_assert(gg::detail::checked_vector<Eigen::RowVectorXd>);
static_assert(gg::detail::checked_vector<std::vector<double>>);
static_assert(!gg::detail::checked_vector<Eigen::VectorXf>);
static_assert(!gg::detail::checked_vector<Eigen::ArrayXd>);
static_assert(!gg::detail::checked_vector<Eigen::Map<Eigen::VectorXd>>);
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
