// <gradguard/static.hpp> alone is the whole static engine: expressions,
// the rule table's functions, derivatives, gradients and their names, and
// the diagnostics, with no tape, forward mode or checker parsed.
#include <gradguard/static.hpp>

#include <cmath>

namespace gg = gradguard;

namespace {

constexpr auto x = gg::var<"x">(3.0);
constexpr auto y = gg::var<"y">(0.5);
static_assert(gg::derivative(x * x, x) == 6.0);  // the example of static.hpp
constexpr auto f = x * y + gg::exp(y) * gg::stop_gradient(x);
static_assert(gg::depends_on(f, y) && gg::value(gg::d(f, x)) == 0.5);
static_assert(gg::active_variables(f) == gg::variable_set{"x", "y"});

}  // namespace

int main() {
  const auto [value, gx, gy] = gg::value_and_gradient(f, x, y);
  // d/dy (x y + e^y stop_gradient(x)) = x + e^y x
  return value == gg::value(f) && gx == 0.5 && std::abs(gy - (3.0 + std::exp(0.5) * 3.0)) < 1e-12
             ? 0
             : 1;
}
