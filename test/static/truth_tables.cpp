// depends_on, active_variables and constexpr derivatives, checked by the compiler.
#include <gradguard/gradguard.hpp>

namespace gg = gradguard;

namespace {
constexpr auto x = gg::var<"x">(2.0);
constexpr auto y = gg::var<"y">(3.0);
constexpr auto w = gg::frozen<"w">(0.5);
constexpr auto f = x * y + gg::stop_gradient(x * x) + gg::floor(y);

static_assert(gg::value(f) == 2.0 * 3.0 + 4.0 + 3.0);
static_assert(gg::derivative(f, x) == 3.0);
static_assert(gg::depends_on(f, x) && !gg::depends_on(f, w));
static_assert(gg::active_variables(f) == gg::variable_set{"x", "y"});
}  // namespace

int main() { return 0; }
