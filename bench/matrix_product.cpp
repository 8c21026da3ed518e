// matrix_product: f(A, B) = sum(A B), A and B square K x K, K = 8, 16, 32, 64,
// 128. The inputs are A then B, column-major (2 K^2 of them), uniform in
// [0.5, 1.5] (bench::lcg): every gradient component is a sum of positive
// terms. The gradient: dA = G B^T, dB = A^T G with G = ones(K, K) (df/dC).
//
// The function is written once, with Eigen, templated on the scalar (f below:
// the inputs mapped as two K x K matrices, C.noalias() = A * B, then C.sum()),
// and instantiated for double, gg::real, ADOL-C's adouble and Sacado's ADvar:
// every scalar-tape column records what Eigen's product kernel does with its
// scalar, one operation at a time (for a scalar that is not vectorised,
// Eigen's GEMM computes each multiply-add as padd(pmul(a, b), c): a
// multiplication and an addition, about 2 K^3 operations).
//
// Columns (bench/harness.hpp): double, tape (Eigen::Matrix<gg::real>: a tape
// statement per scalar operation), adolcretape, adolcreplay (the product does
// not branch on its input), sacado; no forward columns (2 K^2 >= 128 inputs);
// plus
//   hand         the three-GEMM adjoint, written plainly with Eigen: C = A B,
//                f = sum(C), dA = G B^T, dB = A^T G (the ones structure of G
//                is not exploited: the generic matrix adjoint is the reference).
//   realmatrix   gradguard's matrix-valued tape variables: A and B as
//                gg::real_matrix, gg::sum(A * B): two blocks (the product, with
//                its matrix adjoint rule, and the sum), then the gradient of
//                both, copied out.

#include "harness.hpp"

// The peers' scalars as Eigen scalars (what <gradguard/eigen.hpp> does for
// gg::real).
namespace Eigen {

template <class T>
struct peer_num_traits : NumTraits<double> {
  using Real = T;
  using NonInteger = T;
  using Nested = T;
  using Literal = double;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1,
    AddCost = 3,
    MulCost = 3,
  };
};

#if GG_ADOLC
template <>
struct NumTraits<adouble> : peer_num_traits<adouble> {};
#endif
#if GG_SACADO
template <>
struct NumTraits<Sacado::Rad::ADvar<double>> : peer_num_traits<Sacado::Rad::ADvar<double>> {};
#endif

}  // namespace Eigen

namespace {

using bench::problem;
namespace gg = gradguard;

template <class T>
using matrix_of = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
using const_map = Eigen::Map<const Eigen::MatrixXd>;
using map = Eigen::Map<Eigen::MatrixXd>;

struct matrix_product {
  static constexpr const char* name = "matrix_product";
  static constexpr std::size_t forward_max = 0;

  static Eigen::Index order(const problem& p) { return static_cast<Eigen::Index>(p.n); }

  static problem make(std::size_t n) {
    return bench::make_table(n, 2 * n * n, 4242u,
                             [](bench::lcg& u, std::size_t) { return u.uniform(0.5, 1.5); });
  }

  template <class T>
  static T f(const problem& p, const T* x) {
    const Eigen::Index k = order(p);
    const Eigen::Map<const matrix_of<T>> a(x, k, k), b(x + k * k, k, k);
    matrix_of<T> c(k, k);
    c.noalias() = a * b;
    return c.sum();
  }

  static double hand(const problem& p, const double* x, double* g) {
    const Eigen::Index k = order(p);
    const const_map a(x, k, k), b(x + k * k, k, k);
    map da(g, k, k), db(g + k * k, k, k);
    Eigen::MatrixXd c(k, k);
    c.noalias() = a * b;
    const double f = c.sum();
    const Eigen::MatrixXd ones = Eigen::MatrixXd::Ones(k, k);  // df/dC
    da.noalias() = ones * b.transpose();
    db.noalias() = a.transpose() * ones;
    return f;
  }

  static double realmatrix(const problem& p, gg::tape& tape, const double* x, double* g) {
    const Eigen::Index k = order(p);
    tape.clear();
    const gg::real_matrix a = tape.variable("A", const_map(x, k, k));
    const gg::real_matrix b = tape.variable("B", const_map(x + k * k, k, k));
    const gg::real y = gg::sum(a * b);
    const auto grad = tape.gradient(y, {a, b});
    map(g, k, k) = grad[a];
    map(g + k * k, k, k) = grad[b];
    return gg::value(y);
  }
};

}  // namespace

int main(int argc, char** argv) {
  bench::register_workload<matrix_product>({8, 16, 32, 64, 128});
  return bench::run_benchmarks(argc, argv);
}
