// IWYU pragma: private, include <gradguard/gradguard.hpp>
// gg::tape: a linear record of statements, swept once in reverse.
//
// Statement i defines the value with index i. Its operands sit in two flat
// arrays: indices of operands whose partial is one (known at compile time,
// as for sums), and (index, partial) pairs for the others; the statement
// itself is two 16-bit counts. A variable is a statement without operands.
// The sweep walks the arrays backwards with three cursors: no pointer
// chasing, no heap node per operation, no recursion.
//
// Why a gradient is missing is worked out only when one is: the operations
// that cut a path (stop_gradient, floor, a comparison, the branch a select
// did not take) leave a small record on a side list when they are recorded,
// and a structural pass over the same arrays runs only when a requested
// adjoint is exactly zero.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <ranges>
#include <source_location>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/detail/config.hpp>     // GRADGUARD_CHECK_FINITE, GRADGUARD_CHECK_THREAD
#include <gradguard/expr/diagnostics.hpp>  // allow_unconnected
#include <gradguard/expr/node.hpp>
#include <gradguard/tape/block.hpp>
#include <gradguard/tape/buffer.hpp>
#include <gradguard/tape/describe.hpp>
#include <gradguard/tape/errors.hpp>
#include <gradguard/tape/real.hpp>
#include <gradguard/tape/record.hpp>

namespace gradguard {

// How tape.variable(name, v) makes a variable of a type other than T (a
// matrix: specialised in eigen/matrix.hpp).
template <class V>
struct tape_variable_traits;

// gg::tape tape(gg::check_finite): report the first NaN or infinite adjoint.
struct check_finite_t {
  explicit check_finite_t() = default;
};
inline constexpr check_finite_t check_finite{};

// tape.variable("k", 2.0, gg::trainable::no): a parameter that is not trained.
enum class trainable : bool { no = false, yes = true };

// A dense row-major matrix of results (Jacobians, Hessians).
template <class T>
struct dense_matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<T> data;
  T& operator()(std::size_t i, std::size_t j) { return data[i * cols + j]; }
  const T& operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
};

// Memory use of a recording.
struct tape_statistics {
  std::size_t statements = 0;     // values recorded, variables included
  std::size_t unit_operands = 0;  // operands with partial one (an index only)
  std::size_t operands = 0;       // operands with a stored partial
  // Bytes of everything recorded: statements and operands, a record per
  // tape.variable / tape.variables call (name and line), cuts, matrix
  // operations, and with check_finite each statement's text, line and
  // operand values. Not counted: the adjoints (8 B per value, kept between
  // sweeps), matrix values in the arena, and spare capacity.
  std::size_t bytes = 0;
};

template <class T>
class tape_gradient;

namespace detail {

struct statement_shape {
  std::uint16_t units;
  std::uint16_t general;
};

struct variable_block {
  std::uint32_t first;
  std::uint32_t count;
  std::uint32_t name_begin;  // in the tape's name buffer: no string per block
  std::uint32_t name_size;
  bool array;  // made by tape.variables: elements are named name[i]
  bool trainable;
  std::source_location where;
};

// An operand cut off from a statement.
struct cut_record {
  std::uint32_t statement;
  std::uint32_t operand;
  missing_reason reason;
  std::string_view operation;
  std::source_location where;
};

// With gg::check_finite: what the message about a statement needs.
struct statement_info {
  std::string (*describe)();
  std::source_location where;
  std::uint32_t first_leaf_value;
};

// With gg::check_finite: where a sweep made an operand's adjoint NaN or
// infinite from a finite one (block: the index of a matrix operation).
template <class T>
struct non_finite_origin {
  std::uint32_t statement;
  std::uint32_t operand;
  T adjoint;
  T partial;
  std::uint32_t block = std::numeric_limits<std::uint32_t>::max();
};

// A value with tangents (a gg::dual, for forward-over-reverse Hessians) is
// recognised by its members: the tape does not depend on forward/.
template <class T>
concept with_tangent = requires(const T& v) {
  v.value;
  v.tangent;
};

// Whether an adjoint is zero with all it carries (a dual adjoint whose value
// is 0 may still have tangents).
template <class T>
constexpr bool is_constant_zero(const T& a) {
  if constexpr (is_real_v<T>) return !a.on_tape() && is_constant_zero(a.value);
  else if constexpr (with_tangent<T>) {
    if (!is_constant_zero(a.value)) return false;
    for (const auto& t : a.tangent)
      if (!is_constant_zero(t)) return false;
    return true;
  } else return a == T(0);
}

template <class T>
double plain_value(const T& v) {
  if constexpr (is_real_v<T> || with_tangent<T>) return plain_value(v.value);
  else return static_cast<double>(v);
}

// tape.variable("n", 3): the error of the static engine for an integer
// argument, at the position of the value.
template <class V, std::size_t Position = 2>  // dependent, so named only when instantiated
constexpr void integer_tape_variable() {
  [[maybe_unused]] cannot_differentiate_with_respect_to_argument<Position,
                                                                 reason::integer_or_boolean>
      error;
  static_assert(always_false<V>,
                "gradguard: tape.variable(name, value): the value is an integer or bool, which has "
                "no derivative; fix: pass a floating value, tape.variable(\"n\", 3.0), or use the "
                "number itself in the computation (a plain number is a constant)");
}

template <class R, class T>
concept range_of_reals =
    std::ranges::input_range<R> && std::convertible_to < std::ranges::range_reference_t<R>,
const basic_real<T>& > ;

template <class T, class E>
basic_tape<T>* tape_of(const E& e);

// Live tapes by id. An id is a slot (low 16 bits) and a generation (high 48
// bits) that changes when the slot is reused and at every tape.clear(), so a
// real recorded before a clear, or on a tape destroyed since, is recognised.
// An id is never reissued within a process: a slot whose generation is used
// up is retired (never given out again) and a tape clearing past it moves to
// a fresh slot. Why 48 bits and not 16: with 32-bit ids (real of 16 bytes),
// the ids of a whole process number 2^32, which value_and_grad<taped>
// (a clear() per call) uses up in about an hour at 1 us per call; retiring
// slots instead of wrapping could only trade silent aliasing for a process
// that cannot make tapes any more. 2^48 clears of one slot take years at a
// clear per nanosecond, and there are 65535 slots.
//
// Slots are taken and given back under a mutex, when tapes are made and
// destroyed (and when a generation runs out); lookups are one load.
//
// Every member is trivially destructible (and constant-initialised), and the
// mutex is never destroyed: a gg::tape at namespace scope, or a thread's
// tape, may be destroyed after everything else at exit.
template <class T>
struct tape_registry {
  static constexpr std::uint32_t slots = 1u << 16;
  static constexpr tape_id_t last_generation = (tape_id_t{1} << 48) - 1;
  static inline std::atomic<basic_tape<T>*> table[slots];
  static inline tape_id_t generation[slots];  // the last one issued
  static inline std::uint32_t free_slots[slots];
  static inline std::uint32_t free_count = 0;
  static inline std::uint32_t next = 1;
  static std::mutex& mutex() {
    static std::mutex* m = new std::mutex;  // never destroyed, on purpose
    return *m;
  }

  static tape_id_t make_id(std::uint32_t slot, tape_id_t generation) noexcept {
    return tape_id_t{slot} | generation << 16;
  }
  static std::uint32_t slot_of(tape_id_t id) noexcept {
    return static_cast<std::uint32_t>(id & 0xffffu);
  }
  static tape_id_t generation_of(tape_id_t id) noexcept { return id >> 16; }

  static tape_id_t acquire(basic_tape<T>* tape) {
    const std::lock_guard lock(mutex());
    std::uint32_t slot;
    if (free_count > 0) {
      slot = free_slots[--free_count];
    } else if (next < slots) {
      slot = next++;
    } else {
      throw std::length_error(
          "gradguard: more than 65535 gg::tape objects alive at once (or slots retired after "
          "2^48 clear()s each)");
    }
    table[slot].store(tape, std::memory_order_release);
    return make_id(slot, ++generation[slot]);
  }
  // Gives the slot back; a slot whose generations are used up is retired.
  static void release(tape_id_t id) noexcept {
    const std::uint32_t slot = slot_of(id);
    table[slot].store(nullptr, std::memory_order_release);
    const std::lock_guard lock(mutex());
    generation[slot] = generation_of(id);
    if (generation_of(id) < last_generation) free_slots[free_count++] = slot;
  }
  // The id of the tape's next recording (tape.clear()): the next generation
  // of its slot, or, when that is used up, a fresh slot.
  static tape_id_t next_recording(basic_tape<T>* tape, tape_id_t id) {
    if (generation_of(id) < last_generation) return make_id(slot_of(id), generation_of(id) + 1);
    const tape_id_t fresh = acquire(tape);
    release(id);
    return fresh;
  }
  static basic_tape<T>* find(tape_id_t id) noexcept {
    basic_tape<T>* t = table[slot_of(id)].load(std::memory_order_acquire);
    return t != nullptr && t->id() == id ? t : nullptr;
  }
};

// For tests: the tape's recording takes the given generation of its slot
// (e.g. the last one, to clear() past it).
struct tape_test_access {
  template <class T>
  static void set_generation(basic_tape<T>& tape, tape_id_t generation) {
    tape.id_ = tape_registry<T>::make_id(tape_registry<T>::slot_of(tape.id_), generation);
  }
};

}  // namespace detail

template <class T = double>
class basic_tape {
 public:
  // gg::check_finite is off unless GRADGUARD_CHECK_FINITE is 1 (define it
  // alike in every translation unit, e.g. on the command line).
  basic_tape() : basic_tape(GRADGUARD_CHECK_FINITE != 0) {}
  explicit basic_tape(check_finite_t, bool on = true) : basic_tape(on) {}
  basic_tape(const basic_tape&) = delete;  // reals name their tape
  basic_tape& operator=(const basic_tape&) = delete;
  ~basic_tape() { detail::tape_registry<T>::release(id_); }

  // The id that the reals of the current recording carry.
  detail::tape_id_t id() const noexcept { return id_; }
  bool owns(const basic_real<T>& r) const noexcept { return r.tape_id() == id_; }

  // A trainable variable (or a frozen one with gg::trainable::no), created
  // where this is called: messages name it and point there.
  basic_real<T> variable(std::string_view name, const T& value,
                         trainable is_trainable = trainable::yes,
                         const std::source_location& where = std::source_location::current()) {
    check_thread("tape.variable");
    const auto first = begin_variables(name, 1, false, is_trainable, where);
    if (check_finite_ && !std::isfinite(detail::plain_value(value)))
      non_finite_values_.emplace_back(first, detail::plain_value(value));
    return basic_real<T>(value, first, id_);
  }
  // A matrix-valued variable: gg::real_matrix A = tape.variable("A", M);
  // for an Eigen matrix M (with <gradguard/eigen.hpp>). An integer or bool
  // value (or matrix of them) is a compile error: it has no derivative.
  template <class V>
  requires detail::is_integer_valued_v<V> || requires { typename tape_variable_traits<V>::handle; }
  auto variable(std::string_view name, const V& value, trainable is_trainable = trainable::yes,
                const std::source_location& where = std::source_location::current()) {
    if constexpr (detail::is_integer_valued_v<V>) {
      detail::integer_tape_variable<V>();
      return basic_real<T>();
    } else {
      check_thread("tape.variable");
      return tape_variable_traits<V>::make(*this, name, value, is_trainable, where);
    }
  }
  // One variable per element of values, named name[i] in messages.
  template <std::ranges::input_range R>
  std::vector<basic_real<T>> variables(
      std::string_view name, const R& values, trainable is_trainable = trainable::yes,
      const std::source_location& where = std::source_location::current()) {
    if constexpr (detail::is_integer_valued_v<std::ranges::range_value_t<R>>) {
      detail::integer_tape_variable<R>();  // here too: the error's notes stay few
      return std::vector<basic_real<T>>();
    } else {
      std::vector<basic_real<T>> out(std::ranges::size(values));
      variables(name, values, std::span<basic_real<T>>(out), is_trainable, where);
      return out;
    }
  }
  template <std::ranges::input_range R>
  void variables(std::string_view name, const R& values, std::span<basic_real<T>> out,
                 trainable is_trainable = trainable::yes,
                 const std::source_location& where = std::source_location::current()) {
    check_thread("tape.variables");
    if constexpr (detail::is_integer_valued_v<std::ranges::range_value_t<R>>)
      detail::integer_tape_variable<R>();
    if (std::ranges::size(values) != out.size())
      throw std::invalid_argument("gradguard: tape.variables(name, values, out): out has " +
                                  std::to_string(out.size()) + " elements for " +
                                  std::to_string(std::ranges::size(values)) + " values");
    const auto first = begin_variables(name, out.size(), true, is_trainable, where);
    std::uint32_t k = 0;
    for (const auto& v : values) {
      out[k] = basic_real<T>(T(v), first + k, id_);
      if (check_finite_ && !std::isfinite(detail::plain_value(out[k].value)))
        non_finite_values_.emplace_back(first + k, detail::plain_value(out[k].value));
      ++k;
    }
  }

  // The gradient of y with respect to xs: g[x] or g[i]. Throws
  // gg::missing_gradient when some x has no derivative, naming each.
  tape_gradient<T> gradient(const basic_real<T>& y, std::initializer_list<basic_real<T>> xs) {
    return gradient_of(y, xs, false);
  }
  tape_gradient<T> gradient(const basic_real<T>& y, std::initializer_list<basic_real<T>> xs,
                            allow_unconnected_t) {
    return gradient_of(y, xs, true);
  }
  // With matrix-valued variables among xs: g[A] is a matrix of A's shape.
  block_gradient<T> gradient(const basic_real<T>& y, std::initializer_list<gradient_target<T>> xs) {
    return block_gradient_of(y, std::span<const gradient_target<T>>(xs.begin(), xs.size()), false);
  }
  block_gradient<T> gradient(const basic_real<T>& y, std::initializer_list<gradient_target<T>> xs,
                             allow_unconnected_t) {
    return block_gradient_of(y, std::span<const gradient_target<T>>(xs.begin(), xs.size()), true);
  }
  template <detail::range_of_reals<T> R>
  tape_gradient<T> gradient(const basic_real<T>& y, const R& xs) {
    return gradient_of(y, xs, false);
  }
  template <detail::range_of_reals<T> R>
  tape_gradient<T> gradient(const basic_real<T>& y, const R& xs, allow_unconnected_t) {
    return gradient_of(y, xs, true);
  }
  // Into caller storage (no allocation once the tape has grown).
  template <detail::range_of_reals<T> R>
  void gradient(const basic_real<T>& y, const R& xs, std::span<T> out) {
    gradient_into(y, xs, out, false);
  }
  template <detail::range_of_reals<T> R>
  void gradient(const basic_real<T>& y, const R& xs, std::span<T> out, allow_unconnected_t) {
    gradient_into(y, xs, out, true);
  }

  // d ys[i] / d xs[j], one reverse sweep per output. A variable that reaches
  // none of the outputs is a gg::missing_gradient.
  template <detail::range_of_reals<T> Ys, detail::range_of_reals<T> Xs>
  dense_matrix<T> jacobian(const Ys& ys, const Xs& xs) {
    return jacobian_of(ys, xs, false);
  }
  template <detail::range_of_reals<T> Ys, detail::range_of_reals<T> Xs>
  dense_matrix<T> jacobian(const Ys& ys, const Xs& xs, allow_unconnected_t) {
    return jacobian_of(ys, xs, true);
  }

  // Forgets every statement; the memory is kept for the next recording.
  // Reals recorded before are invalid afterwards. Not noexcept: it throws
  // with GRADGUARD_CHECK_THREAD on another thread, and when no slot is left
  // (after 2^48 clears of each); one exception specification whatever the
  // macros say, so that debug and release translation units agree.
  void clear() {
    check_thread("tape.clear()");
    statements_.clear();
    units_.clear();
    general_.clear();
    partials_.clear();
    leaf_values_.clear();
    info_.clear();
    cuts_.clear();
    blocks_.clear();
    names_.clear();
    operations_.clear();
    arena_.clear();
    index_arena_.clear();
    callables_.clear();
    non_finite_values_.clear();
    frozen_blocks_ = 0;
    room_ = 0;  // recomputed by the next statement; the memory stays
    first_operation_ = std::numeric_limits<std::uint32_t>::max();
    // A new id: reals of the old recording are now recognised as stale.
    id_ = detail::tape_registry<T>::next_recording(this, id_);
  }

  std::size_t size() const noexcept { return statements_.size(); }
  bool checks_finite() const noexcept { return check_finite_; }
  tape_statistics statistics() const noexcept {
    return {statements_.size(), units_.size(), general_.size(),
            statements_.size() * sizeof(detail::statement_shape) +
                units_.size() * sizeof(std::uint32_t) +
                general_.size() * (sizeof(std::uint32_t) + sizeof(T)) +
                blocks_.size() * sizeof(detail::variable_block) + names_.size() +
                cuts_.size() * sizeof(detail::cut_record) +
                operations_.size() * sizeof(detail::block_operation<T>) +
                info_.size() * sizeof(detail::statement_info) + leaf_values_.size() * sizeof(T)};
  }

  // Records e as one statement (used by gg::real; e's tape leaves are on this tape).
  template <class E>
  basic_real<T> record(const E& e, const std::source_location& where);

  // A value cut off from its operand by a non-differentiable operation
  // (gg::stop_gradient(r), gg::floor(r), ... on a gg::real).
  basic_real<T> record_cut(const T& value, const basic_real<T>& operand, missing_reason why,
                           std::string_view operation, const std::source_location& where) {
    if (!operand.on_tape()) return basic_real<T>(value);
    if (!owns(operand)) throw mismatch(operand);
    if (room_ < 1) make_room(1);
    cuts_.push_back(
        {static_cast<std::uint32_t>(statements_.size()), operand.index(), why, operation, where});
    if (check_finite_) {
      try {
        info_.end()[0] = {nullptr, where, static_cast<std::uint32_t>(leaf_values_.size())};
        info_.commit(1);
      } catch (...) {
        cuts_.pop_back();
        throw;
      }
    }
    statements_.end()[0] = {0, 0};
    statements_.commit(1);
    room_ -= 1;
    return basic_real<T>(value, static_cast<std::uint32_t>(statements_.size() - 1), id_);
  }

  tape_mismatch mismatch(std::uint32_t index, detail::tape_id_t tape_id) const {
    return mismatch(basic_real<T>(T(0), index, tape_id));
  }
  tape_mismatch mismatch(const basic_real<T>& foreign) const {
    return tape_mismatch("gradguard: a computation mixes gg::real values of two recordings: " +
                         describe_foreign(foreign) +
                         "; record every value of one computation on the same gg::tape, after "
                         "its last clear() (each thread records on its own tape)");
  }

 private:
  template <class U>
  friend struct detail::block_recorder;
  friend struct detail::tape_test_access;

  // With GRADGUARD_CHECK_THREAD: a tape is used on the thread that made it.
  void check_thread([[maybe_unused]] std::string_view what) const {
#if GRADGUARD_CHECK_THREAD
    if (std::this_thread::get_id() != owner_) throw wrong_thread(what);
#endif
  }
  tape_mismatch wrong_thread(std::string_view what) const {
    std::ostringstream os;
    os << "gradguard: " << what << " on thread " << std::this_thread::get_id()
       << ": this gg::tape (at " << static_cast<const void*>(this) << ", registry slot "
       << (id_ & 0xffffu) << ", " << statements_.size() << " values recorded) was made on thread "
       << owner_
       << ", and a tape used by two threads corrupts its memory; fix: use one tape per thread "
          "(make the gg::tape inside the thread's function, or thread_local)";
    return tape_mismatch(os.str());
  }

  explicit basic_tape(bool check)
      : id_(detail::tape_registry<T>::acquire(this)), check_finite_(check) {}

  template <class U>
  friend class tape_gradient;

  std::uint32_t begin_variables(std::string_view name, std::size_t count, bool array,
                                trainable is_trainable, const std::source_location& where) {
    if (room_ < count) make_room(count);
    const auto name_begin = static_cast<std::uint32_t>(names_.size());
    names_.append(name);
    try {
      blocks_.push_back({static_cast<std::uint32_t>(statements_.size()),
                         static_cast<std::uint32_t>(count), name_begin,
                         static_cast<std::uint32_t>(name.size()), array,
                         is_trainable == trainable::yes, where});
    } catch (...) {
      names_.resize(name_begin);
      throw;
    }
    frozen_blocks_ += is_trainable == trainable::no;
    const auto first = static_cast<std::uint32_t>(statements_.size());
    std::fill_n(statements_.end(), count, detail::statement_shape{0, 0});
    if (check_finite_)
      std::fill_n(
          info_.end(), count,
          detail::statement_info{nullptr, where, static_cast<std::uint32_t>(leaf_values_.size())});
    statements_.commit(count);
    if (check_finite_) info_.commit(count);
    room_ -= count;
    return first;
  }

  // Grows every array so that a statement of up to `need` operands fits,
  // then sets room_ to what is left in the fullest one: recording then tests
  // room_ once per statement instead of each array.
  void make_room(std::size_t need) {
    if (statements_.size() + need > std::numeric_limits<std::uint32_t>::max())
      throw std::length_error("gradguard: a tape holds at most 2^32 - 1 values");
    statements_.reserve_more(need);
    units_.reserve_more(need);
    general_.reserve_more(need);
    partials_.reserve_more(need);
    if (check_finite_) {
      info_.reserve_more(need);
      leaf_values_.reserve_more(need);
    }
    room_ =
        std::min({statements_.capacity() - statements_.size(), units_.capacity() - units_.size(),
                  general_.capacity() - general_.size(), partials_.capacity() - partials_.size()});
    if (check_finite_)
      room_ = std::min(
          {room_, info_.capacity() - info_.size(), leaf_values_.capacity() - leaf_values_.size()});
  }

  // The variable block holding index i, or nullptr.
  const detail::variable_block* block_of(std::uint32_t i) const {
    auto it = std::upper_bound(
        blocks_.begin(), blocks_.end(), i,
        [](std::uint32_t v, const detail::variable_block& b) { return v < b.first; });
    if (it == blocks_.begin()) return nullptr;
    --it;
    return i < it->first + it->count ? &*it : nullptr;
  }

  std::string name_of(std::uint32_t i) const {
    if (const auto* b = block_of(i)) {
      std::string name = names_.substr(b->name_begin, b->name_size);
      if (!b->array) return name;
      return name + "[" + std::to_string(i - b->first) + "]";
    }
    return "value #" + std::to_string(i);
  }
  std::string created_at(std::uint32_t i) const {
    if (const auto* b = block_of(i)) {
      auto site = detail::format_site(b->where);
      if (!site.empty()) return " (created at " + site + ")";
    }
    return "";
  }
  std::string describe_foreign(const basic_real<T>& r) const {
    if (const basic_tape<T>* other = r.tape())
      return "'" + other->name_of(r.index()) + "'" + other->created_at(r.index()) +
             " belongs to another tape";
    if ((r.tape_id() & 0xffffu) == (id_ & 0xffffu))
      return "a gg::real (value #" + std::to_string(r.index()) +
             ") was recorded on this tape before tape.clear(), which invalidates it";
    return "a gg::real (value #" + std::to_string(r.index()) +
           ") belongs to a tape that has been cleared or destroyed since";
  }

  // Where the sweep for output top starts: the outputs of a block are swept
  // together, from its last one.
  std::uint32_t sweep_top(std::uint32_t top) const {
    if (operations_.empty()) return top;
    auto it = std::upper_bound(
        operations_.begin(), operations_.end(), top,
        [](std::uint32_t v, const detail::block_operation<T>& op) { return v < op.first; });
    if (it != operations_.begin() && std::prev(it)->last > top) return std::prev(it)->last;
    return top;
  }

  // Zeroes the adjoints up to sweep_top(top), seeds top, and returns sweep_top(top).
  std::uint32_t seed(std::uint32_t top) {
    const std::uint32_t high = sweep_top(top);
    if (adjoints_.size() < statements_.size()) adjoints_.resize(statements_.size());
    std::fill(adjoints_.begin(), adjoints_.begin() + high + 1, T(0));
    adjoints_[top] = T(1);
    origins_.clear();
    return high;
  }

  // Positions in the operand arrays: just past the operands of statement s.
  struct sweep_cursor {
    const std::uint32_t* unit;
    const std::uint32_t* general;
    const T* partial;
  };
  sweep_cursor cursor_after(std::uint32_t top) const {
    const detail::statement_shape* shape = statements_.data();
    sweep_cursor c{units_.data() + units_.size(), general_.data() + general_.size(),
                   partials_.data() + partials_.size()};
    for (std::size_t s = statements_.size(); s-- > std::size_t{top} + 1;) {
      c.unit -= shape[s].units;
      c.general -= shape[s].general;
      c.partial -= shape[s].general;
    }
    return c;
  }

  // Sweeps statements top .. stop + 1, blocks included.
  void sweep(std::uint32_t top, std::uint32_t stop) {
    if (first_operation_ > top) return;  // only variables up to top
    if (first_operation_ > 0) stop = std::max(stop, first_operation_ - 1);
    if (check_finite_) sweep_blocks<true>(top, stop);
    else sweep_blocks<false>(top, stop);
  }

  template <bool Checked>
  void sweep_blocks(std::uint32_t top, std::uint32_t stop) {
    sweep_cursor c = cursor_after(top);
    if (operations_.empty()) return sweep_statements<Checked>(top, stop, c);
    // Scalar statements between blocks, then each block (its outputs are
    // statements without operands).
    auto op = std::upper_bound(
        operations_.begin(), operations_.end(), top,
        [](std::uint32_t v, const detail::block_operation<T>& o) { return v < o.last; });
    while (op != operations_.begin() && std::prev(op)->last > stop) {
      --op;
      sweep_statements<Checked>(top, op->last, c);
      // A block none of whose outputs is used passes nothing on, as a scalar
      // statement with a zero adjoint (0 * an infinite partial would be NaN).
      const T* out = adjoints_.data() + op->first;
      if (!std::all_of(out, out + (op->last - op->first + 1),
                       [](const T& a) { return detail::is_constant_zero(a); })) {
        if constexpr (Checked) {
          const bool finite = std::all_of(out, out + (op->last - op->first + 1), [](const T& a) {
            return std::isfinite(detail::plain_value(a));
          });
          op->backward(*op, adjoints_.data());
          if (finite) note_block(*op);
        } else {
          op->backward(*op, adjoints_.data());
        }
      }
      top = op->first;  // its other outputs have no scalar operands: skip them
    }
    sweep_statements<Checked>(top, stop, c);
  }

  template <bool Checked>
  void sweep_statements(std::uint32_t top, std::uint32_t stop, sweep_cursor& c) {
    const detail::statement_shape* shape = statements_.data();
    const std::uint32_t* unit = c.unit;
    const std::uint32_t* general = c.general;
    const T* partial = c.partial;
    T* adj = adjoints_.data();
    for (std::size_t s = std::size_t{top} + 1; s-- > std::size_t{stop} + 1;) {
      const auto [nu, ng] = shape[s];
      unit -= nu;
      general -= ng;
      partial -= ng;
      if ((nu | ng) == 0) continue;  // a variable or a cut value: nothing to pass on
      const T a = adj[s];
      if (detail::is_constant_zero(a)) continue;
      if constexpr (Checked) {
        // An operand adjoint made NaN or infinite here from finite ones is
        // noted; one already so, or a non-finite incoming adjoint, only
        // passes on what an earlier statement made.
        const bool finite = std::isfinite(detail::plain_value(a));
        const auto add = [&](std::uint32_t i, const T& p) {
          const bool before = std::isfinite(detail::plain_value(adj[i]));
          adj[i] += a * p;
          if (finite && before && !std::isfinite(detail::plain_value(adj[i])))
            origins_.push_back({static_cast<std::uint32_t>(s), i, a, p});
        };
        for (std::uint32_t k = 0; k < nu; ++k) add(unit[k], T(1));
        for (std::uint32_t k = 0; k < ng; ++k) add(general[k], partial[k]);
      } else {
        // Most statements have one or two operands of each kind: straight-line
        // code for those, a loop for the rest.
        switch (nu) {
          case 0:
            break;
          case 1:
            adj[unit[0]] += a;
            break;
          case 2:
            adj[unit[0]] += a;
            adj[unit[1]] += a;
            break;
          default:
            for (std::uint32_t k = 0; k < nu; ++k) adj[unit[k]] += a;
        }
        switch (ng) {
          case 0:
            break;
          case 1:
            adj[general[0]] += a * partial[0];
            break;
          case 2:
            adj[general[0]] += a * partial[0];
            adj[general[1]] += a * partial[1];
            break;
          default:
            for (std::uint32_t k = 0; k < ng; ++k) adj[general[k]] += a * partial[k];
        }
      }
    }
    c = {unit, general, partial};
  }

  // With gg::check_finite: notes the first operand adjoint a block made NaN or infinite.
  void note_block(const detail::block_operation<T>& op);
  // With gg::check_finite, after a sweep for outputs: throws for the first
  // NaN or infinite value on a differentiable path to an output, then for
  // the first place that made the adjoint of a requested value NaN or
  // infinite (requested: the indices, by a callable taking a callable).
  template <class ForEachRequested>
  void check_finite_after(std::span<const std::uint32_t> outputs, ForEachRequested&& requested);
  template <class ForEachRequested>
  void check_origins(std::uint32_t top, ForEachRequested& requested) const;

  // Records a block of n outputs; returns the index of the first.
  std::uint32_t record_block(std::size_t n, detail::block_operation<T> op) {
    const auto first = static_cast<std::uint32_t>(statements_.size());
    if (n == 0) return first;                          // an empty matrix: nothing flows
    if (operations_.size() == operations_.capacity())  // may throw: nothing recorded yet
      operations_.reserve(std::max<std::size_t>(16, 2 * operations_.capacity()));
    if (room_ < n) make_room(n);
    std::fill_n(statements_.end(), n, detail::statement_shape{0, 0});
    if (check_finite_)
      std::fill_n(info_.end(), n,
                  detail::statement_info{nullptr, op.where,
                                         static_cast<std::uint32_t>(leaf_values_.size())});
    statements_.commit(n);
    if (check_finite_) info_.commit(n);
    room_ -= n;
    op.first = first;
    op.last = first + static_cast<std::uint32_t>(n - 1);
    operations_.push_back(op);  // cannot throw after the reserve
    first_operation_ = std::min(first_operation_, first);
    return first;
  }
  static basic_real<T> real_at(const T& value, std::uint32_t index, detail::tape_id_t tape_id) {
    return basic_real<T>(value, index, tape_id);
  }

  block_gradient<T> block_gradient_of(const basic_real<T>& y,
                                      std::span<const gradient_target<T>> xs, bool allow);

  non_finite_adjoint non_finite(std::uint32_t s, std::uint32_t operand, const T& adjoint,
                                const T& partial) const;
  non_finite_adjoint non_finite_block(const detail::block_operation<T>& op, std::uint32_t i) const;
  non_finite_adjoint non_finite_value(std::uint32_t s, double value) const;
  // "statement #s `a * b` recorded at f.cpp:3 with operand values a = 1, b = 2"
  void describe_statement(std::ostream& os, std::uint32_t s) const;

  // How each requested value is reached from the outputs: 1 on a
  // differentiable path, 2 + k when only through cut k, 0 not at all.
  std::vector<std::uint32_t> reachability(std::span<const std::uint32_t> outputs) const;

  template <class R>
  std::uint32_t check_output(const basic_real<T>& y, const R& xs) const;

  template <class R>
  void gradient_into(const basic_real<T>& y, const R& xs, std::span<T> out, bool allow);

  template <class R>
  tape_gradient<T> gradient_of(const basic_real<T>& y, const R& xs, bool allow) {
    tape_gradient<T> g;
    for (const basic_real<T>& x : xs) g.keys_.push_back(tape_gradient<T>::key(x));
    g.values_.resize(g.keys_.size());
    gradient_into(y, xs, std::span<T>(g.values_), allow);
    g.index();
    return g;
  }

  template <class Ys, class Xs>
  dense_matrix<T> jacobian_of(const Ys& ys, const Xs& xs, bool allow);

  // Collects the variables of xs that have no derivative and throws; with
  // allow_unconnected returns their positions in xs instead (their gradient
  // is set to 0 by the caller: a frozen variable may have an adjoint).
  template <class R>
  std::vector<std::size_t> diagnose(std::span<const std::uint32_t> outputs, bool output_on_tape,
                                    const R& xs, std::span<const T> values, bool allow) const;

  // Matrix operations (eigen/matrix.hpp), in the order recorded, and the
  // values they keep for the sweep.
  std::vector<detail::block_operation<T>> operations_;
  detail::value_arena<T> arena_;
  detail::value_arena<std::uint32_t> index_arena_;
  // The capturing callables of custom gradients, alive until clear().
  std::vector<std::shared_ptr<const void>> callables_;
  detail::buffer<detail::statement_shape> statements_;
  detail::buffer<std::uint32_t> units_;
  detail::buffer<std::uint32_t> general_;
  detail::buffer<T> partials_;
  detail::buffer<T> leaf_values_;                // with check_finite
  detail::buffer<detail::statement_info> info_;  // with check_finite
  // With check_finite: the values recorded NaN or infinite, in order, and
  // where the last sweep first made an adjoint NaN or infinite (reported
  // only when it reaches a requested variable).
  std::vector<std::pair<std::uint32_t, double>> non_finite_values_;
  std::vector<detail::non_finite_origin<T>> origins_;
  std::vector<detail::cut_record> cuts_;
  std::vector<detail::variable_block> blocks_;
  std::string names_;
  std::vector<T> adjoints_;
  std::size_t frozen_blocks_ = 0;
  std::size_t room_ = 0;  // operands (and statements) that fit without growing
  // Below the first statement with operands there are only variables: the
  // sweep stops there (inputs are usually created first).
  std::uint32_t first_operation_ = std::numeric_limits<std::uint32_t>::max();
  detail::tape_id_t id_;
  // The thread that made the tape (checked with GRADGUARD_CHECK_THREAD).
  std::thread::id owner_ = std::this_thread::get_id();
  bool check_finite_;
};

using tape = basic_tape<double>;

// The result of tape.gradient(y, xs): g[x] for a requested x, g[i] by position.
template <class T>
class tape_gradient {
 public:
  const T& operator[](const basic_real<T>& x) const {
    const key_type k = key(x);
    if (keys_.size() <= 16) {
      for (std::size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] == k) return values_[i];
    } else {
      auto it = std::lower_bound(sorted_.begin(), sorted_.end(), std::pair{k, std::size_t{0}});
      if (it != sorted_.end() && it->first == k) return values_[it->second];
    }
    throw std::out_of_range(
        "gradguard: g[x]: x was not among the variables passed to "
        "tape.gradient(y, xs)");
  }
  const T& operator[](std::size_t i) const { return values_.at(i); }
  std::size_t size() const noexcept { return values_.size(); }
  const std::vector<T>& values() const noexcept { return values_; }
  auto begin() const noexcept { return values_.begin(); }
  auto end() const noexcept { return values_.end(); }

 private:
  friend class basic_tape<T>;
  tape_gradient() = default;
  // A requested value is found by its tape and index together: a constant
  // (no tape) never matches a variable of index 0.
  using key_type = std::pair<detail::tape_id_t, std::uint32_t>;
  static key_type key(const basic_real<T>& x) { return {x.tape_id(), x.index()}; }
  void index() {
    if (keys_.size() <= 16) return;
    sorted_.reserve(keys_.size());
    for (std::size_t i = 0; i < keys_.size(); ++i) sorted_.emplace_back(keys_[i], i);
    std::sort(sorted_.begin(), sorted_.end());
  }

  std::vector<key_type> keys_;
  std::vector<T> values_;
  std::vector<std::pair<key_type, std::size_t>> sorted_;
};

// ---------------------------------------------------------------------------

namespace detail {

[[noreturn]] inline void throw_stale(std::uint32_t index) {
  throw tape_mismatch("gradguard: a gg::real (value #" + std::to_string(index) +
                      ") is used after its tape was cleared or destroyed; reals recorded before "
                      "tape.clear() are invalid, record them again");
}

// The tape of e's reals (nullptr when all are constants); throws
// gg::tape_mismatch when they come from two recordings or a stale one.
template <class T, class E>
GRADGUARD_ALWAYS_INLINE basic_tape<T>* tape_of(const E& e) {
  // Only ids and indices are kept: taking a leaf's address would keep the
  // whole expression in memory instead of in registers.
  tape_id_t id = 0, other_id = 0;
  std::uint32_t index = 0, other_index = 0, last = 0;
  for_each_runtime_leaf(e, [&](const auto& leaf) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(leaf)>, basic_real<T>>) {
      if (leaf.tape_id() == 0) return;
      last = std::max(last, leaf.index());
      if (id == 0) {
        id = leaf.tape_id();
        index = leaf.index();
      } else if (leaf.tape_id() != id) {
        other_id = leaf.tape_id();
        other_index = leaf.index();
      }
    }
  });
  if (id == 0) return nullptr;
  basic_tape<T>* tape = tape_registry<T>::find(id);
  // An index past the recording cannot come from a live id; checked anyway
  // (it is free): never read past the arrays.
  if (tape == nullptr || last >= tape->size()) throw_stale(tape == nullptr ? index : last);
  if (other_id != 0) throw tape->mismatch(other_index, other_id);
  return tape;
}

// The fast path of `s += x` and `p *= x` for two reals.
}  // namespace detail

template <class T>
basic_tape<T>* basic_real<T>::tape() const noexcept {
  return tape_id_ == 0 ? nullptr : detail::tape_registry<T>::find(tape_id_);
}

namespace detail {

template <class T, class E>
GRADGUARD_ALWAYS_INLINE basic_real<T> record_expression(const E& e,
                                                        const std::source_location& where) {
  if constexpr (runtime_leaf_count_v<E> == 0) {
    return basic_real<T>(T(gradguard::value(e)));
  } else {
    basic_tape<T>* tape = tape_of<T>(e);
    if (tape == nullptr) return basic_real<T>(to_tape_value<T>(tape_evaluate<T>(e).value));
    return tape->record(e, where);
  }
}

}  // namespace detail

template <class T>
template <class E>
GRADGUARD_ALWAYS_INLINE basic_real<T> basic_tape<T>::record(const E& e,
                                                            const std::source_location& where) {
  constexpr std::size_t n = detail::runtime_leaf_count_v<E>;
  static_assert(n < 65536, "gradguard: a statement has at most 65535 tape operands");
  constexpr std::size_t need = n > 0 ? n : 1;
  if (room_ < need) make_room(need);  // one test per statement, for every array
  const auto index = static_cast<std::uint32_t>(statements_.size());
  const auto ev = detail::tape_evaluate<T>(e);
  detail::statement_sink<T> sink{units_.end(), general_.end(), partials_.end()};
  detail::push_partials(e, ev, sink);
  if constexpr (detail::has_cut_runtime_leaf_v<E>) {
    const std::size_t before = cuts_.size();
    try {
      detail::for_each_cut_leaf(
          e, ev, [&]<class Rule>(const auto& leaf, std::type_identity<Rule>, bool untaken) {
            if (!owns(leaf)) return;
            const missing_reason why =
                untaken ? missing_reason::untaken_branch
                : std::is_same_v<rules::cut_reason_t<Rule>, reason::stop_gradient>
                    ? missing_reason::stop_gradient
                    : missing_reason::non_differentiable;
            cuts_.push_back({index, leaf.index(), why, Rule::name, where});
          });
    } catch (...) {
      cuts_.resize(before);
      throw;
    }
  }
  if (check_finite_) {
    info_.end()[0] = {&detail::describe_statement<E>, where,
                      static_cast<std::uint32_t>(leaf_values_.size())};
    T* values = leaf_values_.end();
    std::size_t k = 0;
    detail::for_each_runtime_leaf(e, [&](const auto& leaf) { values[k++] = T(leaf.value); });
    if (!std::isfinite(detail::plain_value(ev.value)))
      non_finite_values_.emplace_back(index, detail::plain_value(ev.value));
    leaf_values_.commit(n);
    info_.commit(1);
  }
  units_.commit(sink.unit_count);
  general_.commit(sink.general_count);
  partials_.commit(sink.general_count);
  statements_.end()[0] = {static_cast<std::uint16_t>(sink.unit_count),
                          static_cast<std::uint16_t>(sink.general_count)};
  statements_.commit(1);
  room_ -= need;
  first_operation_ = std::min(first_operation_, index);
  return basic_real<T>(T(ev.value), index, id_);
}

template <class T>
std::vector<std::uint32_t> basic_tape<T>::reachability(
    std::span<const std::uint32_t> outputs) const {
  std::uint32_t top = 0;
  for (auto y : outputs) top = std::max(top, y);
  top = sweep_top(top);
  std::vector<std::uint32_t> mark(std::size_t{top} + 1, 0);
  for (auto y : outputs) mark[y] = 1;
  const detail::statement_shape* shape = statements_.data();
  const std::uint32_t* unit = units_.data() + units_.size();
  const std::uint32_t* general = general_.data() + general_.size();
  for (std::size_t s = statements_.size(); s-- > std::size_t{top} + 1;) {
    unit -= shape[s].units;
    general -= shape[s].general;
  }
  auto cut = std::upper_bound(
      cuts_.begin(), cuts_.end(), top,
      [](std::uint32_t v, const detail::cut_record& c) { return v < c.statement; });
  auto op = std::upper_bound(
      operations_.begin(), operations_.end(), top,
      [](std::uint32_t v, const detail::block_operation<T>& o) { return v < o.last; });
  for (std::size_t s = std::size_t{top} + 1; s-- > 0;) {
    unit -= shape[s].units;
    general -= shape[s].general;
    if (op != operations_.begin() && std::prev(op)->last == s) {
      // A block: every operand value reaches every output (a structural,
      // conservative answer: a variable is diagnosed as a whole matrix).
      const auto& o = *--op;
      std::uint32_t best = 0;
      for (std::uint32_t i = o.first; i <= o.last; ++i)
        if (mark[i] == 1 || (best == 0 && mark[i] != 0)) best = mark[i];
      if (best != 0)
        o.for_each_operand_value([&](std::uint32_t i) {
          if (best == 1 || mark[i] == 0) mark[i] = best;
        });
    }
    const std::uint32_t m = mark[s];
    for (; cut != cuts_.begin() && std::prev(cut)->statement == s; --cut) {
      const auto& c = *std::prev(cut);
      if (m == 0 || mark[c.operand] != 0) continue;
      mark[c.operand] = m == 1 ? 2 + static_cast<std::uint32_t>(std::prev(cut) - cuts_.begin()) : m;
    }
    if (m == 0) continue;
    auto reach = [&](std::uint32_t op) {
      if (m == 1 || mark[op] == 0) mark[op] = m;
    };
    for (std::uint32_t k = 0; k < shape[s].units; ++k) reach(unit[k]);
    for (std::uint32_t k = 0; k < shape[s].general; ++k) reach(general[k]);
  }
  return mark;
}

template <class T>
template <class R>
std::vector<std::size_t> basic_tape<T>::diagnose(std::span<const std::uint32_t> outputs,
                                                 bool output_on_tape, const R& xs,
                                                 std::span<const T> values, bool allow) const {
  std::vector<std::uint32_t> mark;
  std::vector<missing_variable> missing;
  std::vector<std::size_t> positions;
  std::size_t i = 0, requested = 0;
  for (const basic_real<T>& x : xs) {
    ++requested;
    const bool mine = owns(x);
    const auto* b = mine ? block_of(x.index()) : nullptr;
    const bool zero = detail::plain_value(values[i]) == 0;
    if (mine && (b == nullptr || b->trainable) && !zero) {
      ++i;
      continue;  // active: the common case costs a lookup, no text
    }
    const std::string name = mine       ? name_of(x.index())
                             : x.tape() ? x.tape()->name_of(x.index())
                                        : "argument " + std::to_string(i + 1);
    const std::string quoted = "'" + name + "'";
    auto add = [&](missing_reason why, std::string text) {
      missing.push_back({name, why, std::move(text)});
      positions.push_back(i);
    };
    if (!x.on_tape()) {
      add(missing_reason::constant,
          quoted + " is a constant (a gg::real made from a number, on no tape)");
    } else if (!mine) {
      // Not a missing derivative but a mistake, even with allow_unconnected:
      // a stale real cannot be told from a variable of this recording by its value.
      throw tape_mismatch(
          "gradguard: tape.gradient(y, xs): " + describe_foreign(x) +
          "; ask for the gradient with respect to variables of the recording that computed y "
          "(a tape gives the derivatives of its own variables, since its last clear())");
    } else if (b != nullptr && !b->trainable) {
      add(missing_reason::not_trainable,
          quoted + created_at(x.index()) + " is not trainable (created with gg::trainable::no)");
    } else if (!output_on_tape) {
      add(missing_reason::unused,
          quoted + created_at(x.index()) + " is not used: the result is a constant");
    } else {
      if (mark.empty()) mark = reachability(outputs);
      const std::uint32_t m = x.index() < mark.size() ? mark[x.index()] : 0;
      if (m == 0) {
        add(missing_reason::unused,
            quoted + created_at(x.index()) + " is never used on a path to the result");
      } else if (m >= 2) {
        const auto& c = cuts_[m - 2];
        auto site = detail::format_site(c.where);
        if (site.empty())
          site =
              " (in a statement recorded inside gradguard, by an operator of real_matrix or "
              "the arguments of a gg::custom_gradient, which has no line)";
        else site.insert(0, " at ");
        std::string text = quoted + created_at(x.index());
        if (c.reason == missing_reason::stop_gradient)
          text += " reaches the result only through 'stop_gradient'" + site;
        else if (c.reason == missing_reason::untaken_branch)
          text += " reaches the result only through the branch of 'select' that was not taken" +
                  site + "; a branch not taken has no derivative";
        else
          text += " reaches the result only through '" + std::string(c.operation) + "'" + site +
                  ", which has no derivative";
        add(c.reason, std::move(text));
      }
      // m == 1: on a differentiable path; the derivative is a true 0.
    }
    ++i;
  }
  if (missing.empty() || allow) return positions;
  std::vector<std::string> names;
  names.reserve(missing.size());
  for (const auto& m : missing) names.push_back(m.name);
  std::string message;
  if (!output_on_tape) {
    message = "gradguard: the result depends on none of " + detail::quoted_list(names) +
              ": it was computed from constants only (no gg::real of a tape reaches it)";
  } else if (missing.size() == requested && requested > 1) {
    message = "gradguard: the result depends on none of " + detail::quoted_list(names) + ":";
  } else {
    message = "gradguard: cannot differentiate the result with respect to ";
    for (std::size_t k = 0; k < names.size(); ++k) message += (k ? ", '" : "'") + names[k] + "'";
    message += ":";
  }
  for (const auto& m : missing) message += "\n  " + m.detail;
  // At most two concrete fixes: the one for the reason (when they share one),
  // and the opt-out.
  const bool one_reason = std::all_of(missing.begin(), missing.end(), [&](const auto& m) {
    return m.reason == missing.front().reason;
  });
  const bool plural = missing.size() > 1;
  const std::string it = plural ? "them" : "it";
  std::string fix;
  switch (one_reason ? missing.front().reason : missing_reason::unused) {
    case missing_reason::not_trainable:
      fix = "create " + it + " with gg::trainable::yes if " + (plural ? "they" : "it") +
            " should be trained";
      break;
    case missing_reason::stop_gradient:
      fix = "remove the gg::stop_gradient from the path";
      break;
    case missing_reason::non_differentiable:
      fix =
          "compute the result with differentiable operations (gg::select(cond, a, b) keeps "
          "the gradient of the branch taken)";
      break;
    case missing_reason::constant:
      fix = "create " + it + " with tape.variable(\"name\", value)";
      break;
    case missing_reason::other_tape:
      fix = "record the computation and take the gradient on one tape";
      break;
    default:
      fix = one_reason ? "use " + it + " in the computation of the result"
                       : "put " + it + " on a differentiable path to the result";
  }
  message += "\n  fix: " + fix + ", or pass gg::allow_unconnected to get 0 instead";
  throw missing_gradient(message, std::move(missing));
}

template <class T>
template <class R>
std::uint32_t basic_tape<T>::check_output(const basic_real<T>& y, const R&) const {
  if (owns(y) && y.index() >= statements_.size()) detail::throw_stale(y.index());
  if (y.on_tape() && !owns(y))
    throw tape_mismatch(
        "gradguard: tape.gradient(y, xs): y was not recorded by this tape since "
        "its last clear(): " +
        describe_foreign(y) + "; take the gradient on the tape that recorded it");
  return y.index();
}

template <class T>
template <class R>
void basic_tape<T>::gradient_into(const basic_real<T>& y, const R& xs, std::span<T> out,
                                  bool allow) {
  check_thread("tape.gradient");
  const std::uint32_t top = check_output(y, xs);
  std::size_t n = 0;
  std::uint32_t stop = top;
  bool all_mine = true;
  for (const basic_real<T>& x : xs) {
    all_mine &= owns(x);
    stop = std::min(stop, x.index());
    ++n;
  }
  if (n != out.size())
    throw std::invalid_argument("gradguard: tape.gradient(y, xs, out): out has " +
                                std::to_string(out.size()) + " elements for " + std::to_string(n) +
                                " variables");
  bool any_zero = !all_mine;
  if (y.on_tape() && all_mine) {
    const std::uint32_t high = seed(top);
    if (stop < high) sweep(high, stop);
    if (check_finite_)
      check_finite_after({&top, 1}, [&](auto f) {
        for (const basic_real<T>& x : xs)
          if (x.index() <= top) f(x.index());
      });
    T* o = out.data();
    for (const basic_real<T>& x : xs) {
      const T v = x.index() <= top ? adjoints_[x.index()] : T(0);
      any_zero |= detail::plain_value(v) == 0;
      *o++ = v;
    }
  } else if (y.on_tape()) {
    const std::uint32_t high = seed(top);
    if (stop < high) sweep(high, stop);
    if (check_finite_)
      check_finite_after({&top, 1}, [&](auto f) {
        for (const basic_real<T>& x : xs)
          if (owns(x) && x.index() <= top) f(x.index());
      });
    std::size_t i = 0;
    for (const basic_real<T>& x : xs)
      out[i++] = owns(x) && x.index() <= top ? adjoints_[x.index()] : T(0);
  } else {
    std::fill(out.begin(), out.end(), T(0));
    any_zero = true;
  }
  // Frozen variables are reported even with a non-zero adjoint.
  if (any_zero || frozen_blocks_ > 0) {
    const std::uint32_t outputs[] = {top};
    for (std::size_t i :
         diagnose(std::span<const std::uint32_t>(outputs), y.on_tape(), xs, out, allow))
      out[i] = T(0);
  }
}

template <class T>
template <class Ys, class Xs>
dense_matrix<T> basic_tape<T>::jacobian_of(const Ys& ys, const Xs& xs, bool allow) {
  check_thread("tape.jacobian");
  dense_matrix<T> j;
  std::vector<std::uint32_t> outputs;
  bool any_on_tape = false;
  for (const basic_real<T>& y : ys) {
    check_output(y, xs);
    if (y.on_tape()) {
      outputs.push_back(y.index());
      any_on_tape = true;
    }
    ++j.rows;
  }
  for ([[maybe_unused]] const basic_real<T>& x : xs) ++j.cols;
  j.data.assign(j.rows * j.cols, T(0));
  std::size_t r = 0;
  std::vector<T> column_sum(j.cols, T(0));
  for (const basic_real<T>& y : ys) {
    if (y.on_tape()) {
      std::uint32_t stop = y.index();
      for (const basic_real<T>& x : xs)
        if (owns(x)) stop = std::min(stop, x.index());
      const std::uint32_t high = seed(y.index());
      if (stop < high) sweep(high, stop);
      if (check_finite_) {
        const std::uint32_t output = y.index();
        check_finite_after({&output, 1}, [&](auto f) {
          for (const basic_real<T>& x : xs)
            if (owns(x) && x.index() <= output) f(x.index());
        });
      }
      std::size_t c = 0;
      for (const basic_real<T>& x : xs) {
        if (owns(x) && x.index() <= y.index()) j(r, c) = adjoints_[x.index()];
        if (j(r, c) != T(0)) column_sum[c] = T(1);
        ++c;
      }
    }
    ++r;
  }
  for (std::size_t c : diagnose(std::span<const std::uint32_t>(outputs), any_on_tape, xs,
                                std::span<const T>(column_sum), allow))
    for (std::size_t r2 = 0; r2 < j.rows; ++r2) j(r2, c) = T(0);
  return j;
}

template <class T>
block_gradient<T> basic_tape<T>::block_gradient_of(const basic_real<T>& y,
                                                   std::span<const gradient_target<T>> xs,
                                                   bool allow) {
  check_thread("tape.gradient");
  const std::uint32_t top = check_output(y, xs);
  block_gradient<T> g;
  std::size_t total = 0;
  std::uint32_t stop = top;
  g.entries_.reserve(xs.size());
  for (const auto& x : xs) {
    g.entries_.push_back({x.ref(), total});
    total += x.ref().count;
    if (x.ref().tape_id == id_) stop = std::min(stop, x.ref().first);
  }
  g.values_.resize(total);
  if (y.on_tape()) {
    const std::uint32_t high = seed(top);
    if (stop < high) sweep(high, stop);
    if (check_finite_)
      check_finite_after({&top, 1}, [&](auto f) {
        for (const auto& x : xs)
          if (x.ref().tape_id == id_)
            for (std::uint32_t i = x.ref().first; i < x.ref().first + x.ref().count && i <= top;
                 ++i)
              f(i);
      });
  }
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const auto& r = xs[k].ref();
    const auto out = g.values_.begin() + static_cast<std::ptrdiff_t>(g.entries_[k].offset);
    const std::uint32_t n = !y.on_tape() || r.tape_id != id_ || r.first > top
                                ? 0
                                : std::min(r.count, top - r.first + 1);
    if (n > 0) std::copy_n(adjoints_.begin() + r.first, n, out);
  }
  // A matrix is diagnosed as a whole: missing when every element's adjoint
  // is 0 and no element is on a differentiable path. One element stands for
  // it in diagnose(): the one best connected to the result. Nothing is
  // allocated when every variable has a non-zero adjoint (the common case).
  const auto active_at = [&](std::size_t k) {
    if (!xs[k].scalar() && xs[k].ref().count == 0) return true;  // an empty matrix
    const auto begin = g.values_.begin() + static_cast<std::ptrdiff_t>(g.entries_[k].offset);
    return std::any_of(begin, begin + xs[k].ref().count,
                       [](const T& v) { return detail::plain_value(v) != 0; });
  };
  bool check = frozen_blocks_ > 0;
  for (std::size_t k = 0; k < xs.size() && !check; ++k)
    check = xs[k].ref().tape_id != id_ || !active_at(k);
  if (!check) return g;
  const std::uint32_t outputs[] = {top};
  std::vector<basic_real<T>> standing;
  std::vector<T> active;
  std::vector<std::uint32_t> mark;
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const auto& r = xs[k].ref();
    const bool nonzero = active_at(k);
    std::uint32_t index = r.first;
    if (!nonzero && !xs[k].scalar() && r.tape_id == id_ && y.on_tape() && r.count > 1) {
      if (mark.empty()) mark = reachability(std::span<const std::uint32_t>(outputs));
      for (std::uint32_t i = r.first; i < r.first + r.count && i < mark.size(); ++i) {
        if (mark[i] == 1) {
          index = i;
          break;
        }
        if (mark[i] != 0 && mark[index] == 0) index = i;
      }
    }
    standing.push_back(basic_real<T>(xs[k].scalar() ? xs[k].value() : T(0), index, r.tape_id));
    active.push_back(nonzero ? T(1) : T(0));
  }
  for (std::size_t k : diagnose(std::span<const std::uint32_t>(outputs), y.on_tape(), standing,
                                std::span<const T>(active), allow))
    std::fill_n(g.values_.begin() + static_cast<std::ptrdiff_t>(g.entries_[k].offset),
                xs[k].ref().count, T(0));
  return g;
}

// Every operand whose adjoint the block made NaN or infinite is noted, not
// only the first: the one reported is the first that reaches a requested
// variable (A / B with B_i = 0 makes both dA_i and dB_i infinite, and only
// B may be requested).
template <class T>
void basic_tape<T>::note_block(const detail::block_operation<T>& op) {
  op.for_each_operand_value([&](std::uint32_t i) {
    if (std::isfinite(detail::plain_value(adjoints_[i]))) return;
    origins_.push_back(
        {op.first, i, T(0), T(0), static_cast<std::uint32_t>(&op - operations_.data())});
  });
}

template <class T>
non_finite_adjoint basic_tape<T>::non_finite_block(const detail::block_operation<T>& op,
                                                   std::uint32_t i) const {
  std::ostringstream os;
  const bool custom = std::string_view(op.name) == "custom_gradient";
  os << "gradguard: the adjoint of '" << name_of(i) << "'" << created_at(i) << " became "
     << detail::plain_value(adjoints_[i]) << " in the reverse sweep, at the "
     << (custom ? "" : "matrix ") << "operation '" << op.name << "' (values #" << op.first
     << " to #" << op.last << ")";
  const auto site = detail::format_site(op.where);
  if (!site.empty()) os << " recorded at " << site;
  if (custom)
    os << ". Its vjp returned a NaN or infinite cotangent, or the sum overflowed; check the "
          "vjp at these inputs.";
  else
    os << ". The operation is evaluated where its derivative is infinite or undefined (log or "
          "sqrt of 0, division by 0), or the product overflowed; keep its input inside the "
          "domain or rescale the computation.";
  return non_finite_adjoint(os.str());
}

template <class T>
template <class ForEachRequested>
void basic_tape<T>::check_origins(std::uint32_t top, ForEachRequested& requested) const {
  // The requested values whose adjoint is NaN or infinite, and every value
  // computed from them: an origin counts when its operand is one of those.
  std::vector<char> bad(std::size_t{sweep_top(top)} + 1, 0);
  std::uint32_t low = std::numeric_limits<std::uint32_t>::max();
  requested([&](std::uint32_t i) {
    if (i < bad.size() && i < adjoints_.size() &&
        !std::isfinite(detail::plain_value(adjoints_[i]))) {
      bad[i] = 1;
      low = std::min(low, i);
    }
  });
  if (low == std::numeric_limits<std::uint32_t>::max()) return;  // none reached
  const detail::statement_shape* shape = statements_.data();
  const std::uint32_t* unit = units_.data();
  const std::uint32_t* general = general_.data();
  auto op = operations_.begin();
  for (std::size_t s = 0; s < bad.size(); ++s) {
    const auto [nu, ng] = shape[s];
    for (std::uint32_t k = 0; k < nu && s > low && !bad[s]; ++k) bad[s] = bad[unit[k]];
    for (std::uint32_t k = 0; k < ng && s > low && !bad[s]; ++k) bad[s] = bad[general[k]];
    unit += nu;
    general += ng;
    for (; op != operations_.end() && op->first == s; ++op) {
      bool any = false;
      op->for_each_operand_value([&](std::uint32_t i) { any = any || bad[i] != 0; });
      for (std::size_t i = op->first; any && i <= op->last && i < bad.size(); ++i) bad[i] = 1;
    }
  }
  for (const auto& o : origins_) {
    if (!bad[o.operand]) continue;
    if (o.block != std::numeric_limits<std::uint32_t>::max())
      throw non_finite_block(operations_[o.block], o.operand);
    throw non_finite(o.statement, o.operand, o.adjoint, o.partial);
  }
}

template <class T>
template <class ForEachRequested>
void basic_tape<T>::check_finite_after(std::span<const std::uint32_t> outputs,
                                       ForEachRequested&& requested) {
  std::uint32_t top = 0;
  for (auto y : outputs) top = std::max(top, y);
  // First the adjoints asked for (the message has the partial), then the values.
  if (!origins_.empty()) check_origins(top, requested);
  if (!non_finite_values_.empty() && !outputs.empty() && non_finite_values_.front().first <= top) {
    const std::vector<std::uint32_t> mark = reachability(outputs);
    for (const auto& [s, v] : non_finite_values_)
      if (s < mark.size() && mark[s] == 1) throw non_finite_value(s, v);
  }
}

namespace detail {
template <class T>
struct block_recorder {
  static T* allocate(basic_tape<T>& t, std::size_t n) { return t.arena_.allocate(n); }
  static std::uint32_t* allocate_indices(basic_tape<T>& t, std::size_t n) {
    return t.index_arena_.allocate(n);
  }
  static std::uint32_t variables(basic_tape<T>& t, std::string_view name, std::size_t n,
                                 trainable is_trainable, const std::source_location& where) {
    return t.begin_variables(name, n, false, is_trainable, where);
  }
  static std::uint32_t record(basic_tape<T>& t, std::size_t n, const block_operation<T>& op) {
    return t.record_block(n, op);
  }
  static basic_real<T> real(const T& value, std::uint32_t index, tape_id_t tape_id) {
    return basic_tape<T>::real_at(value, index, tape_id);
  }
  static basic_tape<T>* find(tape_id_t tape_id) noexcept {
    return tape_id == 0 ? nullptr : tape_registry<T>::find(tape_id);
  }
  // Keeps a callable for the sweeps of this recording; returns where it is.
  template <class F>
  static const F* keep(basic_tape<T>& t, const F& f) {
    auto p = std::make_shared<const F>(f);
    t.callables_.push_back(p);
    return p.get();
  }
};
}  // namespace detail

template <class T>
void basic_tape<T>::describe_statement(std::ostream& os, std::uint32_t s) const {
  const detail::statement_info& info = info_[s];
  os << "statement #" << s;
  if (info.describe == nullptr) return;
  os << " `" << info.describe() << "`";
  const auto site = detail::format_site(info.where);
  os << (site.empty() ? " (recorded inside gradguard, by an operator of real_matrix or the "
                        "arguments of a gg::custom_gradient, which has no line)"
                      : " recorded at " + site);
  const std::size_t end =
      s + 1 < info_.size() ? info_[s + 1].first_leaf_value : leaf_values_.size();
  const std::size_t leaves = end - info.first_leaf_value;
  if (leaves > 0) {
    os << " with operand values ";
    for (std::size_t k = 0; k < leaves; ++k)
      os << (k ? ", " : "") << detail::leaf_letter(k) << " = "
         << detail::plain_value(leaf_values_[info.first_leaf_value + k]);
  }
}

template <class T>
non_finite_adjoint basic_tape<T>::non_finite(std::uint32_t s, std::uint32_t operand,
                                             const T& adjoint, const T& partial) const {
  std::ostringstream os;
  os << "gradguard: the adjoint of "
     << "'" << name_of(operand) << "'" << created_at(operand) << " became "
     << detail::plain_value(adjoints_[operand]) << " in the reverse sweep, at ";
  describe_statement(os, s);
  os << ": the incoming adjoint is " << detail::plain_value(adjoint)
     << " and the partial derivative with respect to '" << name_of(operand) << "' is "
     << detail::plain_value(partial) << ".";
  if (!std::isfinite(detail::plain_value(partial)))
    os << " The operation is evaluated where its derivative is infinite or undefined; keep its "
          "input inside the domain, e.g. gg::sqrt(gg::select(x > 0, x, 1.0)) (gg::select sends "
          "no adjoint into the branch it does not take, so that branch cannot make NaN).";
  else os << " The product overflowed; rescale the computation (e.g. work with logarithms).";
  return non_finite_adjoint(os.str());
}

template <class T>
non_finite_adjoint basic_tape<T>::non_finite_value(std::uint32_t s, double value) const {
  std::ostringstream os;
  os << "gradguard: the value of ";
  if (block_of(s) != nullptr) {
    os << "'" << name_of(s) << "'" << created_at(s);
  } else {
    describe_statement(os, s);
  }
  os << " is " << value
     << ", and it reaches the result on a differentiable path: the gradient computed through "
        "it means nothing. The operation is evaluated outside its domain (log or sqrt of a "
        "negative number, 0 / 0, inf - inf) or overflowed; keep its input inside the domain, "
        "e.g. gg::log(gg::select(x > 0, x, 1.0)), or rescale the computation.";
  return non_finite_adjoint(os.str());
}

}  // namespace gradguard
