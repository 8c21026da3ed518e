// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The registry of live tapes, by id: how a gg::real finds its tape, and how a
// real of a cleared or destroyed tape is recognised.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <gradguard/detail/config.hpp>
#include <gradguard/tape/errors.hpp>
#include <gradguard/tape/real.hpp>

namespace gradguard::detail {

// The lock of the rare registry updates: one std::atomic_flag, which is
// constant-initialised and trivially destructible (usable at exit, after
// everything else), and costs no <mutex> in every parse (0.14 s). A waiting
// thread sleeps in wait() until the holder's notify.
class registry_lock {
 public:
  explicit registry_lock(std::atomic_flag& flag) noexcept : flag_(flag) {
    while (flag_.test_and_set(std::memory_order_acquire))
      flag_.wait(true, std::memory_order_relaxed);
  }
  ~registry_lock() {
    flag_.clear(std::memory_order_release);
    flag_.notify_one();
  }
  registry_lock(const registry_lock&) = delete;
  registry_lock& operator=(const registry_lock&) = delete;

 private:
  std::atomic_flag& flag_;
};

// A number for the calling thread, 1, 2, ... in the order threads first ask:
// what GRADGUARD_CHECK_THREAD compares, and what its message names (without
// <thread>, 0.11 s of every parse). Numbers are not reused.
inline std::uint64_t this_thread_number() noexcept {
  static constinit std::atomic<std::uint64_t> last{0};
  thread_local std::uint64_t number = 0;
  if (number == 0) number = last.fetch_add(1, std::memory_order_relaxed) + 1;
  return number;
}

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
// Slots are taken and given back under a lock, when tapes are made and
// destroyed (and when a generation runs out). A lookup is first a compare
// with the tape the calling thread found last (`last`, thread-local): the
// active tape, which is the one every statement of a recording asks for. The
// entry holds while `epoch` has not moved, and every clear() and every
// destruction of any tape moves it, on any thread: a real of a cleared
// recording (its id now stale) or of a destroyed tape (whose address may hold
// another tape by now) cannot hit an entry made before, and is looked up in
// the table, which tells. Otherwise a lookup is a table load and the tape's id.
//
// Every member is trivially destructible (and constant-initialised), the
// lock too: a gg::tape at namespace scope, or a thread's tape, may be
// destroyed after everything else at exit.
template <class T>
struct tape_registry {
  static constexpr std::uint32_t slots = 1u << 16;
  static constexpr tape_id_t last_generation = (tape_id_t{1} << 48) - 1;
  static inline std::atomic<basic_tape<T>*> table[slots];
  static inline tape_id_t generation[slots];  // the last one issued
  static inline std::uint32_t free_slots[slots];
  static inline std::uint32_t free_count = 0;
  static inline std::uint32_t next = 1;
  static inline std::atomic_flag busy;  // clear: nobody holds the lock
  // The calling thread's active tape, and the epoch it was found in.
  struct found {
    tape_id_t id = 0;
    basic_tape<T>* tape = nullptr;
    std::uint64_t epoch = 0;
  };
  static inline constinit thread_local found last{};
  static inline constinit std::atomic<std::uint64_t> epoch{1};  // > any found::epoch at first

  static tape_id_t make_id(std::uint32_t slot, tape_id_t generation) noexcept {
    return tape_id_t{slot} | generation << 16;
  }
  static std::uint32_t slot_of(tape_id_t id) noexcept {
    return static_cast<std::uint32_t>(id & 0xffffu);
  }
  static tape_id_t generation_of(tape_id_t id) noexcept { return id >> 16; }

  static tape_id_t acquire(basic_tape<T>* tape) {
    const registry_lock lock(busy);
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
    epoch.fetch_add(1, std::memory_order_acq_rel);
    const registry_lock lock(busy);
    generation[slot] = generation_of(id);
    if (generation_of(id) < last_generation) free_slots[free_count++] = slot;
  }
  // The id of the tape's next recording (tape.clear()): the next generation
  // of its slot, or, when that is used up, a fresh slot.
  static tape_id_t next_recording(basic_tape<T>* tape, tape_id_t id) {
    epoch.fetch_add(1, std::memory_order_acq_rel);
    if (generation_of(id) < last_generation) return make_id(slot_of(id), generation_of(id) + 1);
    const tape_id_t fresh = acquire(tape);
    release(id);
    return fresh;
  }
  GRADGUARD_ALWAYS_INLINE static basic_tape<T>* find(tape_id_t id) noexcept {
    const found& f = last;
    if (f.id == id && f.epoch == epoch.load(std::memory_order_relaxed)) [[likely]]
      return f.tape;
    return find_in_table(id);
  }
  // The table's tape of `id`, remembered as the active one. The epoch is read
  // first: a clear() between the two reads leaves an entry that cannot hit.
  GRADGUARD_NOINLINE static basic_tape<T>* find_in_table(tape_id_t id) noexcept {
    const std::uint64_t now = epoch.load(std::memory_order_acquire);
    basic_tape<T>* t = table[slot_of(id)].load(std::memory_order_acquire);
    if (t == nullptr || t->id() != id) return nullptr;
    last = {id, t, now};
    return t;
  }
};

// For tests: the tape's recording takes the given generation of its slot
// (e.g. the last one, to clear() past it).
struct tape_test_access {
  template <class T>
  static void set_generation(basic_tape<T>& tape, tape_id_t generation) {
    tape.id_ = tape_registry<T>::make_id(tape_registry<T>::slot_of(tape.id_), generation);
    tape_registry<T>::epoch.fetch_add(1, std::memory_order_acq_rel);
  }
};

// A real of a cleared or destroyed tape was used.
[[noreturn]] inline void throw_stale(std::uint32_t index) {
  throw tape_mismatch("gradguard: a gg::real (value #" + std::to_string(index) +
                      ") is used after its tape was cleared or destroyed; reals recorded before "
                      "tape.clear() are invalid, record them again");
}

}  // namespace gradguard::detail
