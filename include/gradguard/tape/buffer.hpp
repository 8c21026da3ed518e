// IWYU pragma: private, include <gradguard/gradguard.hpp>
// The tape's storage: a growable array of trivially copyable entries. Room is
// reserved for a whole statement before it is written, so a statement is
// either recorded entirely or not at all, and clear() keeps the memory.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>

namespace gradguard::detail {

template <class U>
class buffer {
  static_assert(std::is_trivially_copyable_v<U>);

 public:
  buffer() = default;
  buffer(const buffer&) = delete;
  buffer& operator=(const buffer&) = delete;
  ~buffer() { std::allocator<U>().deallocate(data_, capacity_); }

  // Makes room for n more entries; may throw std::bad_alloc, nothing changes then.
  void reserve_more(std::size_t n) {
    if (size_ + n > capacity_) grow(size_ + n);
  }
  U* end() noexcept { return data_ + size_; }
  void commit(std::size_t n) noexcept { size_ += n; }
  void push_back(const U& v) {
    reserve_more(1);
    data_[size_++] = v;
  }
  void clear() noexcept { size_ = 0; }

  const U* data() const noexcept { return data_; }
  U* data() noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return capacity_; }
  const U& operator[](std::size_t i) const noexcept { return data_[i]; }

 private:
  void grow(std::size_t need) {
    const std::size_t capacity = std::max({need, 2 * capacity_, std::size_t{256}});
    U* data = std::allocator<U>().allocate(capacity);
    if (size_) std::memcpy(static_cast<void*>(data), data_, size_ * sizeof(U));
    std::allocator<U>().deallocate(data_, capacity_);
    data_ = data;
    capacity_ = capacity;
  }

  U* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace gradguard::detail
