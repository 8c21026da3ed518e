// IWYU pragma: private, include <gradguard/gradguard.hpp>
// gg::real: a number recorded on a gg::tape. It is a leaf of static
// expressions; a static expression assigned to it is recorded as one
// statement. A real made from a plain number is a constant, on no tape.
#pragma once

#include <concepts>
#include <cstdint>
#include <source_location>
#include <type_traits>

#include <gradguard/expr/node.hpp>
#include <gradguard/rules/rule.hpp>

namespace gradguard {

template <class T>
class basic_tape;
template <class T>
class basic_real;

using real = basic_real<double>;

template <class T>
struct is_expression<basic_real<T>> : std::true_type {};
template <class T>
struct is_runtime_leaf<basic_real<T>> : std::true_type {};

namespace detail {
template <class T>
inline constexpr bool is_real_v = false;
template <class T>
inline constexpr bool is_real_v<basic_real<T>> = true;

// Names a tape's recording: a registry slot (low 16 bits) and a generation
// (high 48 bits); never reissued within a process (see tape_registry).
using tape_id_t = std::uint64_t;

// Records e on the tape of its leaves (defined in tape.hpp).
template <class T, class E>
basic_real<T> record_expression(const E& e, const std::source_location& where);

}  // namespace detail

template <class T = double>
class basic_real {
 public:
  using value_type = T;
  T value{};  // read it with gg::value(r); the tape keeps the derivative

  constexpr basic_real() = default;
  constexpr basic_real(const T& v) : value(v) {}  // NOLINT(google-explicit-constructor): a constant
  template <arithmetic A>
  requires(!std::same_as<A, T>) constexpr basic_real(A v)
      : value(static_cast<T>(v)) {}  // NOLINT(google-explicit-constructor)

  // gg::real r = w * x + b;  records one statement on the tape of w, x, b.
  template <expression E>
  requires(!std::same_as<std::remove_cvref_t<E>, basic_real>)
      basic_real(const E& e,  // NOLINT(google-explicit-constructor)
                 const std::source_location& where = std::source_location::current())
      : basic_real(detail::record_expression<T>(e, where)) {}

  template <expression E>
  requires(!std::same_as<std::remove_cvref_t<E>, basic_real>) basic_real& operator=(const E& e) {
    return *this = detail::record_expression<T>(e, std::source_location());
  }

  // loss += r * r;  records loss + r * r as one statement.
  template <operand E>
  basic_real& operator+=(const E& e) {
    return *this = detail::record_expression<T>(*this + e, std::source_location());
  }
  template <operand E>
  basic_real& operator-=(const E& e) {
    return *this = detail::record_expression<T>(*this - e, std::source_location());
  }
  template <operand E>
  basic_real& operator*=(const E& e) {
    return *this = detail::record_expression<T>(*this * e, std::source_location());
  }
  template <operand E>
  basic_real& operator/=(const E& e) {
    return *this = detail::record_expression<T>(*this / e, std::source_location());
  }

  // A real never turns into a plain number behind your back: that would cut
  // its gradient without a trace. One conversion (not one per arithmetic
  // type), so that std::exp(r) picks std::exp(double) and fails with this
  // message rather than as an ambiguous call.
  operator std::conditional_t<arithmetic<T>, T, double>() const {  // NOLINT
    static_assert(detail::always_false<T>,
                  "gradguard: a gg::real does not convert to a number, which would cut its "
                  "gradient; read the value on purpose with gg::value(r), or keep computing "
                  "with gg::real (gg::exp, gg::log, ... work on it; std::exp does not)");
    return {};
  }

  // Whether the value is recorded on a tape (false for a constant).
  constexpr bool on_tape() const noexcept { return tape_id_ != 0; }
  constexpr std::uint32_t index() const noexcept { return index_; }
  // Identifies the tape and its recording: it changes with tape.clear().
  constexpr detail::tape_id_t tape_id() const noexcept { return tape_id_; }
  // The tape that recorded this value; nullptr for a constant, or when the
  // tape has been cleared or destroyed since (defined in tape.hpp).
  basic_tape<T>* tape() const noexcept;

 private:
  friend class basic_tape<T>;
  constexpr basic_real(const T& v, std::uint32_t index, detail::tape_id_t tape_id)
      : value(v), index_(index), tape_id_(tape_id) {}

  // The tape is named by a 64-bit id, not a pointer: a real of doubles is 24
  // bytes. A 32-bit id (16 bytes) ran out: 65536 clear()s reissued an id, and
  // a stale real aliased a variable of the new recording. The 64-bit id cost
  // 0-6% in recording and sweep (tape pointers at 24 bytes once cost 1.7x:
  // g++ 12 copied them through the stack in pieces).
  std::uint32_t index_ = 0;
  detail::tape_id_t tape_id_ = 0;
};

}  // namespace gradguard
