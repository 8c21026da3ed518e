// IWYU pragma: private, include <gradguard/gradguard.hpp>
// A gg::custom_gradient on the tape: a callback statement. The cotangent of
// a custom operation is known only in the reverse sweep (the adjoint of its
// result), and the vjp may be non-linear in it, so the operation is recorded
// as a block of one output whose backward function calls vjp(g, x...) with
// that adjoint, once per sweep (Stan's reverse_pass_callback). The operands
// are recorded first (an expression operand as a statement of its own); the
// callables are kept by the tape until clear() when they capture.
// Ordinary statements are untouched: only custom operations pay for this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <source_location>
#include <tuple>
#include <type_traits>
#include <utility>

#include <gradguard/expr/custom_gradient.hpp>
#include <gradguard/tape/block.hpp>
#include <gradguard/tape/tape.hpp>

namespace gradguard::detail {

// The scalar type of the tape of E's gg::real leaves (void: none).
template <class... Es>
struct first_runtime_scalar;
template <class E>
struct runtime_scalar {
  using type = void;
};
template <class T>
struct runtime_scalar<basic_real<T>> {
  using type = T;
};
template <class Rule, class... Args>
struct runtime_scalar<node<Rule, Args...>> {
  using type = typename first_runtime_scalar<Args...>::type;
};
template <class... Es>
struct first_runtime_scalar {
  using type = void;
};
template <class E, class... Es>
struct first_runtime_scalar<E, Es...> {
  using type = std::conditional_t<!std::is_void_v<typename runtime_scalar<E>::type>,
                                  typename runtime_scalar<E>::type,
                                  typename first_runtime_scalar<Es...>::type>;
};

// The callables of a custom operation in the sweep: default-made when
// captureless, else kept by the tape.
template <class Fn>
const Fn& custom_callables(const void* callables) {
  if constexpr (Fn::captureless) {
    static constexpr Fn fn{};
    return fn;
  } else {
    return *static_cast<const Fn*>(callables);
  }
}

// A scalar custom operation on the tape: its N input values (kept on the
// tape) and its callables (kept by the tape when they capture).
template <class T, class Fn, std::size_t N>
struct custom_op {
  const T* x;
  const void* callables;

  // d operand_k += vjp(g, x...)_k, with g the adjoint of the result.
  static void backward(const block_operation<T>& op, const custom_op& p, T* adj) {
    const T g = adj[op.first];
    if (is_constant_zero(g)) return;  // nothing flows (as for a statement)
    const Fn& fn = custom_callables<Fn>(p.callables);
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      const auto cotangents = as_partials_tuple(fn.vjp(g, p.x[I]...));
      ((op.count[I] != 0 ? void(adj[op.operand[I]] += T(std::get<I>(cotangents))) : void()), ...);
    }
    (std::make_index_sequence<N>{});
  }
};

template <class... Args>
struct custom_tape_call {
  template <class Fn>
  static auto record(const Fn& fn, const Args&... args) {
    using T = typename first_runtime_scalar<Args...>::type;
    constexpr std::size_t n = sizeof...(Args);
    const basic_real<T> x[n] = {recorded<T>(args)...};
    basic_tape<T>* tape = nullptr;
    for (const auto& r : x) {
      if (!r.on_tape()) continue;
      basic_tape<T>* t = r.tape();
      if (t == nullptr || r.index() >= t->size()) throw_stale(r.index());
      if (tape != nullptr && t != tape) throw tape->mismatch(r);
      tape = t;
    }
    const T value = [&]<std::size_t... I>(std::index_sequence<I...>) {
      return static_cast<T>(fn.primal(x[I].value...));
    }
    (std::make_index_sequence<n>{});
    if (tape == nullptr) return basic_real<T>(value);  // constants only
    T* kept = block_recorder<T>::allocate(*tape, n);
    for (std::size_t k = 0; k < n; ++k) kept[k] = x[k].value;
    const void* callables = nullptr;
    if constexpr (!Fn::captureless) callables = block_recorder<T>::keep(*tape, fn);
    const std::uint32_t first =
        block_recorder<T>::record(*tape, 1, [&](block_operation<T>& op) noexcept {
          op.name = "custom_gradient";
          for (std::size_t k = 0; k < n; ++k) {
            op.operand[k] = x[k].index();
            op.count[k] = x[k].on_tape() ? 1 : 0;
          }
          op.set_payload(custom_op<T, Fn, n>{kept, callables});
        });
    return block_recorder<T>::real(value, first, tape->id());
  }
};

}  // namespace gradguard::detail
