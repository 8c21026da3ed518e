// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The public derivative API of static expressions: derivative, gradient,
// value_and_gradient, depends_on, active_variables.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/detail/config.hpp>
#include <gradguard/expr/activity.hpp>
#include <gradguard/expr/diagnostics.hpp>
#include <gradguard/expr/reverse.hpp>
#include <gradguard/rules/math.hpp>

namespace gradguard {

// The names of a gradient_result's entries, in the order asked.
template <fixed_string... Names>
struct name_list {};

// The gradient: tuple-like (structured bindings) and indexed by variable,
// g[x]. An element is a number, or gg::zero where gg::allow_unconnected
// turned a missing derivative into a structural zero.
template <class NameList, class... Ts>
struct gradient_result;

template <fixed_string... Names, class... Ts>
struct gradient_result<name_list<Names...>, Ts...> {
  std::tuple<Ts...> values;

  template <std::size_t I>
  constexpr auto get() const {
    return std::get<I>(values);
  }
  static constexpr std::size_t size() { return sizeof...(Ts); }

  template <named_variable V>
  constexpr auto operator[](const V&) const {
    constexpr std::size_t i =
        detail::gradient_slots<double, Names...>::template index_of<V::name>();
    if constexpr (i < sizeof...(Ts)) {
      return std::get<i>(values);
    } else {
      static_assert(detail::always_false<V>,
                    "gradguard: g[v]: v was not among the variables passed to gg::gradient");
      return zero{};
    }
  }
};

// The result of gg::value_and_gradient(f, x, y): the value and the gradient (g[x], or structured
// bindings).
template <class Value, class Gradient>
struct value_and_gradient_result {
  Value value;
  Gradient gradient;

  template <std::size_t I>
  constexpr auto get() const {
    if constexpr (I == 0) return value;
    else return gradient.template get<I - 1>();
  }
};

namespace detail {

template <class V>
constexpr auto name_of() {
  if constexpr (named_variable<V>) return std::remove_cvref_t<V>::name;
  else return fixed_string("");
}

// Why V has no derivative in F, or active_path. The variable's own kind
// (frozen, integer) comes before what the expression does to it.
template <class F, class V>
constexpr auto status_of_argument() {
  if constexpr (!named_variable<V>) return boost::hana::type_c<reason::not_a_variable>;
  else if constexpr (!is_trainable_variable_v<V> && is_variable_v<V> &&
                     std::is_floating_point_v<value_type_t<V>>)
    return boost::hana::type_c<reason::frozen>;
  else if constexpr (!std::is_floating_point_v<value_type_t<V>>)
    return boost::hana::type_c<reason::integer_or_boolean>;
  else if constexpr (is_too_deep_v<F>) return boost::hana::type_c<active_path>;  // reported
  else return boost::hana::type_c<status_t<F, V::name>>;
}
template <class F, class V>
using argument_status_t = typename decltype(status_of_argument<F, V>())::type;

template <class F, class V>
inline constexpr bool argument_is_active_v = std::is_same_v<argument_status_t<F, V>, active_path>;

template <class T>
inline constexpr bool is_allow_tag_v = std::is_same_v<std::remove_cvref_t<T>, allow_unconnected_t>;

// Every variable without a derivative, as missing_list<and_to<name, reason>...>.
template <class F, class... Args>
struct missing_arguments {
  static constexpr bool allow = (is_allow_tag_v<Args> || ...);
  static constexpr std::array<bool, sizeof...(Args) + 1> bad{
      (!is_allow_tag_v<Args> && !argument_is_active_v<F, Args> &&
       (!allow || std::is_same_v<argument_status_t<F, Args>, reason::not_a_variable>))...,
      false};
  static constexpr std::array<bool, sizeof...(Args) + 1> not_variable{
      std::is_same_v<argument_status_t<F, Args>, reason::not_a_variable>..., false};
  static constexpr auto positions = [] {
    std::array<std::size_t, sizeof...(Args) + 1> p{};
    std::size_t count = 0, first_not_variable = sizeof...(Args);
    for (std::size_t i = 0; i < sizeof...(Args); ++i) {
      if (!bad[i]) continue;
      p[count++] = i;
      if (not_variable[i] && first_not_variable == sizeof...(Args)) first_not_variable = i;
    }
    return std::tuple{p, count, first_not_variable};
  }();
  template <std::size_t I>
  using arg = std::tuple_element_t<I, std::tuple<Args...>>;
  using type = decltype([]<std::size_t... K>(std::index_sequence<K...>) {
    return missing_list<and_to<arg<std::get<0>(positions)[K]>::name,
                               argument_status_t<F, arg<std::get<0>(positions)[K]>>>...>{};
  }(std::make_index_sequence < std::get<2>(positions) < sizeof...(Args)
        ? 0
        : std::get<1>(positions) > {}));
};

// Reports every argument without a derivative in one diagnosis (a constant
// or number passed for a variable first, on its own); a trailing
// gg::allow_unconnected silences all but "not a variable". Called directly
// by the public functions, so that the compiler's instantiation backtrace
// stays three frames deep.
template <class F, class... Args>
constexpr void check_arguments() {
  using missing = missing_arguments<F, Args...>;
  constexpr std::size_t not_variable = std::get<2>(missing::positions);
  if constexpr (not_variable < sizeof...(Args))
    not_a_variable<not_variable + 1,
                   std::remove_cvref_t<typename missing::template arg<not_variable>>>();
  else if constexpr (std::get<1>(missing::positions) > 0)
    missing_gradient(typename missing::type{});
}

template <class F>
using derivative_type_t = math::floating_t<value_type_t<F>>;

// gg::zero where allow_unconnected asked for it. A slot whose missing
// derivative was diagnosed holds a plain 0 of type T instead, so that the
// caller's code (`gg::derivative(f, w) > 0`) compiles quietly after the one
// diagnosis rather than adding errors of its own.
template <bool Allow, class F, class V>
inline constexpr bool structural_zero_slot_v =
    Allow&& named_variable<V> && !argument_is_active_v<F, V>;

template <bool Allow, class F, class... Vs>
GRADGUARD_ALWAYS_INLINE constexpr auto value_and_gradient_impl(const F& f) {
  using T = derivative_type_t<F>;
  const auto value_slots = value_and_slots<T, name_of<Vs>()...>(f);
  using slots_t = std::remove_cvref_t<decltype(value_slots.second)>;
  using result =
      gradient_result<name_list<name_of<Vs>()...>,
                      std::conditional_t<structural_zero_slot_v<Allow, F, Vs>, zero, T>...>;
  result g{{[&] {
    if constexpr (argument_is_active_v<F, Vs>)
      return value_slots.second.values[slots_t::template index_of<name_of<Vs>()>()];
    else if constexpr (structural_zero_slot_v<Allow, F, Vs>) return zero{};
    else return T(0);  // after a diagnosis
  }()...}};
  using value_t = std::remove_cvref_t<decltype(value_slots.first)>;
  return value_and_gradient_result<value_t, result>{value_slots.first, g};
}

// Splits `vars..., allow_unconnected` and calls value_and_gradient_impl.
template <class F, class... Args>
GRADGUARD_ALWAYS_INLINE constexpr auto dispatch_gradient(const F& f, const Args&...) {
  constexpr std::size_t n = sizeof...(Args);
  if constexpr (n > 0 && is_allow_tag_v<std::tuple_element_t<n - 1, std::tuple<Args...>>>) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return value_and_gradient_impl<true, F, std::tuple_element_t<I, std::tuple<Args...>>...>(f);
    }
    (std::make_index_sequence<n - 1>{});
  } else {
    return value_and_gradient_impl<false, F, Args...>(f);
  }
}

}  // namespace detail

// gg::gradient(f, x, y[, gg::allow_unconnected]): the derivatives of f with
// respect to each variable. A variable that does not reach f is a compile
// error that names it, unless allow_unconnected asks for gg::zero.
template <expression F, class... Vars>
requires(sizeof...(Vars) > 0) constexpr auto gradient(const F& f, const Vars&... vars) {
  detail::check_arguments<F, Vars...>();
  detail::check_names(f);  // one name, one variable (names.hpp)
  detail::check_requested_values(f, vars...);
  return detail::dispatch_gradient(f, vars...).gradient;
}

// gg::value_and_gradient(f, x, y): value first, then the gradient:
//   auto [fx, gx, gy] = gg::value_and_gradient(f, x, y);
template <expression F, class... Vars>
requires(sizeof...(Vars) > 0) constexpr auto value_and_gradient(const F& f, const Vars&... vars) {
  detail::check_arguments<F, Vars...>();
  detail::check_names(f);  // one name, one variable (names.hpp)
  detail::check_requested_values(f, vars...);
  return detail::dispatch_gradient(f, vars...);
}

// gg::derivative(f, x[, gg::allow_unconnected]): one partial derivative.
template <expression F, class V>
constexpr auto derivative(const F& f, const V& v) {
  detail::check_arguments<F, V>();
  detail::check_names(f);  // one name, one variable (names.hpp)
  detail::check_requested_values(f, v);
  return detail::dispatch_gradient(f, v).gradient.template get<0>();
}
template <expression F, class V>
constexpr auto derivative(const F& f, const V& v, allow_unconnected_t a) {
  detail::check_arguments<F, V, allow_unconnected_t>();
  detail::check_names(f);  // one name, one variable (names.hpp)
  detail::check_requested_values(f, v);
  return detail::dispatch_gradient(f, v, a).gradient.template get<0>();
}

// True when v reaches f through a differentiable path.
template <expression F, named_variable V>
constexpr bool depends_on(const F&, const V&) {
  detail::check_name_kinds<F>();
  return detail::argument_is_active_v<F, V>;
}

// The names of the variables that reach f through a differentiable path.
template <expression F>
constexpr auto active_variables(const F&) {
  detail::check_name_kinds<F>();
  namespace hana = boost::hana;
  return hana::unpack(activity<F>::value, [](auto... entries) {
    constexpr bool active[] = {
        std::is_same_v<typename decltype(+hana::second(entries))::type, detail::active_path>...,
        false};
    constexpr std::size_t count =
        (std::size_t{0} + ... +
         std::size_t{
             std::is_same_v<typename decltype(+hana::second(entries))::type, detail::active_path>});
    variable_set<count> set;
    std::size_t k = 0, i = 0;
    ((active[i++] ? (set.names[k++] = decltype(+hana::first(entries))::type::name.view(), 0) : 0),
     ...);
    return set;
  });
}

}  // namespace gradguard

template <class NameList, class... Ts>
struct std::tuple_size<gradguard::gradient_result<NameList, Ts...>>
    : std::integral_constant<std::size_t, sizeof...(Ts)> {};
template <std::size_t I, class NameList, class... Ts>
struct std::tuple_element<I, gradguard::gradient_result<NameList, Ts...>> {
  using type = std::tuple_element_t<I, std::tuple<Ts...>>;
};
template <class Value, class Gradient>
struct std::tuple_size<gradguard::value_and_gradient_result<Value, Gradient>>
    : std::integral_constant<std::size_t, 1 + std::tuple_size_v<Gradient>> {};
template <std::size_t I, class Value, class Gradient>
struct std::tuple_element<I, gradguard::value_and_gradient_result<Value, Gradient>> {
  using type = decltype(std::declval<gradguard::value_and_gradient_result<Value, Gradient>>()
                            .template get<I>());
};
