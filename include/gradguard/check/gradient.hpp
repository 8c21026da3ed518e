// IWYU pragma: private, include <gradguard/gradguard.hpp>
// gg::check_gradient(fn, args...[, options]): the gradient of a generic
// callable from each engine against central finite differences of fn
// called with doubles.
//
//   auto fn = [](auto x, auto y) { using std::exp; return x * exp(x * y); };
//   EXPECT_TRUE(gg::check_gradient(fn, 0.5, -1.0));                 // every engine
//   EXPECT_TRUE(gg::check_gradient<gg::taped>(fn, 0.5, -1.0, opts));  // the tape only
//
// The analytic gradients come from the engines' own drivers:
// gg::value_and_gradient over the variables of gg::value_and_grad (static,
// with gg::allow_unconnected, so that a structural zero is seen as a type),
// gg::value_and_grad<gg::taped> and gg::value_and_grad<gg::forward>.
// Arguments: doubles, std::vector<double>, Eigen vectors and matrices of
// double (include <gradguard/eigen.hpp>), and gg::nondiff(a) (passed through).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <exception>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/check/finite_difference.hpp>
#include <gradguard/check/report.hpp>
#include <gradguard/expr/functional.hpp>
#include <gradguard/forward/functional.hpp>
#include <gradguard/tape/errors.hpp>
#include <gradguard/tape/functional.hpp>

namespace gradguard {

// Never defined: naming it is the error for an argument the checker cannot perturb.
template <std::size_t Position, class Passed>
struct check_gradient_argument_is_not_a_double_or_a_vector_of_double;

namespace detail {

// An argument of several components: std::vector<double> or an Eigen
// matrix or vector of double (an Eigen::Matrix, the shapes that
// gg::value_and_grad<gg::taped> and <gg::forward> take), in storage order.
template <class A>
inline constexpr bool is_std_vector_of_double_v = false;
template <class Alloc>
inline constexpr bool is_std_vector_of_double_v<std::vector<double, Alloc>> = true;

template <class A>
concept checked_vector = is_std_vector_of_double_v<A> || requires(A a) {
  requires std::is_same_v<typename A::Scalar, double>;
  requires std::is_same_v<A, typename A::PlainMatrix>;  // an Eigen::Matrix, not a Map or an Array
  { a.data() } -> std::same_as<double*>;
  a.size();
};

template <class A>
inline constexpr bool is_checked_number_v = std::is_same_v<A, double>;

template <class A>
inline constexpr bool is_checkable_v =
    is_nondiff_v<A> || is_checked_number_v<A> || checked_vector<A>;

// Reports the first argument the checker cannot perturb (one diagnosis);
// called directly by gg::check_gradient, so that the compiler's
// instantiation backtrace stays short.
template <class... Args>
constexpr void check_checked_arguments() {
  constexpr std::array<bool, sizeof...(Args) + 1> bad{
      (!is_checkable_v<Args> && !std::is_same_v<Args, check_options>)..., true};
  constexpr std::size_t first = [&] {
    std::size_t i = 0;
    while (!bad[i]) ++i;
    return i;
  }();
  if constexpr (first < sizeof...(Args)) {
    using A = std::tuple_element_t<first, std::tuple<Args...>>;
    [[maybe_unused]] check_gradient_argument_is_not_a_double_or_a_vector_of_double<first + 1, A>
        error;
    static_assert(always_false<A>,
                  "gradguard::check_gradient(fn, args...): each argument must be a double, a "
                  "std::vector<double> or an Eigen::Matrix of double (finite differences need "
                  "double precision); pass an integer or anything not differentiated as "
                  "gg::nondiff(a), a float as a double, an Eigen expression or Map evaluated "
                  "(.eval())");
  }
}

template <class A>
std::size_t checked_component_count(const A& a) {
  if constexpr (is_nondiff_v<A>) return 0;
  else if constexpr (is_checked_number_v<A>) return 1;
  else return static_cast<std::size_t>(a.size());
}

// Component i of an argument (A may be const).
template <class A>
auto& checked_component(A& a, std::size_t i) {
  if constexpr (is_checked_number_v<std::remove_const_t<A>>) return a;
  else return a.data()[i];
}

// fn's value with the arguments as doubles (gg::nondiff(a) passes a).
template <class A>
const auto& plain_argument(const A& a) {
  if constexpr (is_nondiff_v<A>) return a.value;
  else return a;
}

template <class Fn, class... Args>
double value_with_doubles(Fn& fn, const std::tuple<Args...>& point) {
  return std::apply(
      [&](const auto&... a) {
        using R = std::remove_cvref_t<decltype(fn(plain_argument(a)...))>;
        static_assert(std::is_convertible_v<R, double>,
                      "gradguard::check_gradient(fn, args...): fn called with the arguments as "
                      "doubles must return a number, which the finite differences use; write fn "
                      "generically (`using std::exp; return exp(x);`)");
        return static_cast<double>(fn(plain_argument(a)...));
      },
      point);
}

// One engine's answer: the value, the gradient flattened over the
// differentiated components, and per component what the engine claims
// about its structure ("" or why there is no derivative at all).
struct engine_answer {
  double value = 0;
  std::vector<double> gradient;
  std::vector<std::string> claim;
};

template <class G>
void append_gradient(std::vector<double>& out, const G& g) {
  if constexpr (std::is_arithmetic_v<G>) {
    out.push_back(static_cast<double>(g));
  } else if constexpr (requires { g.data(); }) {  // std::array, std::vector, Eigen (storage order)
    for (decltype(g.size()) i = 0; i < g.size(); ++i)
      out.push_back(static_cast<double>(g.data()[i]));
  } else {
    std::apply([&](const auto&... e) { (append_gradient(out, e), ...); }, g);
  }
}

template <class R>
engine_answer answer_of(const R& r, std::size_t n) {
  engine_answer a{static_cast<double>(r.value), {}, std::vector<std::string>(n)};
  append_gradient(a.gradient, r.gradient);
  return a;
}

template <class Fn, class... Args>
engine_answer static_answer(Fn& fn, std::size_t n, const Args&... args) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    const auto made = std::tuple{make_argument<I>(args)...};
    const auto f = std::apply(fn, made);
    using F = std::remove_cvref_t<decltype(f)>;
    static_assert(expression<F>,
                  "gradguard::check_gradient(fn, args...) on gg::static_expression: fn must return "
                  "a gradguard expression of its arguments; check it on gg::taped and gg::forward "
                  "only: gg::check_gradient<gg::taped, gg::forward>(fn, args...)");
    const auto variables = std::tuple_cat([&] {
      if constexpr (is_nondiff_v<Args>) return std::tuple<>{};
      else return std::tuple{std::get<I>(made)};
    }()...);
    const auto r = std::apply(
        [&](const auto&... v) { return gradguard::value_and_gradient(f, v..., allow_unconnected); },
        variables);
    engine_answer a{static_cast<double>(r.value), {}, {}};
    a.gradient.reserve(n);
    auto add = [&](const auto& v) {
      using V = std::remove_cvref_t<decltype(v)>;
      const auto d = r.gradient[v];
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(d)>, zero>) {
        a.gradient.push_back(0.0);
        a.claim.push_back(reason_phrase<argument_status_t<F, V>>());
      } else {
        a.gradient.push_back(static_cast<double>(d));
        a.claim.emplace_back();
      }
    };
    std::apply([&](const auto&... v) { (add(v), ...); }, variables);
    return a;
  }
  (std::index_sequence_for<Args...>{});
}

template <class Fn, class... Args>
engine_answer taped_answer(Fn& fn, const std::vector<std::string>& names, const Args&... args) {
  try {
    return answer_of(value_and_grad<taped>(fn, args...), names.size());
  } catch (const gradguard::missing_gradient& e) {
    // The tape diagnosed components without a derivative: the numbers with
    // 0 for them, and the diagnosis as the tape's claim.
    engine_answer a =
        answer_of(value_and_grad<taped>(fn, args..., allow_unconnected), names.size());
    for (const auto& m : e.variables())
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == m.name) a.claim[i] = m.detail;
    return a;
  }
}

template <class Engine>
constexpr const char* engine_name() {
  if constexpr (std::is_same_v<Engine, static_expression>) return "static";
  else if constexpr (std::is_same_v<Engine, taped>) return "taped";
  else return "forward";
}

template <class Engine, class Fn, class... Args>
engine_answer engine_gradient(Fn& fn, const std::vector<std::string>& names, const Args&... args) {
  static_assert(std::is_same_v<Engine, static_expression> || std::is_same_v<Engine, taped> ||
                    std::is_same_v<Engine, forward>,
                "gradguard::check_gradient<Engines...>(fn, args...): an engine is one of "
                "gg::static_expression, gg::taped and gg::forward");
  if constexpr (std::is_same_v<Engine, static_expression>) {
    static_assert((... && (is_checked_number_v<Args> || is_nondiff_v<Args>)),
                  "gradguard::check_gradient(fn, args...) on gg::static_expression: the static "
                  "engine takes numbers; check vector arguments on gg::taped and gg::forward");
    return static_answer(fn, names.size(), args...);
  } else if constexpr (std::is_same_v<Engine, taped>) {
    return taped_answer(fn, names, args...);
  } else {
    return answer_of(value_and_grad<forward>(fn, args...), names.size());
  }
}

template <class... Engines, class Fn, class... Args>
gradient_check_report check_gradient_at(Fn& fn, const check_options& o, const Args&... args) {
  gradient_check_report r;
  if constexpr ((... && is_checkable_v<Args>)) {
    static_assert(!(... && is_nondiff_v<Args>),
                  "gradguard::check_gradient(fn, args...): every argument is gg::nondiff, so "
                  "there is no derivative to check");
    r.options = o;
    r.engines = {engine_name<Engines>()...};
    r.step = o.step > 0 ? o.step : default_relative_step<double>(o.richardson);
    const auto valid = [](double v) { return std::isfinite(v) && v >= 0; };
    if (!valid(o.step) || !valid(o.relative) || !valid(o.absolute)) {
      r.problems.push_back(
          "gg::check_options: step, relative and absolute must be finite and >= 0 "
          "(step 0 chooses the default); got step = " +
          format_number(o.step) + ", relative = " + format_number(o.relative) +
          ", absolute = " + format_number(o.absolute));
      return r;
    }
    std::tuple<Args...> point{args...};
    // The components' names ("arg2[3]", counted from 1 as the engines name
    // their variables) and values; NaN, infinite or empty arguments stop here.
    std::vector<std::string> names;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            using A = std::tuple_element_t<I, std::tuple<Args...>>;
            const A& a = std::get<I>(point);
            const std::string arg = "arg" + std::to_string(I + 1);
            if constexpr (!is_nondiff_v<A>) {
              if (checked_component_count(a) == 0)
                r.problems.push_back("argument " + arg + " is empty: there is nothing to check; " +
                                     "pass a vector with at least one element");
              for (std::size_t i = 0; i < checked_component_count(a); ++i) {
                names.push_back(is_checked_number_v<A> ? arg : arg + "[" + std::to_string(i) + "]");
                const double x = checked_component(a, i);
                if (!std::isfinite(x))
                  r.problems.push_back(names.back() + " is " + non_finite_word(x) +
                                       ": there is no derivative to check; pick a point where fn "
                                       "is defined");
              }
            }
          }(),
          ...);
    }
    (std::index_sequence_for<Args...>{});
    if (!r.problems.empty()) return r;
    const double fx = value_with_doubles(fn, point);
    if (!std::isfinite(fx)) {
      r.problems.push_back(std::string("fn is ") + non_finite_word(fx) +
                           " at this point: there is no derivative to check; pick a point where "
                           "fn is finite");
      return r;
    }
    // Finite differences, one component at a time (perturbed in place).
    std::vector<finite_difference_result<double>> fd;
    std::vector<double> noise;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            auto& a = std::get<I>(point);
            if constexpr (!is_nondiff_v<std::remove_cvref_t<decltype(a)>>) {
              for (std::size_t i = 0; i < checked_component_count(a); ++i) {
                double& xi = checked_component(a, i);
                const double x0 = xi;
                const double h = step_for(x0, r.step);
                fd.push_back(central_difference(
                    [&](double t) {
                      xi = t;
                      return value_with_doubles(fn, point);
                    },
                    x0, h, o.richardson));
                xi = x0;
                noise.push_back(finite_difference_noise<double>(fx, h));
              }
            }
          }(),
          ...);
    }
    (std::index_sequence_for<Args...>{});
    // Each engine against them.
    (
        [&] {
          const char* engine = engine_name<Engines>();
          engine_answer a;
          try {
            a = engine_gradient<Engines>(fn, names, args...);
          } catch (const std::exception& e) {
            r.problems.push_back(std::string("the ") + engine + " engine threw: " + e.what());
            return;
          }
          if (!(std::fabs(a.value - fx) <= o.absolute + o.relative * std::fabs(fx)))
            r.problems.push_back(std::string("the ") + engine + " engine's value of fn is " +
                                 format_number(a.value) + ", but fn called with doubles gives " +
                                 format_number(fx) +
                                 ": fn must compute the same function for every number type");
          for (std::size_t j = 0; j < names.size(); ++j)
            r.entries.push_back(
                compare(engine, names[j], a.gradient[j], a.claim[j], fd[j], noise[j], o));
        }(),
        ...);
  }
  return r;
}

template <class... Args>
inline constexpr bool all_numbers_v = (... && (is_checked_number_v<Args> || is_nondiff_v<Args>));

template <class... Engines, class Fn, class... Args>
gradient_check_report check_gradient_with(Fn& fn, const check_options& o, const Args&... args) {
  if constexpr (sizeof...(Engines) > 0) return check_gradient_at<Engines...>(fn, o, args...);
  else if constexpr (all_numbers_v<Args...>)
    return check_gradient_at<static_expression, taped, forward>(fn, o, args...);
  else return check_gradient_at<taped, forward>(fn, o, args...);
}

}  // namespace detail

// gg::check_gradient<Engines...>(fn, args...[, gg::check_options{...}]):
// compares d(fn)/d(each component of each argument) from each engine with
// central finite differences of fn called with doubles, and returns the
// report (true when every derivative agrees). Engines: any of
// gg::static_expression, gg::taped, gg::forward; by default all three when
// every argument is a number, gg::taped and gg::forward otherwise. They are
// template arguments because fn is compiled for each engine's number type.
template <class... Engines, class Fn, class... Args>
requires(sizeof...(Args) > 0) gradient_check_report check_gradient(Fn&& fn, const Args&... args) {
  detail::check_checked_arguments<Args...>();
  constexpr std::size_t n = sizeof...(Args);
  using last = std::remove_cvref_t<std::tuple_element_t<n - 1, std::tuple<Args...>>>;
  if constexpr (std::is_same_v<last, check_options>) {
    static_assert(n > 1, "gradguard::check_gradient(fn, args..., options): no argument to check");
    const auto all = std::tie(args...);
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return detail::check_gradient_with<Engines...>(fn, std::get<n - 1>(all), std::get<I>(all)...);
    }
    (std::make_index_sequence<n - 1>{});
  } else {
    return detail::check_gradient_with<Engines...>(fn, check_options{}, args...);
  }
}

}  // namespace gradguard
