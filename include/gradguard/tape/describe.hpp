// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The text of a recorded statement for messages, from its expression type:
// `log(a) * b + c`, in C++ syntax, tape leaves named a, b, c, ... in order, constants `k`.
// Only a function pointer is stored per statement (with gg::check_finite).
#pragma once

#include <cstddef>
#include <string>

#include <gradguard/expr/explain.hpp>  // precedence_of
#include <gradguard/expr/node.hpp>

namespace gradguard::detail {

inline std::string leaf_letter(std::size_t i) {
  return i < 26 ? std::string(1, char('a' + i)) : "x" + std::to_string(i);
}

template <class E>
struct statement_text {
  static void append(std::string& out, std::size_t& leaf) {
    if constexpr (is_runtime_leaf<E>::value) out += leaf_letter(leaf++);
    else if constexpr (is_variable_v<E>) out += E::name.view();
    else out += 'k';
  }
};

template <class Rule, class... Args>
struct statement_text<node<Rule, Args...>> {
  static void append(std::string& out, std::size_t& leaf) {
    if constexpr (sizeof...(Args) == 2 && requires { Rule::precedence; }) {
      [&]<class L, class R>(statement_text<L>*, statement_text<R>*) {
        // Parentheses only where C++ needs them: a looser left operand, or a
        // right operand at least as loose (a - (b - c)).
        constexpr bool wrap_l = precedence_of<L>() > Rule::precedence;
        constexpr bool wrap_r = precedence_of<R>() >= Rule::precedence;
        if (wrap_l) out += '(';
        statement_text<L>::append(out, leaf);
        if (wrap_l) out += ')';
        out += ' ';
        out += Rule::name;
        out += ' ';
        if (wrap_r) out += '(';
        statement_text<R>::append(out, leaf);
        if (wrap_r) out += ')';
      }(static_cast<statement_text<Args>*>(nullptr)...);
    } else if constexpr (sizeof...(Args) == 1 && requires { Rule::precedence; }) {
      out += Rule::name;
      constexpr bool wrap = ((precedence_of<Args>() >= Rule::precedence) || ...);  // -(-a)
      if (wrap) out += '(';
      (statement_text<Args>::append(out, leaf), ...);
      if (wrap) out += ')';
    } else {
      out += Rule::name;
      out += '(';
      std::size_t i = 0;
      ((out += (i++ ? ", " : ""), statement_text<Args>::append(out, leaf)), ...);
      out += ')';
    }
  }
};

template <class E>
std::string describe_statement() {
  std::string out;
  std::size_t leaf = 0;
  statement_text<E>::append(out, leaf);
  return out;
}

}  // namespace gradguard::detail
