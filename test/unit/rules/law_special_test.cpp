// The law for erf, erfc, the gamma family and the activations.
#include "law.hpp"

namespace {

template <class T>
class SpecialLaw : public ::testing::Test {};
using scalar_types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(SpecialLaw, scalar_types);

using law::differentiable;
using law::relative_step;

TYPED_TEST(SpecialLaw, Erf) {
  differentiable<TypeParam, 1>([](auto x) { return gg::erf(x); },
                               {{-5}, {-1}, {-1e-8}, {0}, {0.5}, {2}, {5}},
                               [](auto a) { return std::erf(a); });
}

TYPED_TEST(SpecialLaw, Erfc) {
  differentiable<TypeParam, 1>([](auto x) { return gg::erfc(x); },
                               {{-5}, {-1}, {-1e-8}, {0}, {0.5}, {2}, {5}},
                               [](auto a) { return std::erfc(a); });
}

TYPED_TEST(SpecialLaw, Tgamma) {
  differentiable<TypeParam, 1>([](auto x) { return gg::tgamma(x); },
                               {{-2.5}, {-0.5}, {1e-3}, {0.5}, {1}, {1.4616}, {3.5}, {20}},
                               [](auto a) { return std::tgamma(a); }, relative_step);
}

TYPED_TEST(SpecialLaw, Lgamma) {
  differentiable<TypeParam, 1>([](auto x) { return gg::lgamma(x); },
                               {{-2.5}, {-0.5}, {1e-3}, {0.5}, {1}, {1.4616}, {2}, {10}, {1e6}},
                               [](auto a) { return std::lgamma(a); }, relative_step);
}

// psi = d lgamma / dx: its own value is checked against finite differences of lgamma.
TYPED_TEST(SpecialLaw, Digamma) {
  auto lgamma_slope = [](auto a) {
    return law::central_difference<0, 1>([](const law::point<1>& q) { return std::lgamma(q[0]); },
                                         {a}, relative_step);
  };
  differentiable<TypeParam, 1>(
      [](auto x) { return gg::digamma(x); },
      {{-2.5}, {-0.5}, {1e-3}, {0.5}, {1}, {1.4616}, {9.99}, {10}, {100}, {1e6}}, lgamma_slope,
      relative_step);
}

TYPED_TEST(SpecialLaw, Sigmoid) {
  differentiable<TypeParam, 1>([](auto x) { return gg::sigmoid(x); },
                               {{-40}, {-5}, {-1e-8}, {0}, {0.5}, {5}, {40}},
                               [](auto a) { return 1 / (1 + std::exp(-a)); });
}

TYPED_TEST(SpecialLaw, Softplus) {
  differentiable<TypeParam, 1>([](auto x) { return gg::softplus(x); },
                               {{-40}, {-5}, {0}, {1e-8}, {0.5}, {5}, {40}, {1e4}},
                               [](auto a) { return a > 30 ? a : std::log1p(std::exp(a)); });
}

}  // namespace
