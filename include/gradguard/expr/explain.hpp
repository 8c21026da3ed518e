// IWYU pragma: private, include <gradguard/gradguard.hpp>
// Printing expressions (operator<<) and gg::explain(f): the tree and the
// status of each variable, active or blocked and why.
#pragma once

#include <cstddef>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/unpack.hpp>

#include <gradguard/expr/activity.hpp>
#include <gradguard/expr/node.hpp>

namespace gradguard {

// Why Reason leaves a derivative out, in one phrase: the static engine's
// texts (gg::explain, gg::check_gradient).
template <class Reason>
std::string reason_phrase() {
  if constexpr (std::is_same_v<Reason, reason::absent>) return "does not appear in the expression";
  else if constexpr (std::is_same_v<Reason, reason::stop_gradient>)
    return "every path to the result goes through 'stop_gradient'";
  else if constexpr (std::is_same_v<Reason, reason::integer_or_boolean>)
    return "holds an integer or bool value, which has no derivative";
  else if constexpr (std::is_same_v<Reason, reason::frozen>)
    return "frozen (declared with gg::frozen), not trained";
  else if constexpr (std::is_same_v<Reason, reason::not_a_variable>) return "not a variable";
  else
    return []<class Rule>(reason::non_differentiable<Rule>*) {
      return "every path to the result goes through '" + std::string(Rule::name) +
             "', which has no derivative";
    }(static_cast<Reason*>(nullptr));
}

// A variable's status in gg::explain: active, or the reason.
template <class Reason>
std::string describe_reason() {
  if constexpr (std::is_same_v<Reason, detail::active_path>) return "active";
  else if constexpr (std::is_same_v<Reason, reason::absent> ||
                     std::is_same_v<Reason, reason::not_a_variable>)
    return reason_phrase<Reason>();
  else return "blocked: " + reason_phrase<Reason>();
}

namespace detail {

template <class T>
constexpr std::string_view type_name() {
  if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_same_v<T, int>) return "int";
  else if constexpr (std::is_same_v<T, long>) return "long";
  else if constexpr (std::is_same_v<T, long long>) return "long long";
  else if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else if constexpr (std::is_same_v<T, long double>) return "long double";
  else return "T";
}

template <class E>
constexpr int precedence_of() {
  if constexpr (is_node_v<E>) {
    if constexpr (requires { E::rule::precedence; }) return E::rule::precedence;
    else return 2;  // a call f(x) binds like a postfix expression
  } else {
    return 1;
  }
}

// The one infix printer of expression trees, in C++ syntax with parentheses
// only where C++ needs them: a looser operand, a right operand at least as
// loose (a - (b - c)), the operand of a prefix operator (-(-x)). It walks a
// tree by pointers: to the objects (operator<<, gg::explain), or null where
// only the type is known (the text of a tape statement, tape/describe.hpp).
// `leaf(os, p, context)` prints a leaf of the tree.
template <class E, class Leaf>
void print_tree(std::ostream& os, const E* e, int context, Leaf& leaf);

template <class Rule, class... Args, class Leaf>
void print_node(std::ostream& os, const node<Rule, Args...>* e, int context, Leaf& leaf) {
  constexpr int prec = precedence_of<node<Rule, Args...>>();
  const bool parens = prec > context;
  // operand I, or null with the tree's type only
  auto arg = [e]<std::size_t I>(std::integral_constant<std::size_t, I>) {
    using A = std::tuple_element_t<I, std::tuple<Args...>>;
    return e ? &detail::get<I>(e->args) : static_cast<const A*>(nullptr);
  };
  using first = std::integral_constant<std::size_t, 0>;
  if (parens) os << '(';
  if constexpr (sizeof...(Args) == 2 && requires { Rule::precedence; }) {
    print_tree(os, arg(first{}), prec, leaf);
    os << ' ' << Rule::name << ' ';
    print_tree(os, arg(std::integral_constant<std::size_t, 1>{}), prec - 1, leaf);
  } else if constexpr (sizeof...(Args) == 1 && requires { Rule::precedence; }) {
    os << Rule::name;
    print_tree(os, arg(first{}), prec - 1, leaf);
  } else {
    os << Rule::name;
    if constexpr (requires { typename Rule::target; })
      os << '<' << type_name<typename Rule::target>() << '>';
    os << '(';
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((os << (I ? ", " : ""),
        print_tree(os, arg(std::integral_constant<std::size_t, I>{}), 100, leaf)),
       ...);
    }
    (std::index_sequence_for<Args...>{});
    os << ')';
  }
  if (parens) os << ')';
}

template <class E, class Leaf>
void print_tree(std::ostream& os, const E* e, int context, Leaf& leaf) {
  if constexpr (is_node_v<E>) print_node(os, e, context, leaf);
  else leaf(os, e, context);
}

// operator<<'s leaves: a variable's name, a constant's value (in
// parentheses when negative where a sign would bind to an operator).
struct value_leaf {
  template <class E>
  void operator()(std::ostream& os, const E* e, int context) const {
    if constexpr (is_variable_v<E>) {
      os << E::name.view();
    } else if constexpr (requires { e->value; }) {
      if constexpr (std::is_same_v<value_type_t<E>, bool>) os << (e->value ? "true" : "false");
      else if (e->value < 0 && context < 3) os << '(' << +e->value << ')';
      else os << +e->value;
    }
  }
};

template <class E>
void print(std::ostream& os, const E& e) {
  value_leaf leaf;
  print_tree(os, &e, 100, leaf);
}

}  // namespace detail

template <expression E>
std::ostream& operator<<(std::ostream& os, const E& e) {
  detail::print(os, e);
  return os;
}

// A readable account of f: the expression, its value, and for each variable
// whether it is active or blocked, and why.
template <expression F>
std::string explain(const F& f) {
  namespace hana = boost::hana;
  std::ostringstream os;
  os << "expression: " << f << "\nvalue: " << +value(f) << "\nvariables:";
  bool any = false;
  hana::unpack(activity<F>::value, [&](auto... entries) {
    ((os << "\n  " << decltype(+hana::first(entries))::type::name.view() << ": "
         << describe_reason<typename decltype(+hana::second(entries))::type>(),
      any = true),
     ...);
  });
  if (!any) os << " none: the expression is computed from constants only";
  os << '\n';
  return os.str();
}

}  // namespace gradguard
