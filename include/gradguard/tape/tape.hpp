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
#include <source_location>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <gradguard/detail/config.hpp>  // GRADGUARD_CHECK_FINITE, GRADGUARD_CHECK_THREAD
#include <gradguard/detail/range.hpp>
#include <gradguard/expr/diagnostics.hpp>  // allow_unconnected
#include <gradguard/expr/node.hpp>
#include <gradguard/tape/block.hpp>
#include <gradguard/tape/buffer.hpp>
#include <gradguard/tape/describe.hpp>
#include <gradguard/tape/errors.hpp>
#include <gradguard/tape/real.hpp>
#include <gradguard/tape/record.hpp>
#include <gradguard/tape/records.hpp>
#include <gradguard/tape/registry.hpp>

namespace gradguard {

template <class T>
class tape_recording;  // tape/scope.hpp

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
concept range_of_reals = input_range<R> && std::convertible_to < range_reference_t<R>,
const basic_real<T>& > ;

template <class T, class E>
basic_tape<T>* tape_of(const E& e);

}  // namespace detail

// A recording of statements, swept in reverse for gradients: tape.variable makes the inputs,
// gg::real arithmetic records, tape.gradient and tape.jacobian sweep. One tape per thread; clear()
// starts a new recording and keeps the memory.
template <class T = double>
class basic_tape {
 public:
  // gg::check_finite is off unless GRADGUARD_CHECK_FINITE is 1 (define it
  // alike in every translation unit, e.g. on the command line).
  basic_tape() : basic_tape(GRADGUARD_CHECK_FINITE != 0) {}
  explicit basic_tape(check_finite_t, bool on = true) : basic_tape(on) {}
  basic_tape(const basic_tape&) = delete;  // reals name their tape
  basic_tape& operator=(const basic_tape&) = delete;
  ~basic_tape() {
    if (recording_open_) detail::recording_outlived(recording_where_);
    detail::tape_registry<T>::release(id_);
  }

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
  template <detail::input_range R>
  std::vector<basic_real<T>> variables(
      std::string_view name, const R& values, trainable is_trainable = trainable::yes,
      const std::source_location& where = std::source_location::current()) {
    if constexpr (detail::is_integer_valued_v<detail::range_value_t<R>>) {
      detail::integer_tape_variable<R>();  // here too: the error's notes stay few
      return std::vector<basic_real<T>>();
    } else {
      std::vector<basic_real<T>> out(std::size(values));
      variables(name, values, std::span<basic_real<T>>(out), is_trainable, where);
      return out;
    }
  }
  template <detail::input_range R>
  void variables(std::string_view name, const R& values, std::span<basic_real<T>> out,
                 trainable is_trainable = trainable::yes,
                 const std::source_location& where = std::source_location::current()) {
    check_thread("tape.variables");
    if constexpr (detail::is_integer_valued_v<detail::range_value_t<R>>)
      detail::integer_tape_variable<R>();
    if (std::size(values) != out.size())
      throw std::invalid_argument("gradguard: tape.variables(name, values, out): out has " +
                                  std::to_string(out.size()) + " elements for " +
                                  std::to_string(std::size(values)) + " values");
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
    variable_ranges_.clear();
    names_.clear();
    operations_.clear();
    arena_.clear();
    index_arena_.clear();
    callables_.clear();
    non_finite_values_.clear();
    frozen_ranges_ = 0;
    watched_size_ = 0;
    grown_gradients_ = 0;
    room_ = free_room();  // the memory stays: a recording after clear() starts without make_room
    variable_prefix_ = 0;
    // A new id: reals of the old recording are now recognised as stale.
    id_ = detail::tape_registry<T>::next_recording(this, id_);
  }

  // A scope of recording: `auto step = tape.record();` clears the tape when
  // step goes out of scope, however it is left (tape/scope.hpp). One at a
  // time: a second while one is open throws std::logic_error.
  [[nodiscard(
      "tape.record() returns the scope that clears the tape when it ends: name it, as in "
      "auto step = tape.record();, or the scope ends at once")]] tape_recording<T>
  record(const std::source_location& where = std::source_location::current());

  std::size_t size() const noexcept { return statements_.size(); }
  bool checks_finite() const noexcept { return check_finite_; }
  tape_statistics statistics() const noexcept {
    return {statements_.size(), units_.size(), general_.size(),
            statements_.size() * sizeof(detail::statement_shape) +
                units_.size() * sizeof(std::uint32_t) +
                general_.size() * (sizeof(std::uint32_t) + sizeof(T)) +
                variable_ranges_.size() * sizeof(detail::variable_range) + names_.size() +
                cuts_.size() * sizeof(detail::cut_record) +
                operations_.size() * sizeof(detail::block_operation<T>) +
                info_.size() * sizeof(detail::statement_info) + leaf_values_.size() * sizeof(T)};
  }

  // Records e as one statement (used by gg::real; e's tape leaves are on this tape).
  template <class E>
  basic_real<T> record_statement(const E& e, const std::source_location& where);

  // A value cut off from its operand by a non-differentiable operation
  // (gg::stop_gradient(r), gg::floor(r), ... on a gg::real).
  basic_real<T> record_cut(const T& value, const basic_real<T>& operand, missing_reason why,
                           std::string_view operation, const std::source_location& where);

  tape_mismatch mismatch(std::uint32_t index, detail::tape_id_t tape_id) const {
    return mismatch(basic_real<T>(T(0), index, tape_id));
  }
  tape_mismatch mismatch(const basic_real<T>& foreign) const;

 private:
  template <class U>
  friend struct detail::block_recorder;
  friend struct detail::tape_test_access;

  // With GRADGUARD_CHECK_THREAD: a tape is used on the thread that made it.
  void check_thread([[maybe_unused]] std::string_view what) const {
#if GRADGUARD_CHECK_THREAD
    if (detail::this_thread_number() != owner_) throw wrong_thread(what);
#endif
  }
  tape_mismatch wrong_thread(std::string_view what) const;

  explicit basic_tape(bool check)
      : id_(detail::tape_registry<T>::acquire(this)), check_finite_(check) {}

  template <class U>
  friend class tape_gradient;
  friend class tape_recording<T>;

  // Counts the gradients that find the tape grown since the one before
  // (since the last clear()); the 8th says so once through the tape
  // warning handler (tape/scope.hpp): a loop that forgets clear().
  void watch_growth();
  void warn_growth();

  std::uint32_t begin_variables(std::string_view name, std::size_t count, bool array,
                                trainable is_trainable, const std::source_location& where);

  // Grows every array so that a statement of up to `need` operands fits,
  // then sets room_ to what is left in the fullest one: recording then tests
  // room_ once per statement instead of each array.
  void make_room(std::size_t need);
  // What is left in the fullest array: room_ after make_room and clear().
  std::size_t free_room() const noexcept;

  // The variable block holding index i, or nullptr.
  const detail::variable_range* range_of(std::uint32_t i) const {
    auto it = std::upper_bound(
        variable_ranges_.begin(), variable_ranges_.end(), i,
        [](std::uint32_t v, const detail::variable_range& b) { return v < b.first; });
    if (it == variable_ranges_.begin()) return nullptr;
    --it;
    return i < it->first + it->count ? &*it : nullptr;
  }

  // The name of value i in messages, and " (created at f.cpp:3)".
  std::string name_of(std::uint32_t i) const;
  std::string created_at(std::uint32_t i) const;
  std::string describe_foreign(const basic_real<T>& r) const;

  // The sweep (tape/sweep.hpp). Where the sweep for output top starts: the
  // outputs of a block are swept together, from its last one.
  std::uint32_t sweep_top(std::uint32_t top) const;
  // Zeroes the adjoints up to sweep_top(top), seeds top, and returns sweep_top(top).
  std::uint32_t seed(std::uint32_t top);
  // Positions in the operand arrays: just past the operands of statement s.
  struct sweep_cursor {
    const std::uint32_t* unit;
    const std::uint32_t* general;
    const T* partial;
  };
  sweep_cursor cursor_after(std::uint32_t top) const;
  // Sweeps statements top .. stop + 1, blocks included.
  void sweep(std::uint32_t top, std::uint32_t stop);
  template <bool Checked>
  void sweep_blocks(std::uint32_t top, std::uint32_t stop);
  template <bool Checked>
  void sweep_statements(std::uint32_t top, std::uint32_t stop, sweep_cursor& c);

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

  // Records a block of n outputs, its operation made in place by
  // fill(op) (name, where, operands, payload; it must not throw); returns
  // the index of the first output.
  template <class Fill>
  std::uint32_t record_block(std::size_t n, Fill&& fill);
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

  // Blocks (matrix operations of eigen/, custom gradients), in the order recorded, and the
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
  std::vector<detail::variable_range> variable_ranges_;
  std::string names_;
  std::vector<T> adjoints_;
  std::size_t frozen_ranges_ = 0;
  std::size_t room_ = 0;  // operands (and statements) that fit without growing
  // The values below variable_prefix_ are the variables made before anything
  // else was recorded (a statement, a cut, a block): the sweep stops there
  // (inputs are usually made first). Kept by tape.variable alone: a statement
  // used to keep a running minimum, a load, a compare and a store on every
  // statement recorded.
  std::uint32_t variable_prefix_ = 0;
  detail::tape_id_t id_;
  // The growth watch (watch_growth) and the open tape.record() scope.
  std::size_t watched_size_ = 0;
  std::uint32_t grown_gradients_ = 0;
  bool warned_growth_ = false;
  bool recording_open_ = false;
  std::source_location recording_where_;
  // The thread that made the tape (checked with GRADGUARD_CHECK_THREAD).
  std::uint64_t owner_ = detail::this_thread_number();
  bool check_finite_;
};

// The tape of doubles.
using tape = basic_tape<double>;

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
  // fill(block_operation<T>&) sets the operation where the tape keeps it:
  // one built on the stack and copied in was read back while its fields
  // were still being stored, the copy stalling on every 16 bytes (an
  // elementwise block of 4 was ~20 ns slower to record).
  template <class Fill>
  static std::uint32_t record(basic_tape<T>& t, std::size_t n, Fill&& fill) {
    return t.record_block(n, fill);
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

}  // namespace gradguard

// The out-of-line parts of basic_tape (each includes this header first).
#include <gradguard/tape/diagnose.hpp>   // IWYU pragma: export
#include <gradguard/tape/gradient.hpp>   // IWYU pragma: export
#include <gradguard/tape/scope.hpp>      // IWYU pragma: export
#include <gradguard/tape/statement.hpp>  // IWYU pragma: export
#include <gradguard/tape/sweep.hpp>      // IWYU pragma: export
