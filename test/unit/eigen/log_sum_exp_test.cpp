// gg::log_sum_exp and gg::colwise_log_sum_exp of a gg::real_matrix at the
// infinities: the value as torch.logsumexp (+inf with an entry of +inf, -inf
// when every entry is -inf; both were NaN), the gradient the softmax limit
// (1/k on the k entries of +inf; 1/n each when all are -inf; exactly 0 on a
// masked entry of -inf beside a finite one); finite entries against finite
// differences.
#include <gradguard/eigen.hpp>
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace gg = gradguard;

namespace {

using vector = Eigen::VectorXd;
constexpr double inf = std::numeric_limits<double>::infinity();

struct result {
  double value;
  vector gradient;
};

result lse(const vector& a) {
  gg::tape t;
  gg::real_vector A = t.variable("A", a);
  const gg::real y = gg::log_sum_exp(A);
  return {gg::value(y), t.gradient(y, {A})[A]};
}

// The same through the column form (one column) and a sum.
result colwise_lse(const vector& a) {
  gg::tape t;
  gg::real_matrix A = t.variable("A", Eigen::MatrixXd(a));
  const gg::real y = gg::sum(gg::colwise_log_sum_exp(A));
  return {gg::value(y), Eigen::MatrixXd(t.gradient(y, {A})[A])};
}

TEST(LogSumExp, InfinitiesGiveTheValuesOfTorchAndTheSoftmaxLimit) {
  for (auto f : {&lse, &colwise_lse}) {
    const result masked = f(vector{{0.0, -inf, 1.0}});
    EXPECT_DOUBLE_EQ(masked.value, std::log(1.0 + std::exp(1.0)));
    EXPECT_EQ(masked.gradient[1], 0.0);  // exactly
    EXPECT_DOUBLE_EQ(masked.gradient[0], 1.0 / (1.0 + std::exp(1.0)));
    EXPECT_DOUBLE_EQ(masked.gradient[2], std::exp(1.0) / (1.0 + std::exp(1.0)));

    const result all_masked = f(vector{{-inf, -inf, -inf, -inf}});
    EXPECT_EQ(all_masked.value, -inf);
    for (double g : all_masked.gradient) EXPECT_EQ(g, 0.25);

    const result plus_inf = f(vector{{1.0, inf, -inf, inf}});
    EXPECT_EQ(plus_inf.value, inf);
    EXPECT_EQ(plus_inf.gradient, (vector{{0.0, 0.5, 0.0, 0.5}}));

    const result nan = f(vector{{1.0, std::nan(""), 2.0}});
    EXPECT_TRUE(std::isnan(nan.value));
    for (double g : nan.gradient) EXPECT_TRUE(std::isnan(g));
  }
}

TEST(LogSumExp, FiniteEntriesAgreeWithFiniteDifferences) {
  const vector a{{0.3, -1.2, 2.5, 0.0}};
  for (auto f : {&lse, &colwise_lse}) {
    const result r = f(a);
    for (Eigen::Index k = 0; k < a.size(); ++k) {
      const double fd = gg::central_difference(
                            [&](double t) {
                              vector q = a;
                              q[k] = t;
                              return f(q).value;
                            },
                            a[k], 1e-6)
                            .derivative;
      EXPECT_NEAR(r.gradient[k], fd, 1e-8) << k;
    }
  }
}

}  // namespace
