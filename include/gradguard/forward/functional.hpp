// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Drivers in forward mode:
//   gg::value_and_grad<gg::forward>(fn, args...)  the same generic callable
//     and result as the static gg::value_and_grad, run once with duals that
//     carry one tangent per input (gg::dual<double, N> when every argument is
//     a number, gg::dynamic with vectors); each gradient has its argument's shape.
//   gg::jvp(fn, x, v)  {f(x), J(x) v}: one pass with one tangent, whatever
//     the number of outputs (a Jacobian column for v = e_i).
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/detail/range.hpp>
#include <gradguard/expr/custom_gradient.hpp>
#include <gradguard/expr/functional.hpp>  // nondiff, value_and_grad_result
#include <gradguard/forward.hpp>

namespace gradguard {

namespace detail {
// gg::custom_gradient on duals. Forward mode needs J t, and a vjp gives J only
// when it is linear in g (then J = vjp(1, x)): a vjp declared with
// gg::linear_vjp is applied as a rule, any other is refused (it may clip or
// square g, which has no tangent: JAX's custom_vjp refuses jvp likewise).
template <class... Args>
requires((dual_like<Args> || ...) &&
         ((dual_like<Args> || arithmetic<Args>)&&...)) struct custom_call<Args...> {
  static constexpr bool is_custom_call = true;
  template <class Fn>
  static constexpr auto call(const Fn& fn, const Args&... args) {
    constexpr int top = top_level<Args...>;
    using first = typename first_dual<top, Args...>::type;
    using result = dual<typename first::value_type, first::width>;
    static_assert(
        Fn::linear,
        "gradguard::custom_gradient: forward mode (gg::dual, value_and_grad<gg::forward>, "
        "gg::jvp) needs the derivative itself, which a vjp gives only when it is linear "
        "in g; declare it with gg::custom_gradient(primal, vjp, gg::linear_vjp), or "
        "differentiate in reverse mode (gg::value_and_grad, <gg::taped>), which calls "
        "the vjp with the cotangent");
    if constexpr (!Fn::linear || !Fn::template check<decltype(value_of<top>(args))...>()) {
      return result{};  // after the error
    } else {
      using namespace dual_operators;
      const auto r = fn.primal(value_of<top>(args)...);
      const auto p = as_partials_tuple(fn.vjp(one{}, value_of<top>(args)...));
      // r + sum of p_i (x_i - value(x_i)): the value r, the tangent sum of p_i t_i.
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        auto term = [&]<std::size_t K, class A>(std::integral_constant<std::size_t, K>,
                                                const A& a) {
          if constexpr (nesting_level<A>() == top) return std::get<K>(p) * (a - value_of<top>(a));
          else return zero{};
        };
        return result(r + (zero{} + ... + term(std::integral_constant<std::size_t, I>{}, args)));
      }
      (std::index_sequence_for<Args...>{});
    }
  }
};
}  // namespace detail

// The result of gg::jvp: f(x) and the directional derivative J(x) v, each a
// number or a vector as f returns.
template <class Value>
struct jvp_result {
  Value value;
  Value tangent;
};

// How an argument of gg::value_and_grad<gg::forward> becomes duals (make,
// seeded with the unit tangents offset, offset + 1, ...), what fn is given
// (pass) and how its gradient is shaped. Specialised for numbers and
// std::vector here, for Eigen vectors in <gradguard/eigen.hpp>.
template <class A>
struct forward_argument;

template <std::floating_point A>
struct forward_argument<A> {
  static constexpr std::size_t size(const A&) { return 1; }
  template <std::size_t N>
  static constexpr dual<double, N> make(const A& a, std::size_t offset, std::size_t n) {
    if constexpr (N == dynamic) return dual<double, N>::variable(static_cast<double>(a), offset, n);
    else return dual<double, N>::variable(static_cast<double>(a), offset);
  }
  // fn sees a const gg::dual<double, N>&.
  template <class D>
  static constexpr const D& pass(const D& d) {
    return d;
  }
  template <class Tangent>
  static constexpr double gradient(const A&, const Tangent& t, std::size_t offset) {
    return t[offset];
  }
};

template <std::floating_point A, class Alloc>
struct forward_argument<std::vector<A, Alloc>> {
  static std::size_t size(const std::vector<A, Alloc>& a) { return a.size(); }
  template <std::size_t N>
  static std::vector<dual<double, N>> make(const std::vector<A, Alloc>& a, std::size_t offset,
                                           std::size_t n) {
    static_assert(N == dynamic);
    std::vector<dual<double, N>> d;
    d.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
      d.push_back(dual<double, N>::variable(static_cast<double>(a[i]), offset + i, n));
    return d;
  }
  // fn sees const std::vector<gg::dual<double, gg::dynamic>>&: take it by reference.
  template <class D>
  static const D& pass(const D& d) {
    return d;
  }
  template <class Tangent>
  static std::vector<double> gradient(const std::vector<A, Alloc>& a, const Tangent& t,
                                      std::size_t offset) {
    std::vector<double> g(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) g[i] = detail::component(t, offset + i);
    return g;
  }
};

namespace detail {

template <class Y>
constexpr void check_forward_result() {
  if constexpr (!dual_like<Y>) {
    static_assert(always_false<Y>,
                  "gradguard::value_and_grad<gg::forward>(fn, args...): fn returned a plain "
                  "number, which depends on none of the arguments; return an expression of them");
  } else if constexpr (has_zero_tangent<Y>()) {
    static_assert(always_false<Y>,
                  "gradguard::value_and_grad<gg::forward>(fn, args...): the result of fn has a "
                  "structurally zero tangent: it depends on no argument through a differentiable "
                  "path (a constant, stop_gradient, floor, a cast to an integer, ...); return an "
                  "expression of the arguments");
  }
}

// The bytes of a driver's own duals: one dual, or a contiguous range of them
// (std::vector, an Eigen vector); a gg::nondiff value has none.
struct owned_duals {
  const void* begin = nullptr;
  const void* end = nullptr;
};
template <class M>
owned_duals owned_storage(const M& m) {
  if constexpr (dual_like<M>) {
    return {&m, &m + 1};
  } else if constexpr (requires {
                         m.data();
                         m.size();
                       }) {
    if constexpr (dual_like<std::remove_cvref_t<decltype(*m.data())>>)
      return {m.data(), m.data() + m.size()};
    else return {};
  } else {
    return {};
  }
}

// fn's result must read tangents of the driver's arguments only. An
// expression of duals reads the tangent of every const lvalue dual it was
// built from in place (forward/dual.hpp), so an expression that fn built
// from its own const locals, or from const references to by-value
// parameters, refers to duals that died when fn returned: reading them gives
// a wrong derivative without a word (seen: 1 instead of 37). Such a result is
// refused before it is read. Addresses only are compared, never dereferenced.
// In constant evaluation the compiler itself rejects a dead read.
template <class Y, std::size_t K>
void check_refers_inside(const Y& y, const std::array<owned_duals, K>& owned, const char* driver) {
  constexpr bool expression_refers = is_dual_expression_v<Y> && requires(void (*f)(const void*)) {
    y.tangent.for_each_referenced(f);
  };
  if constexpr (expression_refers || is_dual_view_v<Y>) {
    bool outside = false;
    auto visit = [&](const void* p) {
      // Addresses as integers: ordered across unrelated objects, as
      // std::less<const void*> orders them.
      const auto at = [](const void* q) { return reinterpret_cast<std::uintptr_t>(q); };
      bool in = false;
      for (const owned_duals& o : owned) in = in || (at(p) >= at(o.begin) && at(p) < at(o.end));
      outside = outside || !in;
    };
    if constexpr (expression_refers) {
      y.tangent.for_each_referenced(visit);
    } else {  // a gg::dual_view: the value and the tangents of a dual elsewhere
      visit(y.value_ptr);
      visit(y.tangent_ptr);
    }
    if (outside)
      throw std::logic_error(
          std::string("gradguard::") + driver +
          ": fn returned an expression of duals that refers to a gg::dual that is not one of its "
          "arguments: a const local of fn, or a const reference to a parameter that fn took by "
          "value, which no longer exists once fn returns (its derivative would be garbage). Take "
          "the parameters by reference (`const auto& x`), and make a result built from const "
          "locals a gg::dual before returning it (`return S(expression);` with S the scalar "
          "type of the arguments)");
  }
}

template <std::size_t N, class A>
constexpr auto make_forward_argument(const A& a, std::size_t offset, std::size_t n) {
  if constexpr (is_nondiff_v<A>) return a.value;
  else return forward_argument<A>::template make<N>(a, offset, n);
}

template <class A, class M>
constexpr decltype(auto) pass_forward_argument(const M& m) {
  if constexpr (is_nondiff_v<A>) return (m);
  else return forward_argument<A>::pass(m);
}

}  // namespace detail

// gg::value_and_grad<gg::forward>(fn, args...) -> {value, gradient}: gradient
// is a std::array<double, N> when every differentiated argument is a number
// (then usable in constant expressions), otherwise a std::tuple with one
// entry per differentiated argument (a double, a std::vector<double>, an
// Eigen vector). fn is called once; its result must be a dual expression of
// the arguments.
template <class Engine, class Fn, class... Args>
requires std::same_as<Engine, forward> &&
    (sizeof...(Args) > 0) constexpr auto value_and_grad(Fn&& fn, const Args&... args) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    if constexpr ((detail::is_integer_argument_v<Args> || ...)) {
      (detail::check_integer_argument<I, Args>(), ...);
      return value_and_grad_result<double, std::array<double, 0>>{};  // after the error
    } else {
      constexpr bool all_numbers = ((arithmetic<Args> || detail::is_nondiff_v<Args>)&&...);
      constexpr std::size_t count =
          (std::size_t{0} + ... + std::size_t{!detail::is_nondiff_v<Args>});
      constexpr std::size_t N = all_numbers ? count : dynamic;
      std::array<std::size_t, sizeof...(Args)> offset{};
      std::size_t n = 0;
      (
          [&] {
            offset[I] = n;
            if constexpr (!detail::is_nondiff_v<Args>) n += forward_argument<Args>::size(args);
          }(),
          ...);  // a comma fold runs left to right
      const auto made = std::tuple{detail::make_forward_argument<N>(args, offset[I], n)...};
      auto y = fn(detail::pass_forward_argument<Args>(std::get<I>(made))...);
      using Y = decltype(y);
      detail::check_forward_result<Y>();
      if constexpr (dual_like<Y> && !detail::has_zero_tangent<Y>()) {
        if (!std::is_constant_evaluated())
          detail::check_refers_inside(y, std::array{detail::owned_storage(std::get<I>(made))...},
                                      "value_and_grad<gg::forward>(fn, args...)");
        const dual<double, N> r = y;
        if constexpr (all_numbers) {
          value_and_grad_result<double, std::array<double, count>> out{gradguard::value(r),
                                                                       {}};  // as the static form
          for (std::size_t k = 0; k < count; ++k) out.gradient[k] = r.tangent[k];
          return out;
        } else {
          auto grads = std::tuple_cat([&] {
            if constexpr (!detail::is_nondiff_v<Args>)
              return std::tuple{forward_argument<Args>::gradient(args, r.tangent, offset[I])};
            else return std::tuple<>{};
          }()...);
          return value_and_grad_result<double, decltype(grads)>{gradguard::value(r),
                                                                std::move(grads)};
        }
      } else {
        return value_and_grad_result<double, std::array<double, 0>>{};  // after the error
      }
    }
  }
  (std::index_sequence_for<Args...>{});
}

namespace detail {

template <class Y>
double jvp_scalar_tangent(const Y& y) {
  if constexpr (has_zero_tangent<Y>()) return 0.0;  // a constant output
  else return static_cast<double>(gradguard::tangent(dual<double, 1>(y))[0]);
}

// {value, tangent} of fn's result: a dual, or a range of them.
template <class Y>
auto jvp_output(const Y& y) {
  if constexpr (dual_like<Y>) {
    return jvp_result<double>{static_cast<double>(gradguard::value(y)), jvp_scalar_tangent(y)};
  } else {
    static_assert(input_range<Y> && dual_like<range_value_t<Y>>,
                  "gradguard::jvp(fn, x, v): fn must return a gg::dual (an expression of its "
                  "argument) or a range of them, such as std::vector<gg::dual<double>>");
    jvp_result<std::vector<double>> r;
    for (const auto& yi : y) {
      r.value.push_back(static_cast<double>(gradguard::value(yi)));
      r.tangent.push_back(jvp_scalar_tangent(yi));
    }
    return r;
  }
}

inline void check_jvp_sizes(std::size_t x, std::size_t v) {
  if (x != v)
    throw std::invalid_argument("gradguard::jvp(fn, x, v): x has " + std::to_string(x) +
                                " elements and v has " + std::to_string(v) +
                                "; v is a direction in the space of x");
}

}  // namespace detail

// gg::jvp(fn, x, v) -> {f(x), J(x) v}. fn takes a
// const std::vector<gg::dual<double>>& and returns a dual or a range of duals
// (then value and tangent are std::vector<double>).
template <class Fn>
auto jvp(Fn&& fn, const std::vector<double>& x, const std::vector<double>& v) {
  detail::check_jvp_sizes(x.size(), v.size());
  std::vector<dual<double>> xd;
  xd.reserve(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) xd.push_back(dual<double>(x[i], {v[i]}));
  const auto y = fn(std::as_const(xd));
  const std::array owned{detail::owned_storage(xd)};
  if constexpr (dual_like<decltype(y)>) {
    detail::check_refers_inside(y, owned, "jvp(fn, x, v)");
  } else if constexpr (detail::input_range<decltype(y)>) {
    for (const auto& yi : y) detail::check_refers_inside(yi, owned, "jvp(fn, x, v)");
  }
  return detail::jvp_output(y);
}

}  // namespace gradguard
