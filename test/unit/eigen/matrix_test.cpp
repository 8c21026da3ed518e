// gg::real_matrix and gg::real_vector: each matrix operation is one block on
// the tape; every gradient is checked against central finite differences of
// the same recorded computation.
#include <gradguard/eigen.hpp>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>
#include <thread>
#include <tuple>

namespace gg = gradguard;
using ::testing::HasSubstr;

namespace {

using matrix = Eigen::MatrixXd;

// The value of f at inputs, recorded on a fresh tape.
template <class F>
double value_at(const F& f, const matrix& a, const matrix& b) {
  gg::tape t;
  gg::real_matrix A = t.variable("A", a);
  gg::real_matrix B = t.variable("B", b);
  return gg::value(f(A, B));
}

// Checks tape.gradient(f(A, B), {A, B}) against central differences.
template <class F>
void expect_gradient(const F& f, const matrix& a, const matrix& b, double tol = 1e-6) {
  gg::tape t;
  gg::real_matrix A = t.variable("A", a);
  gg::real_matrix B = t.variable("B", b);
  const gg::real y = f(A, B);
  auto g = t.gradient(y, {A, B}, gg::allow_unconnected);
  const matrix dA = g[A], dB = g[B];
  ASSERT_EQ(dA.rows(), a.rows());
  ASSERT_EQ(dB.cols(), b.cols());
  const double h = 1e-6;
  for (int which = 0; which < 2; ++which) {
    const matrix& x = which == 0 ? a : b;
    const matrix& d = which == 0 ? dA : dB;
    for (Eigen::Index k = 0; k < x.size(); ++k) {
      auto at = [&](double t) {
        matrix q = x;
        q(k) = t;
        return which == 0 ? value_at(f, q, b) : value_at(f, a, q);
      };
      const double fd = gg::central_difference(at, x(k), h, false).derivative;
      EXPECT_NEAR(d(k), fd, tol * (1 + std::abs(fd))) << (which ? "B" : "A") << "(" << k << ")";
    }
  }
}

matrix random(Eigen::Index r, Eigen::Index c, unsigned seed) {
  std::srand(seed);
  return matrix::Random(r, c);
}

TEST(RealMatrix, ProductGradientIsOnesTimesBTransposed) {
  gg::tape t;
  const matrix a = random(4, 3, 1), b = random(3, 2, 2);
  gg::real_matrix A = t.variable("A", a);
  gg::real_matrix B = t.variable("B", b);
  gg::real y = gg::sum(A * B);
  EXPECT_NEAR(gg::value(y), (a * b).sum(), 1e-12);
  auto g = t.gradient(y, {A, B});
  const matrix dA = g[A], dB = g[B];
  EXPECT_TRUE(dA.isApprox(matrix::Ones(4, 2) * b.transpose(), 1e-14));
  EXPECT_TRUE(dB.isApprox(a.transpose() * matrix::Ones(4, 2), 1e-14));
  // One block per operation: 12 + 6 variables, 8 product outputs, 1 sum.
  EXPECT_EQ(t.size(), 12u + 6 + 8 + 1);
}

TEST(RealMatrix, EveryOperationAgreesWithFiniteDifferences) {
  const matrix a = random(3, 4, 3), b = random(3, 4, 4);
  const matrix pos_a = a.array().abs() + 0.5, pos_b = b.array().abs() + 0.5;
  using M = const gg::real_matrix&;
  expect_gradient([](M A, M B) { return gg::sum(A + B * 2.0); }, a, b);
  expect_gradient([](M A, M B) { return gg::sum(gg::cwise_product(A - B, A)); }, a, b);
  expect_gradient([](M A, M B) { return gg::sum(gg::cwise_quotient(A, B)); }, a, pos_b);
  expect_gradient([](M A, M B) { return gg::dot(A, B); }, a, b);
  expect_gradient([](M A, M B) { return gg::squared_norm(A - B); }, a, b);
  expect_gradient([](M A, M B) { return gg::log_sum_exp(A) + gg::mean(B); }, a, b);
  expect_gradient([](M A, M B) { return gg::sum(gg::exp(A) + gg::log(B)); }, a, pos_b);
  expect_gradient([](M A, M B) { return gg::sum(gg::sqrt(A) - gg::square(B)); }, pos_a, b);
  expect_gradient([](M A, M B) { return gg::sum(gg::tanh(A) + gg::sigmoid(B)); }, a, b);
  expect_gradient([](M A, M B) { return gg::sum(gg::relu(A - B)); }, a, b);
  expect_gradient([](M A, M B) { return gg::sum(gg::transpose(A) * B); }, a, b);
  expect_gradient([](M A, M B) { return gg::dot(gg::colwise_sum(A), gg::colwise_sum(B)); }, a, b);
  expect_gradient([](M A, M B) { return gg::squared_norm(gg::rowwise_sum(gg::square(A + B))); }, a,
                  b);
  expect_gradient([](M A, M B) { return gg::squared_norm(gg::colwise_add(A, gg::rowwise_sum(B))); },
                  a, b);
  expect_gradient([](M A, M B) { return gg::sum(-A * 3.0) + gg::sum(1.0 - B / 2.0); }, a, b);
  expect_gradient(
      [](M A, M B) {
        return gg::sum(gg::colwise_log_sum_exp(gg::vstack({A, gg::exp(B), A * 0.5})));
      },
      a, b);
}

// prod(A)'s adjoint is the product of the other elements, by prefix and
// suffix products: exact at a zero element, where dividing by it fails.
TEST(RealMatrix, ProdAgreesWithFiniteDifferencesIncludingZeros) {
  const matrix a = random(3, 4, 26).array() * 0.5 + 1.0;  // in [0.5, 1.5]: no tiny product
  const matrix b = random(2, 3, 27);
  using M = const gg::real_matrix&;
  expect_gradient([](M A, M B) { return gg::prod(A) * gg::sum(B); }, a, b);
  expect_gradient([](M A, M B) { return gg::prod(A) + gg::prod(gg::exp(B)); }, a, b);
  matrix one_zero = a, two_zeros = a;
  one_zero(1, 2) = 0.0;
  two_zeros(1, 2) = two_zeros(2, 0) = 0.0;
  expect_gradient([](M A, M B) { return gg::prod(A) + gg::prod(gg::exp(B)); }, one_zero, b);
  expect_gradient([](M A, M B) { return gg::prod(A) + gg::prod(gg::exp(B)); }, two_zeros, b);

  // The adjoints themselves: the products of the others, exactly.
  for (const matrix& x : {a, one_zero, two_zeros}) {
    gg::tape t;
    gg::real_vector v = t.variable("v", Eigen::VectorXd(x.reshaped()));
    gg::real y = gg::prod(v);
    EXPECT_NEAR(gg::value(y), x.prod(), 1e-15);
    const Eigen::VectorXd dv = t.gradient(y, {v})[v];
    for (Eigen::Index k = 0; k < x.size(); ++k) {
      double others = 1.0;
      for (Eigen::Index j = 0; j < x.size(); ++j)
        if (j != k) others *= x(j);
      EXPECT_NEAR(dv(k), others, 1e-15) << "v(" << k << ")";
    }
    EXPECT_EQ(t.size(), static_cast<std::size_t>(x.size()) + 1);  // the variables and one block
  }
  gg::tape t;
  gg::real_matrix E = t.variable("E", matrix(0, 2));
  gg::real_matrix A = t.variable("A", a);
  gg::real y = gg::prod(E) * gg::sum(A);
  EXPECT_EQ(gg::value(y), a.sum());  // the empty product is 1
  EXPECT_TRUE(matrix(t.gradient(y, {A})[A]).isOnes());
}

TEST(RealMatrix, ProductsWithVectorsAndConstantMatrices) {
  const matrix a = random(3, 3, 5), x = random(3, 1, 6);
  const matrix data = random(2, 3, 7);
  using M = const gg::real_matrix&;
  // A vector is a one-column matrix; Eigen matrices of numbers are constants.
  expect_gradient([&](M A, M v) { return gg::squared_norm(data * (A * v)); }, a, x);
  expect_gradient(
      [&](M A, M v) { return gg::sum(gg::exp(A * 0.1) * data.transpose()) + gg::sum(v); }, a, x);
  gg::tape t;
  gg::real_vector v = t.variable("v", Eigen::VectorXd(x));
  static_assert(std::is_same_v<decltype(v), gg::real_vector>);
  gg::real_vector Av = data.transpose() * (data * v);
  EXPECT_EQ(Av.rows(), 3);
  EXPECT_EQ(Av.cols(), 1);
  gg::real y = gg::dot(Av, v);
  auto g = t.gradient(y, {v});
  const Eigen::VectorXd dv = g[v];
  const matrix S = data.transpose() * data;
  EXPECT_TRUE(dv.isApprox((S + S.transpose()) * x, 1e-12));
}

TEST(RealMatrix, ScalarRealsBroadcastAndMixWithMatrices) {
  gg::tape t;
  const matrix a = random(2, 3, 8);
  gg::real s = t.variable("s", 1.5);
  gg::real_matrix A = t.variable("A", a);
  gg::real y = gg::sum(A * s) * s + gg::squared_norm(A / s);
  auto g = t.gradient(y, {s, A});
  // y = s^2 sum(A) + |A|^2 / s^2
  EXPECT_NEAR(g[s], 2 * 1.5 * a.sum() - 2 * a.squaredNorm() / std::pow(1.5, 3), 1e-12);
  const matrix dA = g[A];
  EXPECT_TRUE(dA.isApprox(matrix::Constant(2, 3, 1.5 * 1.5) + 2 * a / (1.5 * 1.5), 1e-12));
}

TEST(RealMatrix, ScalarStatementsBetweenBlocksAgreeWithFiniteDifferences) {
  // Blocks, scalar statements that read block outputs, blocks that read
  // scalar statements, and a run-time branch, in one recording.
  using M = const gg::real_matrix&;
  auto f = [](M A, M B) {
    gg::real s = gg::sum(A);
    gg::real t = s * s + gg::exp(A(0, 1));  // scalar statements on block outputs
    gg::real_matrix C = gg::tanh(A * t) + B;
    gg::real u = 0.0;
    for (Eigen::Index i = 0; i < C.rows(); ++i)
      if (C(i, 0) > 0) u += C(i, 0) * C(i, 1);
      else u -= C(i, 0);
    return gg::real(u * gg::log_sum_exp(gg::cwise_product(C, B)) + t);
  };
  expect_gradient(f, random(3, 2, 22) * 0.5, random(3, 2, 23));
}

TEST(RealMatrix, ConvertsToAndFromEigenMatricesOfReals) {
  gg::tape t;
  const matrix a = random(2, 2, 9);
  gg::real_matrix A = t.variable("A", a);
  // To scalar code: the elements are the matrix's own tape values.
  Eigen::Matrix<gg::real, -1, -1> R = A.reals();
  gg::real det = R(0, 0) * R(1, 1) - R(0, 1) * R(1, 0);
  auto g = t.gradient(det, {A});
  const matrix dA = g[A];
  EXPECT_NEAR(dA(0, 0), a(1, 1), 1e-15);
  EXPECT_NEAR(dA(0, 1), -a(1, 0), 1e-15);
  // And back: one copy statement per element.
  gg::real_matrix B(R * 2.0);
  gg::real y = gg::sum(gg::square(B));
  auto h = t.gradient(y, {A});
  EXPECT_TRUE(matrix(h[A]).isApprox(8 * a, 1e-14));
  EXPECT_EQ(B.value()(1, 0), 2 * a(1, 0));
}

TEST(RealMatrix, GradientOfAnElementOfABlockSweepsTheWholeBlock) {
  gg::tape t;
  const matrix a = random(3, 3, 10);
  gg::real_matrix A = t.variable("A", a);
  gg::real_matrix C = A * A;
  // y is the first output of the product's block: the sweep starts at its last.
  auto g = t.gradient(C(0, 0), {A});
  matrix expected = matrix::Zero(3, 3);
  expected.row(0) += a.col(0).transpose();
  expected.col(0) += a.row(0).transpose();
  EXPECT_TRUE(matrix(g[A]).isApprox(expected, 1e-14));
}

TEST(RealMatrix, MissingGradientsNameTheMatrix) {
  gg::tape t;
  gg::real_matrix A = t.variable("A", random(2, 2, 11));
  gg::real_matrix W = t.variable("W", random(2, 2, 12), gg::trainable::no);
  gg::real_matrix U = t.variable("U", random(2, 2, 13));
  gg::real y = gg::sum(A * W);
  try {
    (void)t.gradient(y, {A, W, U});
    FAIL() << "no gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    EXPECT_THAT(e.what(), HasSubstr("'W'"));
    EXPECT_THAT(e.what(), HasSubstr("is frozen (created with gg::trainable::no)"));
    EXPECT_THAT(e.what(), HasSubstr("'U'"));
    EXPECT_THAT(e.what(), HasSubstr("is never used on a path to the result"));
    EXPECT_THAT(e.what(), ::testing::Not(HasSubstr("'A'")));
  }
  auto g = t.gradient(y, {A, W, U}, gg::allow_unconnected);
  EXPECT_TRUE(matrix(g[W]).isZero());
  EXPECT_TRUE(matrix(g[U]).isZero());
  EXPECT_FALSE(matrix(g[A]).isZero());
}

TEST(RealMatrix, ACutOnTheScalarPathIsBlamed) {
  gg::tape t;
  gg::real_matrix A = t.variable("A", random(2, 2, 14));
  gg::real y = gg::floor(gg::sum(A));
  try {
    (void)t.gradient(y, {A});
    FAIL() << "no gg::missing_gradient";
  } catch (const gg::missing_gradient& e) {
    EXPECT_THAT(e.what(), HasSubstr("'A'"));
    EXPECT_THAT(e.what(), HasSubstr("only through 'floor'"));
  }
}

TEST(RealMatrix, BadShapesAndStaleMatricesAreClearErrors) {
  gg::tape t;
  gg::real_matrix A = t.variable("A", random(2, 3, 15));
  gg::real_matrix B = t.variable("B", random(2, 3, 16));
  try {
    (void)(A * B);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("A is 2 x 3 and B is 2 x 3; a product needs A.cols() == B.rows()"));
  }
  EXPECT_THROW((void)gg::cwise_product(A, gg::transpose(B)), std::invalid_argument);
  EXPECT_THROW((void)(gg::real_matrix() + gg::real_matrix()), std::invalid_argument);
  t.clear();
  EXPECT_THROW((void)gg::sum(A), gg::tape_mismatch);
  try {  // reading the value would read the next recording's numbers
    (void)gg::value(A);
    FAIL() << "no gg::tape_mismatch";
  } catch (const gg::tape_mismatch& e) {
    EXPECT_THAT(e.what(), HasSubstr("a gg::real_matrix (values #0 to #5) is used after its tape "
                                    "was cleared or destroyed"));
  }
  EXPECT_THROW((void)A(0, 0), gg::tape_mismatch);
  EXPECT_THROW((void)A.reals(), gg::tape_mismatch);
  gg::tape other;
  gg::real_matrix C = other.variable("C", random(3, 3, 17));
  gg::real_matrix D = t.variable("D", random(3, 3, 18));
  EXPECT_THROW((void)(C * D), gg::tape_mismatch);
  // as requested variables: a mismatch, never a silent 0
  const gg::real y = gg::sum(D);
  EXPECT_THROW((void)t.gradient(y, {A, D}, gg::allow_unconnected), gg::tape_mismatch);
  EXPECT_THROW((void)t.gradient(y, {C, D}, gg::allow_unconnected), gg::tape_mismatch);
  EXPECT_THROW((void)t.gradient(y, {C, D}), gg::tape_mismatch);
}

TEST(RealMatrix, GradientsOfANamedResultAreViewsOfATemporaryOwnMatrices) {
  gg::tape t;
  const matrix a = random(2, 3, 25);
  gg::real_matrix A = t.variable("A", a);
  gg::real y = gg::squared_norm(A);
  const auto g = t.gradient(y, {A});
  const auto view = g[A];
  static_assert(std::is_same_v<decltype(view), const Eigen::Map<const matrix>>);
  EXPECT_EQ(view.data(), g[A].data());  // no copy
  auto own = t.gradient(y, {A})[A];     // a temporary result: its own matrix
  static_assert(std::is_same_v<decltype(own), matrix>);
  EXPECT_TRUE(own.isApprox(2 * a));
  EXPECT_TRUE(matrix(view).isApprox(2 * a));
}

TEST(RealMatrix, AnEmptyMatrixHasAnEmptyGradient) {
  gg::tape t;
  gg::real_matrix E = t.variable("E", matrix(0, 3));
  gg::real_matrix A = t.variable("A", random(2, 2, 24));
  gg::real y = gg::sum(A);
  auto g = t.gradient(y, {E, A});
  EXPECT_EQ(matrix(g[E]).size(), 0);
  EXPECT_EQ(matrix(g[E]).cols(), 3);
  EXPECT_TRUE(matrix(g[A]).isOnes());
}

TEST(RealMatrix, CheckFiniteNamesTheMatrixOperation) {
  gg::tape t(gg::check_finite);
  matrix a = random(2, 2, 19).array().abs();
  a(1, 1) = 0;
  gg::real_matrix A = t.variable("A", a);
  gg::real y = gg::sum(gg::sqrt(A));
  try {
    (void)t.gradient(y, {A});
    FAIL() << "no gg::non_finite_adjoint";
  } catch (const gg::non_finite_adjoint& e) {
    EXPECT_THAT(e.what(), HasSubstr("the adjoint of 'A'"));
    EXPECT_THAT(e.what(), HasSubstr("matrix operation 'sqrt'"));
    EXPECT_THAT(e.what(), HasSubstr("matrix_test.cpp:"));
  }
}

// A / B with B_i = 0 makes both dA_i and dB_i infinite; with only B
// requested, the block is still reported (it noted only its first operand,
// A, which reaches nothing requested, and returned an infinite dB silently).
TEST(RealMatrix, CheckFiniteReportsEveryOperandABlockMadeNonFinite) {
  gg::tape t(gg::check_finite);
  matrix a = random(2, 2, 23), b = random(2, 2, 29).array().abs() + 0.5;
  b(0, 1) = 0;
  gg::real_matrix A = t.variable("A", a);
  gg::real_matrix B = t.variable("B", b);
  gg::real y = gg::sum(gg::cwise_quotient(A, B));
  try {
    (void)t.gradient(y, {B});
    FAIL() << "no gg::non_finite_adjoint";
  } catch (const gg::non_finite_adjoint& e) {
    EXPECT_THAT(e.what(), HasSubstr("the adjoint of 'B"));
    EXPECT_THAT(e.what(), HasSubstr("cwise_quotient"));
  }
}

#if GRADGUARD_CHECK_THREAD
// tape.variable of a matrix on a thread other than the tape's is refused as a
// scalar one is (it went straight to the matrix recorder, unchecked).
TEST(RealMatrix, AMatrixVariableOnAnotherThreadIsReported) {
  gg::tape t;
  std::string message = "no exception";
  std::thread other([&] {
    try {
      (void)t.variable("A", random(2, 2, 31));
    } catch (const gg::tape_mismatch& e) {
      message = e.what();
    }
  });
  other.join();
  EXPECT_THAT(message, HasSubstr("tape.variable on thread"));
  EXPECT_EQ(t.size(), 0u);
}
#endif

// An operation recorded and never used sends nothing back, as an unused
// scalar statement does: its backward rule (a zero adjoint times sqrt's
// infinite partial at 0) must not run and turn the gradient into NaN.
TEST(RealMatrix, AnUnusedOperationDoesNotPoisonTheGradient) {
  matrix a = random(3, 1, 25).array().abs();
  a(1) = 0;
  const matrix b = random(2, 2, 26);
  using M = const gg::real_matrix&;
  // unused entirely
  expect_gradient(
      [](M A, M B) {
        [[maybe_unused]] const gg::real_matrix s = gg::sqrt(A);
        return gg::sum(A) + gg::sum(B);
      },
      a, b);
  // used only where its partial is finite: the element at 0 gets no adjoint
  expect_gradient([](M A, M B) { return gg::sum(A) + gg::sqrt(A)(0) + gg::sum(B); }, a, b);
  // the same on a tape with check_finite: nothing to report
  gg::tape t(gg::check_finite);
  gg::real_vector A = t.variable("A", Eigen::VectorXd(a));
  [[maybe_unused]] const gg::real_vector s = gg::sqrt(A);
  const gg::real y = gg::sum(A);
  const Eigen::VectorXd dA = t.gradient(y, {A})[A];
  EXPECT_TRUE(dA.isOnes()) << dA.transpose();
}

TEST(RealMatrix, ClearKeepsTheMemoryAndRecordsAgain) {
  gg::tape t;
  const matrix a = random(8, 8, 20), b = random(8, 8, 21);
  for (int round = 0; round < 3; ++round) {
    t.clear();
    gg::real_matrix A = t.variable("A", a);
    gg::real_matrix B = t.variable("B", b);
    gg::real y = gg::sum(A * B);
    auto g = t.gradient(y, {A, B});
    EXPECT_TRUE(matrix(g[A]).isApprox(matrix::Ones(8, 8) * b.transpose(), 1e-14));
  }
}

}  // namespace

TEST(RealMatrix, AConstantMatrixAndARealMakeOneBlock) {
  const Eigen::VectorXd y = random(6, 1, 21);
  using M = const gg::real_matrix&;
  // f(mu, sigma) = -0.5 |(y - mu) / sigma|^2: the data stay a constant.
  const auto f = [&](M A, M B) {
    const gg::real mu = A(0), sigma = B(0);
    const gg::real_vector z = gg::cwise_quotient(y - mu, sigma);
    return -0.5 * gg::squared_norm(z) + gg::sum(mu - y) + gg::sum(gg::cwise_product(y, sigma));
  };
  expect_gradient(f, matrix::Constant(1, 1, 0.3), matrix::Constant(1, 1, 0.7));
  // The closed form, and one block per operation (no copy of y on the tape).
  gg::tape t;
  const gg::real mu = t.variable("mu", 0.3), sigma = t.variable("sigma", 0.7);
  const std::size_t before = t.size();
  const gg::real_vector z = gg::cwise_quotient(y - mu, sigma);
  const gg::real l = -0.5 * gg::squared_norm(z);
  EXPECT_EQ(t.size(), before + 6 + 6 + 1 + 1);
  const auto g = t.gradient(l, {mu, sigma});
  const Eigen::VectorXd zv = (y.array() - 0.3) / 0.7;
  EXPECT_NEAR(g[mu], zv.sum() / 0.7, 1e-12);
  EXPECT_NEAR(g[sigma], zv.squaredNorm() / 0.7, 1e-12);
}

TEST(RealMatrix, ConstantsAreReadWhenRecorded) {
  // In place for column-major storage of doubles; copied for row-major or an
  // expression. Changing the data after recording changes no gradient.
  matrix d = random(3, 4, 22);
  const matrix d0 = d;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = d;
  const matrix a = random(4, 2, 23);
  gg::tape t;
  gg::real_matrix A = t.variable("A", a);
  const gg::real y = gg::sum(d * A) + gg::sum(r * A) + gg::sum((2.0 * d) * A) +
                     gg::sum(Eigen::Map<const matrix>(d.data(), 3, 4) * A);
  d.setZero();
  r.setZero();
  const matrix dA = t.gradient(y, {A})[A];
  EXPECT_TRUE(dA.isApprox(5.0 * d0.transpose() * matrix::Ones(3, 2), 1e-13));
}

// gg::custom_gradient on matrices: matrix in, matrix cotangent out, one block.
// C = A * B^T with its vjp written by hand (dA = G B, dB = G^T A).
constexpr auto product_bt =
    gg::custom_gradient([](const auto& A, const auto& B) { return (A * B.transpose()).eval(); },
                        [](const auto& G, const auto& A, const auto& B) {
                          return std::tuple{(G * B).eval(), (G.transpose() * A).eval()};
                        });

TEST(RealMatrix, CustomGradientAgreesWithFiniteDifferences) {
  const matrix a = random(3, 4, 31), b = random(2, 4, 32);
  using M = const gg::real_matrix&;
  expect_gradient([](M A, M B) { return gg::sum(gg::tanh(product_bt(A, B))); }, a, b);
  // A scalar result (the cotangent is a number) and a gg::real operand.
  const auto weighted =
      gg::custom_gradient([](const auto& A, double s) { return s * A.squaredNorm(); },
                          [](double g, const auto& A, double s) {
                            return std::tuple{(2 * g * s * A).eval(), g * A.squaredNorm()};
                          });
  expect_gradient([&](M A, M B) { return weighted(A, gg::sum(B)) * 0.5 + gg::sum(B); }, a, b);
  // One block: the product's 6 outputs; the operands are not copied.
  gg::tape t;
  gg::real_matrix A = t.variable("A", a);
  gg::real_matrix B = t.variable("B", b);
  const std::size_t before = t.size();
  gg::real_matrix C = product_bt(A, B);
  EXPECT_EQ(t.size(), before + 6);
  EXPECT_TRUE(matrix(C.value()).isApprox(a * b.transpose(), 1e-14));
}

// A clipped matrix cotangent (elementwise to [-1, 1]), threshold captured.
TEST(RealMatrix, CustomGradientClipsAMatrixCotangent) {
  double t = 1.0;
  const auto clip = gg::custom_gradient(
      [](const auto& A) { return Eigen::MatrixXd(A); },
      [&t](const auto& G, const auto&) { return Eigen::MatrixXd(G.cwiseMax(-t).cwiseMin(t)); });
  gg::tape tape;
  const matrix a = random(2, 2, 33);
  gg::real_matrix A = tape.variable("A", a);
  gg::real y = gg::sum(clip(A) * 3.0) - gg::sum(clip(A) * 0.5);
  const matrix dA = tape.gradient(y, {A})[A];
  // True gradient 3 - 0.5; each use clipped separately: 1 - 0.5.
  EXPECT_TRUE(dA.isApprox(matrix::Constant(2, 2, 0.5), 1e-15)) << dA;
}

// A cotangent of the wrong shape is a clear error when the sweep reaches it.
TEST(RealMatrix, CustomGradientOfTheWrongShapeIsAnError) {
  const auto bad = gg::custom_gradient(
      [](const auto& A) { return Eigen::MatrixXd(A); },
      [](const auto& G, const auto&) { return Eigen::MatrixXd(G.transpose()); });
  gg::tape t;
  gg::real_matrix A = t.variable("A", random(2, 3, 34));
  gg::real y = gg::sum(bad(A));
  try {
    t.gradient(y, {A});
    FAIL() << "no std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(),
                HasSubstr("the vjp returned a 3 x 2 cotangent for input 1, which is 2 x 3"));
  }
}
