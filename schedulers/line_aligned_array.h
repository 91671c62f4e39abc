// The array under an indexed heap (schedulers/indexed_heap.h), placed so that
// slot 1, the root's first child, starts a 64-byte cache line. Then every
// group of d children (slots d*i + 1 ..) starts on a line when d entries
// fill whole lines: a 4-ary heap of 32-byte entries reads two lines per
// level instead of three (from an allocator's 16-byte alignment a group of
// 128 bytes at slot 4i + 1 straddled three), a binary heap of 32-byte
// entries one instead of two. Entries are keys and ids (nothing to destroy).
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>

namespace vmmsim::sched {

template <class T>
class LineAlignedArray {
  static_assert(std::is_trivially_destructible_v<T>,
                "entries are keys and ids: nothing to destroy");
  static_assert(std::is_nothrow_copy_constructible_v<T>,
                "a copy cannot fail halfway through a move to new room");
  static constexpr std::size_t kLine = 64;
  // Bytes before slot 0 so that slot 1 starts a line (none if an entry does
  // not divide a line: nothing to align).
  static constexpr std::size_t kFront = kLine % sizeof(T) == 0 ? (kLine - sizeof(T)) % kLine : 0;

 public:
  LineAlignedArray() = default;
  LineAlignedArray(const LineAlignedArray& o) { *this = o; }
  LineAlignedArray(LineAlignedArray&& o) noexcept { swap(o); }
  LineAlignedArray& operator=(const LineAlignedArray& o) {
    if (this == &o) return *this;
    m_size = 0;
    reserve(o.m_size);
    std::uninitialized_copy_n(o.m_data, o.m_size, m_data);
    m_size = o.m_size;
    return *this;
  }
  LineAlignedArray& operator=(LineAlignedArray&& o) noexcept {
    swap(o);
    return *this;
  }
  ~LineAlignedArray() { release(); }

  std::size_t size() const { return m_size; }
  bool empty() const { return m_size == 0; }
  T& operator[](std::size_t i) { return m_data[i]; }
  const T& operator[](std::size_t i) const { return m_data[i]; }
  T& back() { return m_data[m_size - 1]; }
  void clear() { m_size = 0; }
  void pop_back() { --m_size; }
  void push_back(const T& v) {
    if (m_size == m_capacity) {
      const T copy = v;  // v may be one of ours, freed by reserve()
      reserve(std::max<std::size_t>(16, 2 * m_capacity));
      new (m_data + m_size++) T(copy);
      return;
    }
    new (m_data + m_size++) T(v);
  }
  void reserve(std::size_t n) {
    if (n <= m_capacity) return;
    if (n > (static_cast<std::size_t>(-1) - kFront) / sizeof(T)) throw std::bad_array_new_length();
    void* raw = ::operator new (kFront + n * sizeof(T), std::align_val_t{kLine});
    T* data = reinterpret_cast<T*>(static_cast<char*>(raw) + kFront);
    std::uninitialized_copy_n(m_data, m_size, data);
    release();
    m_raw = raw;
    m_data = data;
    m_capacity = n;
  }

 private:
  void release() {
    if (m_raw) ::operator delete (m_raw, std::align_val_t{kLine});
    m_raw = nullptr;
  }
  void swap(LineAlignedArray& o) noexcept {
    std::swap(m_raw, o.m_raw);
    std::swap(m_data, o.m_data);
    std::swap(m_size, o.m_size);
    std::swap(m_capacity, o.m_capacity);
  }

  void* m_raw = nullptr;
  T* m_data = nullptr;
  std::size_t m_size = 0, m_capacity = 0;
};

}  // namespace vmmsim::sched
