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
#include <gradguard/rules/vocabulary.hpp>

namespace gradguard {

template <class T>
class basic_tape;
template <class T>
class basic_real;

// A number on a tape (or a constant, on none); gg::real is the double one.
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

// a as a real of T: a real as it is, an expression recorded at `where` (none:
// a statement gradguard records for fn's result has no line of the user's),
// a number a constant. The drivers' and custom operations' one conversion.
template <class T, class A>
basic_real<T> recorded(const A& a, const std::source_location& where = std::source_location()) {
  if constexpr (std::is_same_v<A, basic_real<T>>) return a;
  else if constexpr (expression<A>) return record_expression<T>(a, where);
  else return basic_real<T>(static_cast<T>(a));
}

// The operations of `r op= e` (std::plus<> and the others, without <functional>).
struct add_op {
  constexpr auto operator()(const auto& a, const auto& b) const { return a + b; }
};
struct subtract_op {
  constexpr auto operator()(const auto& a, const auto& b) const { return a - b; }
};
struct multiply_op {
  constexpr auto operator()(const auto& a, const auto& b) const { return a * b; }
};
struct divide_op {
  constexpr auto operator()(const auto& a, const auto& b) const { return a / b; }
};

// The right-hand side of `r op= e` and the line it was written on, taken by
// this converting constructor's default argument (an operator has one
// parameter, so it cannot have a defaulted std::source_location of its own).
// e is a temporary of the full expression `r op= e`, alive while apply runs;
// record is a plain function chosen at compile time, and always inline: g++
// 12 and clang++ 16 then inline the call through the pointer (seen in the
// assembly). Without it they called it out of line: bench/sum.cpp's sum_iter
// (`acc += x[i]` on the tape) took 16-18 us at n = 1024 instead of 9.9.
template <class T, class Op>
class compound_operand {
 public:
  template <operand E>
  compound_operand(const E& e,  // NOLINT(google-explicit-constructor)
                   const std::source_location& where = std::source_location::current())
      : e_(&e), record_(&record<E>), where_(where) {}
  GRADGUARD_ALWAYS_INLINE basic_real<T> apply(const basic_real<T>& lhs) const {
    return record_(lhs, e_, where_);
  }

 private:
  template <class E>
  GRADGUARD_ALWAYS_INLINE static basic_real<T> record(const basic_real<T>& lhs, const void* e,
                                                      const std::source_location& where) {
    return record_expression<T>(Op{}(lhs, *static_cast<const E*>(e)), where);
  }
  const void* e_;
  basic_real<T> (*record_)(const basic_real<T>&, const void*, const std::source_location&);
  std::source_location where_;
};

}  // namespace detail

// A value recorded on a tape: its number, its index in the recording and the id of the recording.
// Arithmetic with it records one statement per assignment; a real made from a number is a constant
// (on no tape).
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
  // Always inline: g++ 12 -O3 left the constructors of
  // bench/normal_log_pdf.cpp's statements out of line, one call per statement
  // with the operands passed through memory (that family's tape column: 0.82x
  // the time inlined, with the active tape). The compound assignments below
  // were inlined already; forced, g++ -Og refuses to inline the recorder
  // they call through a pointer (compound_operand), an error.
  template <expression E>
  requires(!std::same_as<std::remove_cvref_t<E>, basic_real>) GRADGUARD_ALWAYS_INLINE
      basic_real(const E& e,  // NOLINT(google-explicit-constructor)
                 const std::source_location& where = std::source_location::current())
      : basic_real(detail::record_expression<T>(e, where)) {}

  // r = w * x;  takes the constructor above (which records, with this line)
  // and the move assignment: no operator= of its own, which could not know
  // the line.

  // loss += r * r;  records loss + r * r as one statement, with this line
  // (the operand type's constructor takes it: an operator has one parameter).
  basic_real& operator+=(detail::compound_operand<T, detail::add_op> e) {
    return *this = e.apply(*this);
  }
  basic_real& operator-=(detail::compound_operand<T, detail::subtract_op> e) {
    return *this = e.apply(*this);
  }
  basic_real& operator*=(detail::compound_operand<T, detail::multiply_op> e) {
    return *this = e.apply(*this);
  }
  basic_real& operator/=(detail::compound_operand<T, detail::divide_op> e) {
    return *this = e.apply(*this);
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
