// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Repeated sub-expressions. An expression is a tree of values, so
// `auto s = gg::sin(x); auto f = s * s;` holds two copies of `sin(x)`. Two
// sub-trees of the same type made only of variables hold the same values
// (a variable's identity is its name), so the sweeps evaluate such a
// sub-tree once and push its adjoint through it once, however often it
// occurs. Sub-trees with constants are not merged: equal types do not imply
// equal constants.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/detail/type_list.hpp>
#include <gradguard/expr/leaf.hpp>
#include <gradguard/expr/node.hpp>

namespace gradguard::detail {

// Every node of E (E first, then its operands' nodes, left to right).
template <class E>
struct nodes_of {
  using type = type_list<>;
};
template <class Rule, class... Args>
struct nodes_of<node<Rule, Args...>> {
  using type =
      typename concat<type_list<node<Rule, Args...>>, typename nodes_of<Args>::type...>::type;
};

// A node whose leaves are all variables: its value is fixed by its type.
template <class E>
inline constexpr bool is_variables_only_v = is_variable_v<E>;
template <class Rule, class... Args>
inline constexpr bool is_variables_only_v<node<Rule, Args...>> = rules::shareable<Rule>() &&
                                                                 (is_variables_only_v<Args> && ...);

template <class E>
inline constexpr std::size_t node_count_v = 0;
template <class Rule, class... Args>
inline constexpr std::size_t node_count_v<node<Rule, Args...>> = 1 + (node_count_v<Args> + ... + 0);

template <class S, class E>
inline constexpr bool contains_v = std::is_same_v<S, E>;
template <class S, class Rule, class... Args>
inline constexpr bool contains_v<S, node<Rule, Args...>> = std::is_same_v<S, node<Rule, Args...>> ||
                                                           (contains_v<S, Args> || ...);

// The variables-only nodes of E (the sub-trees that may be shared), in the
// order of nodes_of. A node with a constant below it is skipped without
// listing its sub-trees, so most of a typical expression is never listed.
// (The branch is chosen before `::type` is asked for: a std::conditional_t
// of the two lists made nodes_of every node's list, quadratic in the depth.)
template <class E>
struct variables_only_nodes_of {
  using type = type_list<>;
};
template <class Rule, class... Args>
struct variables_only_nodes_of<node<Rule, Args...>> {
  using type =
      typename std::conditional_t<is_variables_only_v<node<Rule, Args...>>,
                                  nodes_of<node<Rule, Args...>>,
                                  concat<typename variables_only_nodes_of<Args>::type...>>::type;
};

// The variables-only nodes that occur more than once in E, each listed once,
// larger ones first: a sub-tree comes before every sub-tree it contains.
template <class List>
struct shared_nodes;
template <class... Ts>
struct shared_nodes<type_list<Ts...>> {
  static constexpr std::size_t n = sizeof...(Ts);
  template <std::size_t I>
  using at = std::tuple_element_t<I, std::tuple<Ts..., void>>;

  // Position of each kept type in the list: first occurrence and repeated;
  // then ordered by decreasing size.
  static constexpr auto positions = [] {
    constexpr const char* tag[] = {&type_tag<Ts>..., nullptr};
    constexpr std::size_t size[] = {node_count_v<Ts>..., 0};
    std::array<std::size_t, n + 1> kept{};
    std::size_t count = 0;
    for (std::size_t i = 0; i < n; ++i) {
      bool first = true;
      std::size_t occurrences = 0;
      for (std::size_t j = 0; j < n; ++j) {
        if (tag[i] != tag[j]) continue;
        ++occurrences;
        if (j < i) first = false;
      }
      if (first && occurrences > 1) kept[count++] = i;
    }
    for (std::size_t a = 1; a < count; ++a)  // insertion sort, larger first
      for (std::size_t b = a; b > 0 && size[kept[b]] > size[kept[b - 1]]; --b)
        std::swap(kept[b], kept[b - 1]);
    return std::pair{kept, count};
  }();

  using type = decltype([]<std::size_t... K>(std::index_sequence<K...>) {
    return type_list<at<positions.first[K]>...>{};
  }(std::make_index_sequence<positions.second>{}));
};

template <class E>
using shared_nodes_t = typename shared_nodes<typename variables_only_nodes_of<E>::type>::type;

template <class S, class List>
inline constexpr std::size_t index_in_v = 0;
template <class S, class... Ts>
inline constexpr std::size_t index_in_v<S, type_list<Ts...>> = [] {
  constexpr bool same[] = {std::is_same_v<S, Ts>..., true};
  std::size_t i = 0;
  while (!same[i]) ++i;
  return i;
}();

template <class S, class List>
inline constexpr bool is_in_v = index_in_v<S, List> < List::size;

// The first occurrence of S inside e.
template <class S, class E>
constexpr const S& first_occurrence(const E& e) {
  if constexpr (std::is_same_v<S, E>) {
    return e;
  } else {
    return [&]<std::size_t... I>(std::index_sequence<I...>)->const S& {
      constexpr bool has[] = {contains_v<S, std::tuple_element_t<I, decltype(e.args)>>...};
      constexpr std::size_t k = [&] {
        std::size_t i = 0;
        while (!has[i]) ++i;
        return i;
      }();
      return first_occurrence<S>(detail::get<k>(e.args));
    }
    (std::make_index_sequence<std::tuple_size_v<decltype(e.args)>>{});
  }
}

}  // namespace gradguard::detail
