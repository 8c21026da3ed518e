// The constexpr scalar mathematics agrees exactly with <cmath>: a constant
// expression must not give another value than the same call at run time.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace gg = gradguard;

namespace {

// Inputs spread over many binades, from a small linear congruential generator.
template <class T, std::size_t N>
constexpr std::array<T, N> samples() {
  std::array<T, N> v{};
  std::uint64_t s = 12345;
  for (std::size_t i = 0; i < N; ++i) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    T mantissa = T(1) + static_cast<T>(s >> 11) / static_cast<T>(1ull << 53);
    int e = static_cast<int>((s >> 3) % 120) - 60;
    T scale = 1;
    for (; e > 0; --e) scale *= 2;
    for (; e < 0; ++e) scale /= 2;
    v[i] = mantissa * scale;
  }
  return v;
}

template <class T, std::size_t N>
constexpr std::array<T, N> constexpr_sqrt(const std::array<T, N>& in) {
  std::array<T, N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = gg::math::sqrt(in[i]);
  return out;
}

TEST(ConstexprMath, SqrtIsCorrectlyRounded) {
  static constexpr auto in = samples<double, 400>();
  static constexpr auto out = constexpr_sqrt(in);
  for (std::size_t i = 0; i < in.size(); ++i) EXPECT_EQ(out[i], std::sqrt(in[i])) << in[i];
  static constexpr std::array<double, 8> edges{
      2.0, 0.5, 1e-10, 10.0, 4.9e-324, 1.7976931348623157e308, 1e10 + 1, 3.0};
  static constexpr auto edge_out = constexpr_sqrt(edges);
  for (std::size_t i = 0; i < edges.size(); ++i)
    EXPECT_EQ(edge_out[i], std::sqrt(edges[i])) << edges[i];
  static constexpr auto fin = samples<float, 200>();
  static constexpr auto fout = constexpr_sqrt(fin);
  for (std::size_t i = 0; i < fin.size(); ++i) EXPECT_EQ(fout[i], std::sqrt(fin[i])) << fin[i];
}

TEST(ConstexprMath, RoundingAgreesWithCmath) {
  static constexpr std::array<double, 12> in{0.49999999999999994,
                                             -0.49999999999999994,
                                             0.5,
                                             -0.5,
                                             2.5,
                                             -2.5,
                                             4503599627370497.0,
                                             -4503599627370497.0,
                                             1e300,
                                             -0.0,
                                             7.999999999999999,
                                             -1e-300};
  static constexpr auto rounded = [] {
    std::array<std::array<double, 4>, 12> r{};
    for (std::size_t i = 0; i < 12; ++i)
      r[i] = {gg::math::round(in[i]), gg::math::floor(in[i]), gg::math::ceil(in[i]),
              gg::math::trunc(in[i])};
    return r;
  }();
  for (std::size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(rounded[i][0], std::round(in[i])) << in[i];
    EXPECT_EQ(rounded[i][1], std::floor(in[i])) << in[i];
    EXPECT_EQ(rounded[i][2], std::ceil(in[i])) << in[i];
    EXPECT_EQ(rounded[i][3], std::trunc(in[i])) << in[i];
  }
}

}  // namespace
