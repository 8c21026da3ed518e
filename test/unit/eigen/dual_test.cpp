// gg::dual as an Eigen scalar: products (also mixed with double), reductions,
// LLT and PartialPivLU solves, inverse and determinant, each derivative
// against finite differences; Eigen vectors in value_and_grad<gg::forward>
// and gg::jvp.
#include <gradguard/eigen.hpp>

#include <gtest/gtest.h>
#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace gg = gradguard;

namespace {

using dual4 = gg::dual<double, 4>;

// The 4 parameters p enter a 3x3 symmetric positive definite matrix A(p),
// a vector b(p) and a rectangular matrix C(p); each test reduces a result to
// a number g(p). The forward tangent of g is checked against finite differences.
template <class S>
Eigen::Matrix<S, 3, 3> spd(const Eigen::Matrix<S, 4, 1>& p) {
  Eigen::Matrix<S, 3, 3> l;
  l << 1.0 + p[0] * p[0], S(0.0), S(0.0),  //
      p[1], 2.0 + p[2], S(0.0),            //
      p[3] * p[0], p[2] - p[1], 1.5 + p[3] * p[3];
  return l * l.transpose() + Eigen::Matrix<S, 3, 3>::Identity();
}
template <class S>
Eigen::Matrix<S, 3, 1> rhs(const Eigen::Matrix<S, 4, 1>& p) {
  return Eigen::Matrix<S, 3, 1>(p[0] - p[3], p[1] * p[2], 1.0 + p[2]);
}

const Eigen::Vector4d p0(0.3, -0.8, 0.5, 1.2);

template <class G>
void expect_matches_finite_differences(const G& g) {
  Eigen::Matrix<dual4, 4, 1> p;
  for (int i = 0; i < 4; ++i) p[i] = dual4::variable(p0[i], static_cast<std::size_t>(i));
  const dual4 y = g(p);
  EXPECT_NEAR(gg::value(y), g(p0), 1e-12 * std::max(1.0, std::fabs(g(p0))));
  for (int i = 0; i < 4; ++i) {
    const double fd = gg::central_difference(
                          [&](double t) {
                            Eigen::Vector4d q = p0;
                            q[i] = t;
                            return g(q);
                          },
                          p0[i], 1e-4)
                          .derivative;
    EXPECT_NEAR(gg::tangent(y)[static_cast<std::size_t>(i)], fd,
                1e-7 * std::max(1.0, std::fabs(fd)))
        << "parameter " << i;
  }
}

TEST(EigenDual, Products) {
  expect_matches_finite_differences([](const auto& p) {
    const auto a = spd(p);
    using S = typename std::remove_cvref_t<decltype(p)>::Scalar;
    const Eigen::Matrix<S, -1, -1> ad = a;  // dynamic sizes take the GEMM kernel
    return S((a * a * rhs(p)).sum() + (ad * ad).trace());
  });
}

TEST(EigenDual, MixedProductsWithDouble) {
  Eigen::MatrixXd m(2, 3);
  m << 1.0, -2.0, 0.5, 3.0, 0.25, -1.0;
  expect_matches_finite_differences([&](const auto& p) {
    using S = typename std::remove_cvref_t<decltype(p)>::Scalar;
    const Eigen::Matrix<S, -1, -1> a = spd(p);
    const Eigen::Matrix<S, -1, -1> left = m * a;               // double * dual
    const Eigen::Matrix<S, -1, -1> right = a * m.transpose();  // dual * double
    const Eigen::Matrix<S, -1, 1> v = m * rhs(p);              // matrix-vector
    return S(left.sum() + right.squaredNorm() + v.dot(v) + (2.0 * a).trace());
  });
}

TEST(EigenDual, Reductions) {
  expect_matches_finite_differences([](const auto& p) {
    using S = typename std::remove_cvref_t<decltype(p)>::Scalar;
    const auto a = spd(p);
    return S(a.sum() + a.norm() + a.maxCoeff() + a.minCoeff() + a.prod() * 1e-3 +
             rhs(p).squaredNorm() + a.mean() + a.cwiseAbs().sum());
  });
}

TEST(EigenDual, LltSolve) {
  expect_matches_finite_differences([](const auto& p) {
    using S = typename std::remove_cvref_t<decltype(p)>::Scalar;
    const Eigen::Matrix<S, 3, 1> x = spd(p).llt().solve(rhs(p));
    return S(x.sum() + x[0] * x[2]);
  });
}

TEST(EigenDual, PartialPivLuSolveInverseDeterminant) {
  expect_matches_finite_differences([](const auto& p) {
    using S = typename std::remove_cvref_t<decltype(p)>::Scalar;
    Eigen::Matrix<S, -1, -1> a = spd(p);
    a(0, 2) += p[1];  // not symmetric: LU
    const Eigen::Matrix<S, -1, 1> b = rhs(p);
    const Eigen::Matrix<S, -1, 1> x = a.partialPivLu().solve(b);
    return S(x.sum());
  });
  expect_matches_finite_differences([](const auto& p) {
    using S = typename std::remove_cvref_t<decltype(p)>::Scalar;
    Eigen::Matrix<S, -1, -1> a = spd(p);
    a(1, 0) -= p[3];
    const Eigen::Matrix<S, -1, -1> inv = a.inverse();
    return S(inv.sum() + inv(2, 1));
  });
  expect_matches_finite_differences([](const auto& p) {
    using S = typename std::remove_cvref_t<decltype(p)>::Scalar;
    Eigen::Matrix<S, -1, -1> a = spd(p);
    a(2, 0) *= p[2];
    const Eigen::Matrix<S, 3, 3> f = spd(p);
    return S(a.determinant() + f.determinant() + f.inverse()(0, 0));  // fixed 3x3: cofactors
  });
}

// Eigen's allFinite() is !(x - x).hasNaN(), and hasNaN compares with ==,
// which compares values: it sees the values (gg::isfinite sees the tangents too).
TEST(EigenDual, AllFiniteSeesTheValues) {
  Eigen::Matrix<gg::dual<double, 2>, 2, 1> v;
  v << gg::dual<double, 2>(1.0), gg::dual<double, 2>{2.0, {0.0, 1.0}};
  EXPECT_TRUE(v.allFinite());
  v[1] = gg::dual<double, 2>{std::numeric_limits<double>::infinity(), {0.0, 1.0}};
  EXPECT_FALSE(v.allFinite());
  EXPECT_FALSE(gg::isfinite(v[1]));
}

TEST(EigenDual, ValueAndGradWithEigenVectors) {
  Eigen::Matrix3d m;
  m << 2, 1, 0, 1, 3, 1, 0, 1, 4;
  auto fn = [&](const auto& x, auto s) { return s * (x.transpose() * m * x).value(); };
  const Eigen::Vector3d x(0.5, -1.0, 2.0);
  const auto r = gg::value_and_grad<gg::forward>(fn, x, 1.5);
  const auto& [gx, gs] = r.gradient;
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(gx)>, Eigen::Vector3d>);
  EXPECT_NEAR(r.value, 1.5 * x.dot(m * x), 1e-14);
  const Eigen::Vector3d expected = 1.5 * 2 * m * x;  // d/dx s x^T M x = 2 s M x
  EXPECT_NEAR((gx - expected).norm(), 0.0, 1e-13);
  EXPECT_NEAR(gs, x.dot(m * x), 1e-13);
}

TEST(EigenDual, JvpWithEigenVectors) {
  Eigen::Matrix<double, 2, 3> m;
  m << 1, -2, 0.5, 0.25, 3, -1;
  auto fn = [&](const auto& x) { return (m * x.array().sin().matrix()).eval(); };
  const Eigen::Vector3d x(0.3, 1.2, -0.7), v(1.0, 0.5, -2.0);
  const auto r = gg::jvp(fn, Eigen::VectorXd(x), Eigen::VectorXd(v));
  static_assert(std::is_same_v<decltype(r.tangent), Eigen::VectorXd>);
  // J v = M diag(cos x) v
  const Eigen::Vector2d expected = m * (x.array().cos() * v.array()).matrix();
  EXPECT_NEAR((r.value - m * x.array().sin().matrix()).norm(), 0.0, 1e-14);
  EXPECT_NEAR((r.tangent - expected).norm(), 0.0, 1e-14);
  const auto s = gg::jvp([](const auto& y) { return y.squaredNorm(); }, Eigen::VectorXd(x),
                         Eigen::VectorXd(v));
  EXPECT_NEAR(s.tangent, 2 * x.dot(v), 1e-14);
}

// y0^2 y1 as an expression that refers to a const local, dead on return (not
// inlined: g++ would warn that the test reads it).
template <class V>
[[gnu::noinline]] auto product_from_local(const V& y) {
  const typename V::Scalar s = y[0] * y[0];
  return s * y[1];
}

// gg::jvp refuses a result that refers to a dual of fn's own; made a dual,
// the same function gives J v (checked against finite differences).
TEST(EigenDual, JvpRefusesAResultThatRefersToALocalOfFn) {
  const Eigen::VectorXd x = Eigen::Vector2d(1.5, -2.0), v = Eigen::Vector2d(1.0, 3.0);
  EXPECT_THROW(gg::jvp([](const auto& y) { return product_from_local(y); }, x, v),
               std::logic_error);
  auto as_dual = [](const auto& y) {
    using S = typename std::decay_t<decltype(y)>::Scalar;
    const S s = y[0] * y[0];
    return S(s * y[1]);  // made a dual while s lives
  };
  const auto r = gg::jvp(as_dual, x, v);
  const auto fd = gg::central_difference(
      [&](double t) {
        const Eigen::VectorXd q = x + t * v;
        return q[0] * q[0] * q[1];
      },
      0.0, 1e-4);
  EXPECT_NEAR(r.tangent, fd.derivative, 1e-7);
}

}  // namespace
