// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Lists of types: type_list, concat and type_at, for the analyses of
// expression types (expr/shared.hpp, expr/names.hpp).
#pragma once

#include <cstddef>
#include <tuple>

namespace gradguard::detail {

template <class... Ts>
struct type_list {
  static constexpr std::size_t size = sizeof...(Ts);
};

template <class... Lists>
struct concat;
template <>
struct concat<> {
  using type = type_list<>;
};
template <class... Ts>
struct concat<type_list<Ts...>> {
  using type = type_list<Ts...>;
};
template <class... Ts, class... Us, class... Rest>
struct concat<type_list<Ts...>, type_list<Us...>, Rest...> {
  using type = typename concat<type_list<Ts..., Us...>, Rest...>::type;
};

template <std::size_t K, class List>
struct type_at;
template <std::size_t K, class... Ts>
struct type_at<K, type_list<Ts...>> {
  using type = std::tuple_element_t<K, std::tuple<Ts...>>;
};
template <std::size_t K, class List>
using type_at_t = typename type_at<K, List>::type;

}  // namespace gradguard::detail
