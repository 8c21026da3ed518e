// IWYU pragma: private, include <gradguard/gradguard.hpp>
// One name, one variable. A variable's identity is its name (the sweeps
// merge repeated sub-trees by type, shared.hpp), so an expression that holds
// gg::var<"x">(1.0) and gg::var<"x">(2.0), as a weight re-created inside a
// function called twice, has no consistent value or derivative. The types
// say whether a name occurs more than once; only then are values compared:
//   * two leaves of one name but different kinds (gg::var and gg::frozen,
//     double and int) are a compile error naming the variable;
//   * two leaves of one name and type whose values differ are refused: in a
//     constant expression by a call to the non-constexpr
//     gg::variable_has_two_values_in_one_expression<"x">, at run time by the
//     std::invalid_argument it throws.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <gradguard/detail/type_list.hpp>
#include <gradguard/expr/leaf.hpp>
#include <gradguard/expr/node.hpp>

namespace gradguard {

// Never defined: naming it is the error.
template <fixed_string Name, class First, class Second>
struct one_name_for_two_different_variables;

// Two leaves of one name with different values in one expression.
// Not constexpr: in a constant expression, calling it is the error, and its
// name, with the variable's, is the message; at run time it throws.
template <fixed_string Name, class T>
[[noreturn]] void variable_has_two_values_in_one_expression(const T& first, const T& second) {
  auto text = [](const T& v, int digits) {
    std::ostringstream os;
    os.precision(digits);
    if constexpr (std::is_same_v<T, bool>) os << (v ? "true" : "false");
    else os << +v;  // a char as a number
    return os.str();
  };
  std::string a = text(first, 6), b = text(second, 6);
  if (a == b) {  // differ beyond 6 digits, or only by the sign of zero
    a = text(first, std::numeric_limits<T>::max_digits10);
    b = text(second, std::numeric_limits<T>::max_digits10);
  }
  const std::string name(Name.view());
  throw std::invalid_argument(
      "gradguard: one expression holds two variables named '" + name + "', with values " + a +
      " and " + b +
      "; a variable's identity is its name, so its value and derivative would be "
      "those of either (was gg::var<\"" +
      name +
      "\">(...) made again with a new value, e.g. "
      "inside a function called twice?); fix: make '" +
      name +
      "' once and reuse it, or give "
      "each its own name");
}

// The variable passed to ask for a derivative holds another value than the
// leaf of that name in the expression (a variable made again with a new
// value after f was built). Not constexpr, as above.
template <fixed_string Name, class T>
[[noreturn]] void requested_variable_has_another_value_than_in_the_expression(const T& passed,
                                                                              const T& held) {
  std::ostringstream os;
  os.precision(std::numeric_limits<T>::max_digits10);
  os << "gradguard: the variable '" << Name.view() << "' passed to ask for a derivative has value "
     << +passed << ", but the expression holds '" << Name.view() << "' with value " << +held
     << "; the derivative is taken at the values the expression holds, so the value passed "
        "would be ignored; fix: pass the variable the expression was built from, or build the "
        "expression again from the new one";
  throw std::invalid_argument(os.str());
}

namespace detail {

// gg::var<"x">(1.0) and gg::frozen<"x">(1.0), or gg::var<"x">(1), in one
// expression: the types already say that one name is used for two variables.
template <fixed_string Name, class First, class Second>
constexpr void name_clash() {
  [[maybe_unused]] one_name_for_two_different_variables<Name, First, Second> error;
  static_assert(always_false<First>,
                "gradguard: two variables of one expression have the same name but different "
                "kinds (gg::var and gg::frozen, or different value types); a variable's identity "
                "is its name, so they cannot be told apart; fix: give each its own name, or make "
                "the variable once and reuse it");
}

// The named leaves of E (gg::var, gg::frozen), one entry per occurrence.
template <class E>
struct named_leaves_of {
  using type = type_list<>;
};
template <fixed_string Name, arithmetic T>
struct named_leaves_of<variable<Name, T>> {
  using type = type_list<variable<Name, T>>;
};
template <fixed_string Name, arithmetic T>
struct named_leaves_of<frozen_variable<Name, T>> {
  using type = type_list<frozen_variable<Name, T>>;
};
template <class Rule, class... Args>
struct named_leaves_of<node<Rule, Args...>> {
  using type = typename concat<typename named_leaves_of<Args>::type...>::type;
};

// What the names of a list of leaves say: `clash` is the position of a leaf
// whose name an earlier leaf of another type holds (at `clash_with`), or n;
// `repeated` lists the leaf types that occur more than once. One pass over
// the leaves against the distinct names seen so far (few), so that a tree of
// thousands of leaves (gg::d of a long chain) stays cheap to check.
template <class List>
struct name_check;
template <class... L>
struct name_check<type_list<L...>> {
  static constexpr std::size_t n = sizeof...(L);
  template <std::size_t I>
  using at = type_at_t<I, type_list<L..., void>>;

  struct result {
    std::size_t clash = n, clash_with = n;
    std::array<std::size_t, n + 1> repeated{};  // first occurrences
    std::size_t repeated_count = 0;
  };
  static constexpr result value = [] {
    result r;
    if constexpr (n > 1) {
      constexpr std::string_view names[] = {L::name.view()...};
      constexpr const char* types[] = {&type_tag<L>...};
      std::array<std::size_t, n> first{};  // of each distinct name, in order
      std::array<bool, n> again{};         // that leaf's type occurs again
      std::size_t distinct = 0;
      for (std::size_t j = 0; j < n; ++j) {
        std::size_t d = 0;
        while (d < distinct && names[first[d]] != names[j]) ++d;
        if (d == distinct) {
          first[distinct++] = j;
        } else if (types[first[d]] != types[j]) {
          if (r.clash == n) {
            r.clash = j;
            r.clash_with = first[d];
          }
        } else {
          again[d] = true;
        }
      }
      for (std::size_t d = 0; d < distinct; ++d)
        if (again[d]) r.repeated[r.repeated_count++] = first[d];
    }
    return r;
  }();

  // Empty after a clash: that is the error then.
  using repeated = decltype([]<std::size_t... K>(std::index_sequence<K...>) {
    return type_list<at<value.repeated[K]>...>{};
  }(std::make_index_sequence < value.clash == n ? value.repeated_count : 0 > {}));
};

template <class E>
using name_check_t = name_check<typename named_leaves_of<E>::type>;

// Whether a and b are one value: NaN matches NaN, 0.0 does not match -0.0.
template <class T>
constexpr bool same_value(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (a != a || b != b) return a != a && b != b;
    if constexpr (sizeof(T) == sizeof(std::uint64_t))
      return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b);
    else if constexpr (sizeof(T) == sizeof(std::uint32_t))
      return std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
    else return a == b;
  } else {
    return a == b;
  }
}

// Writes the values of the leaves of type L in e to out, left to right.
template <class L, class E>
constexpr void collect_values(const E& e, value_type_t<L>* out, std::size_t& k);
template <class L, class E, std::size_t... I>
constexpr void collect_operand_values(const E& e, value_type_t<L>* out, std::size_t& k,
                                      std::index_sequence<I...>) {
  (detail::collect_values<L>(detail::get<I>(e.args), out, k), ...);
}
template <class L, class E>
constexpr void collect_values(const E& e, value_type_t<L>* out, std::size_t& k) {
  if constexpr (std::is_same_v<E, L>) out[k++] = e.value;
  else if constexpr (is_node_v<E>)
    detail::collect_operand_values<L>(
        e, out, k, std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
}

template <class S, class List>
inline constexpr std::size_t count_in_v = 0;
// A loop, not a fold expression: clang++ nests a fold's operands and stops at
// 256 (the leaves of gg::d of a 25-step chain are 350).
template <class S, class... Ts>
inline constexpr std::size_t count_in_v<S, type_list<Ts...>> = [] {
  constexpr bool same[] = {std::is_same_v<S, Ts>..., false};
  std::size_t count = 0;
  for (bool b : same) count += b;
  return count;
}();

// The type check (a compile error) for E.
template <class E>
constexpr void check_name_kinds() {
  using check = name_check_t<E>;
  if constexpr (check::value.clash < check::n) {
    using first = typename check::template at<check::value.clash_with>;
    using second = typename check::template at<check::value.clash>;
    name_clash<first::name, first, second>();
  }
}

template <class List>
struct rest_of;
template <class T, class... Ts>
struct rest_of<type_list<T, Ts...>> {
  using type = type_list<Ts...>;
};

// The whole check: types at compile time, then, only where a name repeats,
// the values of its leaves (one type of leaf per call, Repeated's first).
// Free for an expression without a repeated name. Called by each public
// function itself, so that a constant evaluation that fails here shows a
// backtrace two frames deep.
template <class E>
struct repeated_leaves {
  using type = typename name_check_t<E>::repeated;
};

template <class E, class Repeated>
constexpr void check_names(const E& e) {
  using check = name_check_t<E>;
  if constexpr (check::value.clash < check::n) {  // as check_name_kinds, one frame less
    using first = typename check::template at<check::value.clash_with>;
    name_clash<first::name, first, typename check::template at<check::value.clash>>();
  } else if constexpr (Repeated::size > 0) {
    using L = type_at_t<0, Repeated>;
    constexpr std::size_t count = count_in_v<L, typename named_leaves_of<E>::type>;
    value_type_t<L> values[count]{};
    std::size_t k = 0;
    detail::collect_values<L>(e, values, k);
    for (std::size_t i = 1; i < count; ++i)
      if (!detail::same_value(values[0], values[i]))
        variable_has_two_values_in_one_expression<L::name>(values[0], values[i]);
    detail::check_names<E, typename rest_of<Repeated>::type>(e);
  }
}

// A variable passed to gg::gradient, derivative, value_and_gradient or d
// names a leaf of e: its value must be that leaf's. One comparison per
// requested variable; nothing for one that e does not hold.
template <class E, class... Vs>
constexpr void check_requested_values(const E& e, const Vs&... vs) {
  auto one = [&e]<class V>(const V& v) {
    if constexpr (named_variable<V>) {
      constexpr std::size_t count = count_in_v<V, typename named_leaves_of<E>::type>;
      if constexpr (count > 0) {
        value_type_t<V> values[count]{};
        std::size_t k = 0;
        detail::collect_values<V>(e, values, k);
        if (!detail::same_value(v.value, values[0]))
          requested_variable_has_another_value_than_in_the_expression<V::name>(v.value, values[0]);
      }
    }
  };
  (one(vs), ...);
}

}  // namespace detail
}  // namespace gradguard
