// IWYU pragma: private, include <gradguard/eigen.hpp>
// gg::real as an Eigen scalar, and Eigen vectors as arguments of
// gg::value_and_grad<gg::taped>. Every Eigen operation on gg::real records
// scalar statements; its result type is gg::real (Eigen's functors declare
// their result type, so an expression node is recorded where it is returned).
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <gradguard/tape/functional.hpp>
#include <gradguard/tape/tape.hpp>

namespace Eigen {

template <class T>
struct NumTraits<gradguard::basic_real<T>> : NumTraits<T> {
  using Real = gradguard::basic_real<T>;
  using NonInteger = Real;
  using Nested = Real;
  using Literal = T;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1,
    AddCost = 3,
    MulCost = 3,
  };
  static Real epsilon() { return NumTraits<T>::epsilon(); }
  static Real dummy_precision() { return NumTraits<T>::dummy_precision(); }
  static Real highest() { return NumTraits<T>::highest(); }
  static Real lowest() { return NumTraits<T>::lowest(); }
  static int digits10() { return NumTraits<T>::digits10(); }
};

template <class T, class BinaryOp>
struct ScalarBinaryOpTraits<gradguard::basic_real<T>, T, BinaryOp> {
  using ReturnType = gradguard::basic_real<T>;
};
template <class T, class BinaryOp>
struct ScalarBinaryOpTraits<T, gradguard::basic_real<T>, BinaryOp> {
  using ReturnType = gradguard::basic_real<T>;
};

}  // namespace Eigen

namespace gradguard {

template <class T, int Rows, int Options, int MaxRows>
struct taped_argument<Eigen::Matrix<T, Rows, 1, Options, MaxRows, 1>> {
  using vector = Eigen::Matrix<T, Rows, 1, Options, MaxRows, 1>;
  using real_vector = Eigen::Matrix<real, Rows, 1, Options, MaxRows, 1>;
  static real_vector make(tape& t, const std::string& name, const vector& a) {
    real_vector r(a.size());
    t.variables(name, std::span<const T>(a.data(), static_cast<std::size_t>(a.size())),
                std::span<real>(r.data(), static_cast<std::size_t>(r.size())));
    return r;
  }
  static void reals(const real_vector& r, std::vector<real>& out) {
    out.insert(out.end(), r.data(), r.data() + r.size());
  }
  static vector gradient(const vector& a, std::span<const double> g) {
    vector v(a.size());
    for (Eigen::Index i = 0; i < a.size(); ++i)
      v[i] = static_cast<T>(g[static_cast<std::size_t>(i)]);
    return v;
  }
};

}  // namespace gradguard
