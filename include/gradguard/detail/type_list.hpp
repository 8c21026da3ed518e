// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Lists of types (type_list, concat, type_at) and type_tag, for the analyses of
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

// One object per type: two types are the same when their tags' addresses
// are, which a constant expression can compare in a loop (an expanded pack of
// n^2 std::is_same_v is quadratic in the compiler's memory).
template <class T>
inline constexpr char type_tag = 0;

}  // namespace gradguard::detail
