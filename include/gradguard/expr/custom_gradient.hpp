// IWYU pragma: private, include <gradguard/gradguard.hpp>
// gg::custom_gradient(primal, vjp): an operation with a user-written
// derivative, usable in static expressions, on the tape and on matrices.
//
//   constexpr auto softclip = gg::custom_gradient(
//       [](auto x) { using std::abs; return x / (1 + abs(x)); },          // primal
//       [](auto g, auto x) { using std::abs; return g / ((1 + abs(x)) * (1 + abs(x))); });
//   auto f = softclip(x) * y;            // a node; gg::real r = softclip(w); records it
//
// The vjp takes the cotangent g (the adjoint of the result) and the inputs
// and returns one cotangent per input (a number for one input, a std::tuple
// or std::array for several). It is called with the real cotangent, once per
// sweep, so it may be non-linear in g (clip it, scale it). Both callables may
// capture (a threshold, a counter): they are kept by value, in the node or on
// the tape. Captureless ones keep everything constexpr.
//
// Forward mode (gg::dual, gg::d) needs the derivative itself, which a vjp
// gives only when it is linear in g: declare that with
// gg::custom_gradient(primal, vjp, gg::linear_vjp); forward mode refuses the
// operation otherwise. A linear vjp is also recorded into the statement it
// belongs to on the tape (its partials are vjp(1) at recording time).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/expr/node.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {

// gg::custom_gradient(primal, vjp, gg::linear_vjp): vjp(g, x...) is g times
// the partial derivatives.
struct linear_vjp_t {
  explicit linear_vjp_t() = default;
};
inline constexpr linear_vjp_t linear_vjp{};

namespace detail {
template <class R>
constexpr auto as_partials_tuple(const R& r) {
  if constexpr (requires { std::tuple_size<R>::value; })
    return std::apply([](const auto&... p) { return std::tuple{p...}; }, r);
  else return std::tuple{r};
}
template <class R>
constexpr std::size_t result_count() {
  if constexpr (requires { std::tuple_size<R>::value; }) return std::tuple_size_v<R>;
  else return 1;
}

// How a custom operation runs on arguments other than expressions and
// numbers: duals (forward/), matrices on a tape (eigen/). Specialised there
// with a static call(fn, args...).
template <class... Args>
struct custom_call {};
// Records a custom operation whose vjp is non-linear in g on the tape of its
// gg::real operands, as a callback called in the sweep (tape/custom.hpp).
template <class... Args>
struct custom_tape_call;
}  // namespace detail

namespace rules {
template <class Fn>
struct custom_rule {
  using state_type = Fn;
  static constexpr std::string_view name = "custom_gradient";
  static constexpr bool takes_cotangent = true;
  static constexpr bool shareable = Fn::linear && Fn::captureless;
  static constexpr auto value(const Fn& fn, const auto&... x) { return fn.primal(x...); }
  static constexpr auto vjp(const Fn& fn, const auto& g, const auto&, const auto&... x) {
    return detail::as_partials_tuple(fn.vjp(g, x...));
  }
  // The partials, for engines that have no cotangent (gg::d, a fused tape
  // statement): vjp(1), right only for a vjp declared linear.
  static constexpr auto partials(const Fn& fn, const auto&, const auto&... x) {
    static_assert(Fn::linear,
                  "gradguard::custom_gradient: gg::d and forward mode need the derivative itself, "
                  "which a vjp gives only when it is linear in g; declare it with "
                  "gg::custom_gradient(primal, vjp, gg::linear_vjp), or differentiate with "
                  "gg::gradient or gg::value_and_grad (they call the vjp with the cotangent)");
    return detail::as_partials_tuple(fn.vjp(one{}, x...));
  }
};
// Stands in for a custom rule whose vjp is invalid, after the error was
// reported: well-typed, so that nothing downstream adds errors of its own.
template <class Fn>
struct invalid_custom_rule {
  using state_type = Fn;
  static constexpr std::string_view name = "custom_gradient";
  static constexpr auto value(const Fn& fn, const auto&... x) { return fn.primal(x...); }
  static constexpr auto partials(const Fn&, const auto& r, const auto&... x) {
    return std::tuple{(static_cast<void>(x), r * 0)...};
  }
};
}  // namespace rules

// What gg::custom_gradient(primal, vjp[, gg::linear_vjp]) returns: a callable that makes one node
// (or one tape block) of its arguments.
template <class Primal, class Vjp, bool Linear = false>
struct custom_function {
  static constexpr bool linear = Linear;
  static constexpr bool captureless = std::is_empty_v<Primal> && std::is_empty_v<Vjp> &&
                                      std::is_default_constructible_v<Primal> &&
                                      std::is_default_constructible_v<Vjp>;
  [[no_unique_address]] Primal primal;
  [[no_unique_address]] Vjp vjp;

  template <class... Args>
  requires(sizeof...(Args) >= 1 && sizeof...(Args) <= 3 && (operand<Args> && ...)) constexpr auto
  operator()(const Args&... args) const {
    if constexpr (!check<value_type_t<decltype(as_expression(args))>...>()) {
      return make_node_with<rules::invalid_custom_rule<custom_function>>(*this, args...);
    } else if constexpr (!Linear && (contains_runtime_leaf_v<Args> || ...)) {
      // On the tape the cotangent is known only in the sweep: a callback statement.
      return detail::custom_tape_call<Args...>::record(*this, args...);
    } else if constexpr ((expression<Args> || ...)) {
      return make_node_with<rules::custom_rule<custom_function>>(*this, args...);
    } else {
      return primal(args...);
    }
  }

  // Duals, gg::real_matrix: see detail::custom_call.
  template <class... Args>
  requires(sizeof...(Args) >= 1 && sizeof...(Args) <= 3 && !(operand<Args> && ...) &&
           requires { detail::custom_call<Args...>::is_custom_call; }) constexpr auto
  operator()(const Args&... args) const {
    return detail::custom_call<Args...>::call(*this, args...);
  }

  // Whether vjp(g, x...) can be called and returns one cotangent per input;
  // a static_assert says what is wrong when not. G is the result's type.
  template <class... X>
  static constexpr bool check() {
    constexpr bool primal_ok = std::is_invocable_v<const Primal&, X...>;
    static_assert(primal_ok,
                  "gradguard::custom_gradient(primal, vjp): the primal cannot be called with "
                  "these inputs");
    if constexpr (!primal_ok) {
      return false;
    } else {
      using G = std::invoke_result_t<const Primal&, X...>;
      return check_vjp<G, X...>();
    }
  }
  template <class G, class... X>
  static constexpr bool check_vjp() {
    constexpr bool arity_ok = std::is_invocable_v<const Vjp&, G, X...>;
    constexpr bool mutable_vjp = !arity_ok && std::is_invocable_v<Vjp&, G, X...>;
    static_assert(!mutable_vjp,
                  "gradguard::custom_gradient(primal, vjp): the vjp is called as a const object; "
                  "instead of a mutable lambda, capture the state by reference ([&count])");
    static_assert(arity_ok || mutable_vjp,
                  "gradguard::custom_gradient(primal, vjp): the vjp is called as vjp(g, x1, ..., "
                  "xN), with the cotangent g first and then every input of the primal; its "
                  "number of parameters does not match the call");
    if constexpr (!arity_ok) {
      return false;
    } else {
      constexpr bool count_ok =
          detail::result_count<std::invoke_result_t<const Vjp&, G, X...>>() == sizeof...(X);
      static_assert(count_ok,
                    "gradguard::custom_gradient(primal, vjp): the vjp must return one cotangent "
                    "per input (a number for one input, a std::tuple or std::array for several)");
      return count_ok;
    }
  }
};

// A callable with a user-written derivative: see the top of this file.
template <class Primal, class Vjp>
constexpr custom_function<Primal, Vjp> custom_gradient(Primal primal, Vjp vjp) {
  return {primal, vjp};
}
template <class Primal, class Vjp>
constexpr custom_function<Primal, Vjp, true> custom_gradient(Primal primal, Vjp vjp, linear_vjp_t) {
  return {primal, vjp};
}

}  // namespace gradguard
