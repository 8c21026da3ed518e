// The Hessian is of a scalar-valued function: a fn that returns a vector is a
// compile error that points to gg::jacobian.
#include <gradguard/gradguard.hpp>

#include <type_traits>
#include <vector>

namespace gg = gradguard;

int main() {
  auto f = [](const auto& v) {
    using S = std::decay_t<decltype(v[0])>;
#ifdef GRADGUARD_COMPILE_FAIL
    return std::vector<S>{v[0] * v[1], v[0]};
#else
    return S(v[0] * v[1]);
#endif
  };
#ifdef GRADGUARD_COMPILE_FAIL
  // expected-error: fn returns a vector; the Hessian is of a scalar-valued fn
  // diagnostic-lines-at-most: 25
#endif
  const gg::dense_matrix<double> H = gg::hessian(f, {2.0, 3.0});
  return H(0, 1) == 1.0 && H(0, 0) == 0.0 ? 0 : 1;
}
