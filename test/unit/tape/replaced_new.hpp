// Replaces every form of operator new and delete (so that new and delete stay
// paired under the sanitizers) to count heap allocations and, on request, to
// fail one with std::bad_alloc. Include it in one translation unit of a test
// program only: the replacements are definitions.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace replaced_new {
inline std::atomic<long> allocations{0};     // every allocation so far
inline long allocations_until_failure = -1;  // 0: the next one throws; -1: never

inline void count_or_fail() {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (allocations_until_failure == 0) {
    allocations_until_failure = -1;
    throw std::bad_alloc();
  }
  if (allocations_until_failure > 0) --allocations_until_failure;
}
inline void* allocate(std::size_t n) {
  count_or_fail();
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
inline void* allocate_aligned(std::size_t n, std::align_val_t a) {
  count_or_fail();
  const auto al = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
  throw std::bad_alloc();
}
inline void* allocate_nothrow(std::size_t n) noexcept {
  try {
    return allocate(n);
  } catch (...) {
    return nullptr;
  }
}
}  // namespace replaced_new

void* operator new(std::size_t n) { return replaced_new::allocate(n); }
void* operator new[](std::size_t n) { return replaced_new::allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  return replaced_new::allocate_nothrow(n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return replaced_new::allocate_nothrow(n);
}
void* operator new(std::size_t n, std::align_val_t a) {
  return replaced_new::allocate_aligned(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return replaced_new::allocate_aligned(n, a);
}
// g++ 12 at -O1 inlines these into gtest's test factory and reports free()
// of memory from the (replaced) operator new as mismatched: a false positive,
// since every operator new above allocates with malloc or aligned_alloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
