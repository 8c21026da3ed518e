// The constexpr scalar mathematics agrees exactly with <cmath>: a constant
// expression must not give another value than the same call at run time.
#include <gradguard/gradguard.hpp>

#include <gtest/gtest.h>

#include <array>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>

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

// Integer edges are defined, in every engine: 2^LLONG_MIN is 0 (|n| was
// negated in long long, which overflowed: 1 came out), and a cast of NaN or
// of a value out of range to an integer throws (C++ leaves it undefined).
TEST(IntegerEdges, DefinedInEveryEngine) {
  EXPECT_EQ(gg::value(gg::pow(gg::var<"x">(2), LLONG_MIN)), 0.0);
  EXPECT_EQ(gg::value(gg::pow(gg::var<"x">(2.0), LLONG_MIN)), 0.0);
  EXPECT_EQ(gg::value(gg::pow(gg::dual<double>::variable(2.0, 0), LLONG_MIN)), 0.0);
  EXPECT_EQ(gg::value(gg::pow(gg::dual<double>::variable(0.5, 0), INT_MIN)),
            std::numeric_limits<double>::infinity());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const double bad : {nan, 1e300, -1e300, 2147483648.0, -2147483649.0}) {
    EXPECT_THROW((void)gg::value(gg::cast<int>(gg::var<"x">(bad))), std::domain_error) << bad;
    EXPECT_THROW((void)gg::cast<int>(gg::dual<double>::variable(bad, 0)), std::domain_error);
    gg::tape tape;
    const gg::real r = tape.variable("r", bad);
    EXPECT_THROW((void)gg::cast<int>(r), std::domain_error);
  }
  for (const double bad : {nan, 1e300, -1.0, 4294967296.0})
    EXPECT_THROW((void)gg::value(gg::cast<unsigned>(gg::var<"x">(bad))), std::domain_error) << bad;
  EXPECT_THROW((void)gg::value(gg::cast<long long>(gg::var<"x">(9223372036854775808.0))),
               std::domain_error);
  // the ends of the range convert
  EXPECT_EQ(gg::value(gg::cast<int>(gg::var<"x">(-2147483648.9))), INT_MIN);
  EXPECT_EQ(gg::value(gg::cast<int>(gg::var<"x">(2147483647.9))), INT_MAX);
  EXPECT_EQ(gg::value(gg::cast<long long>(gg::var<"x">(-9223372036854775808.0))), LLONG_MIN);
  EXPECT_EQ(gg::value(gg::cast<unsigned>(gg::var<"x">(-0.5))), 0u);
  EXPECT_TRUE(gg::value(gg::cast<bool>(gg::var<"x">(nan))));  // defined: NaN != 0
  try {
    (void)gg::value(gg::cast<int>(gg::var<"x">(1e300)));
  } catch (const std::domain_error& e) {
    EXPECT_STREQ(e.what(),
                 "gradguard: gg::cast<int>(x): x = 1.0000000000000001e+300 is NaN or outside the "
                 "range of the integer type (C++ leaves the conversion undefined); clamp it "
                 "first, e.g. gg::cast<int>(gg::min(gg::max(x, lo), hi)), or test x with "
                 "std::isfinite");
  }
}

}  // namespace
