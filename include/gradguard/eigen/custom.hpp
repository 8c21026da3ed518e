// IWYU pragma: private, include <gradguard/eigen.hpp>
// gg::custom_gradient on gg::real_matrix: a matrix operation with a
// user-written vjp, recorded as one block.
//
//   auto op = gg::custom_gradient(
//       [](const auto& A) { return (A * A.transpose()).eval(); },         // matrix in, out
//       [](const auto& G, const auto& A) { return ((G + G.transpose()) * A).eval(); });
//   gg::real_matrix C = op(A);
//
// The primal gets each matrix operand as an Eigen::Map of its value (a
// gg::real or a number as a number) and returns an Eigen matrix or a number.
// The vjp gets the cotangent G (an Eigen::Map of the result's adjoints, or a
// number) and the same operands, and returns one cotangent per operand, of
// its shape: a wrong count or a number for a matrix is a compile error, a
// wrong shape a std::invalid_argument when the sweep reaches the operation.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <source_location>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

#include <gradguard/eigen/operand.hpp>
#include <gradguard/expr/custom_gradient.hpp>

namespace gradguard::detail {

// An operand of a matrix custom operation seen by the primal and the vjp.
template <class T, class A>
using custom_matrix_arg_t =
    std::conditional_t<is_real_v<A> || arithmetic<A>, T,
                       Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>>;

// What the sweep needs, kept by the tape: the callables, the operands'
// shapes, values (kept on the tape) and numbers, the result's shape.
template <class T, class Fn, std::size_t N>
struct matrix_custom_state {
  Fn fn;
  std::array<Eigen::Index, N> rows{}, cols{};
  std::array<const T*, N> values{};
  std::array<T, N> numbers{};
  Eigen::Index result_rows = 1, result_cols = 1;
};

// The block's payload: where the tape keeps the state.
template <class T, class Fn, bool ScalarResult, class... Args>
struct matrix_custom_op {
  const matrix_custom_state<T, Fn, sizeof...(Args)>* state;

  static void backward(const block_operation<T>& op, const matrix_custom_op& b, T* adj);
};

template <class T, class Fn, bool ScalarResult, class... Args>
void matrix_custom_op<T, Fn, ScalarResult, Args...>::backward(const block_operation<T>& op,
                                                              const matrix_custom_op& b, T* adj) {
  using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
  const auto& p = *b.state;
  const Eigen::Map<matrix> g(adj + op.first, p.result_rows, p.result_cols);
  if (g.isZero(0)) return;  // nothing flows (as for a statement)
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    auto arg = [&]<std::size_t K, class A>(std::integral_constant<std::size_t, K>,
                                           std::type_identity<A>) {
      if constexpr (is_real_v<A> || arithmetic<A>) return p.numbers[K];
      else return custom_matrix_arg_t<T, A>(p.values[K], p.rows[K], p.cols[K]);
    };
    const auto cotangents = [&] {
      if constexpr (ScalarResult)
        return as_partials_tuple(p.fn.vjp(
            g(0, 0), arg(std::integral_constant<std::size_t, I>{}, std::type_identity<Args>{})...));
      else
        return as_partials_tuple(
            p.fn.vjp(Eigen::Map<const matrix>(g.data(), g.rows(), g.cols()),
                     arg(std::integral_constant<std::size_t, I>{}, std::type_identity<Args>{})...));
    }();
    (
        [&] {
          if (op.count[I] == 0) return;
          if constexpr (is_real_v<Args> || arithmetic<Args>) {
            adj[op.operand[I]] += T(std::get<I>(cotangents));
          } else {
            const matrix c = std::get<I>(cotangents);
            if (c.rows() != p.rows[I] || c.cols() != p.cols[I])
              throw std::invalid_argument(
                  "gradguard: gg::custom_gradient on gg::real_matrix: the vjp returned a " +
                  std::to_string(c.rows()) + " x " + std::to_string(c.cols()) +
                  " cotangent for input " + std::to_string(I + 1) + ", which is " +
                  std::to_string(p.rows[I]) + " x " + std::to_string(p.cols[I]) +
                  "; return one cotangent of each input's shape");
            Eigen::Map<matrix>(adj + op.operand[I], c.rows(), c.cols()) += c;
          }
        }(),
        ...);
  }
  (std::index_sequence_for<Args...>{});
}

template <class T>
inline constexpr bool is_eigen_v = std::is_base_of_v<Eigen::EigenBase<T>, T>;

// The first real_matrix's scalar type.
template <class... Args>
struct custom_matrix_scalar;
template <class A, class... Args>
struct custom_matrix_scalar<A, Args...> {
  using type = typename custom_matrix_scalar<Args...>::type;
};
template <class T, int C, class... Args>
struct custom_matrix_scalar<basic_real_matrix<T, C>, Args...> {
  using type = T;
};

template <class... Args>
requires((is_real_matrix_v<Args> || ...) &&
         ((is_real_matrix_v<Args> || eigen_numbers<Args> || is_real_v<Args> ||
           arithmetic<Args>)&&...)) struct custom_call<Args...> {
  static constexpr bool is_custom_call = true;

  template <class Fn>
  static auto call(const Fn& fn, const Args&... args) {
    using T = typename custom_matrix_scalar<Args...>::type;
    using R = std::invoke_result_t<const decltype(Fn::primal)&, custom_matrix_arg_t<T, Args>...>;
    constexpr bool scalar_result = !is_eigen_v<std::remove_cvref_t<R>>;
    using G =
        std::conditional_t<scalar_result, T,
                           Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>>>;
    if constexpr (!Fn::template check_vjp<G, custom_matrix_arg_t<T, Args>...>()) {
      return basic_real<T>();  // after the error
    } else {
      static_assert(
          cotangent_shapes_ok<Fn, G, T>(std::index_sequence_for<Args...>{}),
          "gradguard::custom_gradient on gg::real_matrix: the vjp must return an Eigen "
          "matrix of the input's shape for each matrix input (a number for a scalar one)");
      return record<Fn, T, scalar_result>(fn, args...);
    }
  }

  // Each matrix input gets an Eigen matrix as cotangent.
  template <class Fn, class G, class T, std::size_t... I>
  static constexpr bool cotangent_shapes_ok(std::index_sequence<I...>) {
    using C = decltype(as_partials_tuple(
        std::declval<
            std::invoke_result_t<const decltype(Fn::vjp)&, G, custom_matrix_arg_t<T, Args>...>>()));
    return ((is_real_v<Args> || arithmetic<Args> ||
             is_eigen_v<std::remove_cvref_t<std::tuple_element_t<I, C>>>)&&...);
  }

  template <class Fn, class T, bool ScalarResult>
  static auto record(const Fn& fn, const Args&... args) {
    constexpr std::size_t n = sizeof...(Args);
    using access = matrix_access<T>;
    using matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
    std::array<matrix_operand<T>, n> o{access::operand(args)...};
    basic_tape<T>& tape = [&]<std::size_t... I>(std::index_sequence<I...>)->basic_tape<T>& {
      return access::tape_of("custom_gradient", {&o[I]...});
    }
    (std::index_sequence_for<Args...>{});
    matrix_custom_state<T, Fn, n> payload{fn};
    for (std::size_t k = 0; k < n; ++k) {
      payload.rows[k] = o[k].rows;
      payload.cols[k] = o[k].cols;
      payload.numbers[k] = o[k].scalar ? o[k].number : T(0);
      if (!o[k].scalar) payload.values[k] = kept_value(tape, o[k]);
    }
    // Records the block once the state is complete.
    const auto record_with = [&](std::size_t outputs) {
      using block = matrix_custom_op<T, Fn, ScalarResult, Args...>;
      const block b{block_recorder<T>::keep(tape, payload)};
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return record_operation(tape, "custom_gradient", std::source_location(), {&o[I]...},
                                outputs, b);
      }
      (std::index_sequence_for<Args...>{});
    };
    const auto result = [&]<std::size_t... I>(std::index_sequence<I...>) {
      auto arg = [&]<std::size_t K, class A>(std::integral_constant<std::size_t, K>,
                                             std::type_identity<A>) {
        if constexpr (is_real_v<A> || arithmetic<A>) return payload.numbers[K];
        else return custom_matrix_arg_t<T, A>(payload.values[K], payload.rows[K], payload.cols[K]);
      };
      if constexpr (ScalarResult)
        return static_cast<T>(fn.primal(
            arg(std::integral_constant<std::size_t, I>{}, std::type_identity<Args>{})...));
      else
        return matrix(fn.primal(
            arg(std::integral_constant<std::size_t, I>{}, std::type_identity<Args>{})...));
    }
    (std::index_sequence_for<Args...>{});
    if constexpr (ScalarResult) {
      const std::uint32_t first = record_with(1);
      return block_recorder<T>::real(result, first, tape.id());
    } else {
      payload.result_rows = result.rows();
      payload.result_cols = result.cols();
      const auto size = static_cast<std::size_t>(result.size());
      T* out = block_recorder<T>::allocate(tape, size);
      std::copy(result.data(), result.data() + size, out);
      const std::uint32_t first = record_with(size);
      return access::template make<basic_real_matrix<T, Eigen::Dynamic>>(
          out, first, tape, result.rows(), result.cols());
    }
  }
};

}  // namespace gradguard::detail
