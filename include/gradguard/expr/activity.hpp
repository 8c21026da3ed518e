// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Activity analysis: for every variable that appears in an expression type,
// whether a differentiable path reaches the result, and if not, why. Computed
// once per expression type with Boost.Hana as a map from variable name to
// status, where a status is `detail::active_path` or a `reason::` type.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/hana/at_key.hpp>
#include <boost/hana/basic_tuple.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/erase_key.hpp>
#include <boost/hana/find.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/insert.hpp>
#include <boost/hana/map.hpp>
#include <boost/hana/optional.hpp>
#include <boost/hana/pair.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>

#include <gradguard/expr/node.hpp>
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {
namespace detail {
namespace hana = boost::hana;

template <fixed_string Name>
struct name_tag {
  static constexpr auto name = Name;
};

struct active_path;  // status of a variable with at least one differentiable path

template <class Status, class Reason>
using cut_status = std::conditional_t<std::is_same_v<Status, active_path>, Reason, Status>;

// The statuses of a child as seen through an operand slot that cuts the path:
// active becomes Reason, an existing reason (integer, frozen, ...) is kept.
template <class Reason, class Map>
constexpr auto cut(const Map& map) {
  return hana::unpack(map, [](auto... entries) {
    return hana::make_map(hana::make_pair(
        hana::first(entries),
        hana::type_c<cut_status<typename decltype(+hana::second(entries))::type, Reason>>)...);
  });
}

// Union of two activity maps: active wins over blocked; between two reasons
// the first one found (left to right) is kept.
struct merge_fn {
  template <class Map, class Entry>
  constexpr auto operator()(const Map& acc, const Entry& entry) const {
    auto key = hana::first(entry);
    if constexpr (decltype(hana::contains(acc, key))::value) {
      using old_status = typename decltype(+hana::at_key(acc, key))::type;
      using new_status = typename decltype(+hana::second(entry))::type;
      if constexpr (!std::is_same_v<old_status, active_path> &&
                    std::is_same_v<new_status, active_path>)
        return hana::insert(hana::erase_key(acc, key), entry);
      else return acc;
    } else {
      return hana::insert(acc, entry);
    }
  }
};

template <class Map>
constexpr auto merge(const Map& acc, const auto& other) {
  return hana::fold_left(other, acc, merge_fn{});
}

}  // namespace detail

// activity<E>::value: the map for expression type E. Constants have none.
template <class E>
struct activity {
  static constexpr auto value = boost::hana::make_map();
};

template <fixed_string Name, arithmetic T>
struct activity<variable<Name, T>> {
  using status = std::conditional_t<std::is_floating_point_v<T>, detail::active_path,
                                    reason::integer_or_boolean>;
  static constexpr auto value = boost::hana::make_map(boost::hana::make_pair(
      boost::hana::type_c<detail::name_tag<Name>>, boost::hana::type_c<status>));
};

template <fixed_string Name, arithmetic T>
struct activity<frozen_variable<Name, T>> {
  static constexpr auto value = boost::hana::make_map(boost::hana::make_pair(
      boost::hana::type_c<detail::name_tag<Name>>, boost::hana::type_c<reason::frozen>));
};

template <class Rule, class... Args>
struct activity<node<Rule, Args...>> {
  static constexpr auto value = []<std::size_t... I>(std::index_sequence<I...>) {
    namespace hana = boost::hana;
    auto children = hana::make_basic_tuple([] {
      if constexpr (rules::differentiable_arg<Rule>(I)) return activity<Args>::value;
      else return detail::cut<rules::cut_reason_t<Rule>>(activity<Args>::value);
    }()...);
    return hana::fold_left(children, hana::make_map(),
                           [](auto acc, auto map) { return detail::merge(acc, map); });
  }
  (std::index_sequence_for<Args...>{});
};

// The status of variable Name in E: detail::active_path or a reason.
template <class E, fixed_string Name>
using status_t = typename decltype(+boost::hana::find(activity<std::remove_cvref_t<E>>::value,
                                                      boost::hana::type_c<detail::name_tag<Name>>)
                                        .value_or(boost::hana::type_c<reason::absent>))::type;

// Whether the variable Name has a differentiable path to the result of E (is_active_v), or any of
// Names (reaches_any_v).
template <class E, fixed_string Name>
inline constexpr bool is_active_v = std::is_same_v<status_t<E, Name>, detail::active_path>;

template <class E, fixed_string... Names>
inline constexpr bool reaches_any_v = (is_active_v<E, Names> || ...);

// A set of variable names, usable in constant expressions:
//   static_assert(gg::active_variables(f) == gg::variable_set{"x", "y"});
template <std::size_t N>
struct variable_set {
  std::array<std::string_view, N> names{};

  constexpr variable_set() = default;
  template <class... S>
  requires(sizeof...(S) == N && N > 0) constexpr variable_set(const S&... s)
      : names{std::string_view(s)...} {}  // NOLINT

  constexpr std::size_t size() const noexcept { return N; }
  constexpr bool empty() const noexcept { return N == 0; }
  constexpr bool contains(std::string_view name) const noexcept {
    for (auto n : names)
      if (n == name) return true;
    return false;
  }
  constexpr std::string_view operator[](std::size_t i) const { return names[i]; }
  constexpr auto begin() const noexcept { return names.begin(); }
  constexpr auto end() const noexcept { return names.end(); }

  // Set equality: the order of the names does not matter.
  template <std::size_t M>
  constexpr bool operator==(const variable_set<M>& other) const noexcept {
    if constexpr (N != M) {
      return false;
    } else {
      for (auto n : names)
        if (!other.contains(n)) return false;
      return true;
    }
  }
};
template <class... S>
variable_set(const S&...) -> variable_set<sizeof...(S)>;

}  // namespace gradguard
