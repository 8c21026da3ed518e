// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The text of a recorded statement for messages, from its expression type:
// `log(a) * b + c`, in C++ syntax, tape leaves named a, b, c, ... in order, constants `k`.
// Only a function pointer is stored per statement (with gg::check_finite).
#pragma once

#include <cstddef>
#include <sstream>
#include <string>

#include <gradguard/expr/explain.hpp>  // print_tree
#include <gradguard/expr/node.hpp>

namespace gradguard::detail {

inline std::string leaf_letter(std::size_t i) {
  return i < 26 ? std::string(1, char('a' + i)) : "x" + std::to_string(i);
}

// A statement's leaves, from their types: tape values a, b, c, ... in
// order, variables by name, constants `k`.
struct statement_leaf {
  std::size_t next = 0;
  template <class E>
  void operator()(std::ostream& os, const E*, int) {
    if constexpr (is_runtime_leaf<E>::value) os << leaf_letter(next++);
    else if constexpr (is_variable_v<E>) os << E::name.view();
    else os << 'k';
  }
};

// The printer of gg::explain and operator<< (expr/explain.hpp), on the type.
template <class E>
std::string describe_statement() {
  std::ostringstream os;
  statement_leaf leaf;
  print_tree(os, static_cast<const E*>(nullptr), 100, leaf);
  return os.str();
}

}  // namespace gradguard::detail
