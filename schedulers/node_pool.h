// An allocator for node containers (std::set, std::map) that recycles their
// nodes: a run queue inserts and erases a node per queued vCPU, and with the
// default allocator each was a malloc and a free (283 instructions per
// request of medium/credit). Freed nodes of one type go to a free list and
// are reused by any container of that node type on the same thread; chunks
// of nodes are taken from the heap as the peak grows and kept.
//
//   PooledSet<Key> m_queue;  // a std::set whose nodes are recycled
//
// Stateless (every instance is equal), so containers swap and move as with
// std::allocator. Allocations of more than one object go to operator new.
#pragma once

#include <cstddef>
#include <functional>
#include <new>
#include <set>
#include <type_traits>
#include <vector>

namespace vmmsim::sched {

namespace detail {

// Free nodes of one size, in chunks that are never returned (reachable from
// a static, so a leak checker sees them as in use, not lost).
class NodeFreeList {
 public:
  NodeFreeList(std::size_t bytes, std::size_t align)
      : m_bytes((bytes + align - 1) / align * align), m_align(align) {
    if (m_bytes < sizeof(Free)) m_bytes = sizeof(Free);
  }

  void* take() {
    if (!m_head) grow();
    Free* f = m_head;
    m_head = f->next;
    return f;
  }
  void give(void* p) noexcept { m_head = new (p) Free{m_head}; }

 private:
  struct Free {
    Free* next;
  };
  static constexpr std::size_t kChunkNodes = 256;

  void grow() {
    auto* chunk = static_cast<unsigned char*>(
        ::operator new(m_bytes * kChunkNodes, std::align_val_t(m_align)));
    m_chunks.push_back(chunk);
    for (std::size_t i = kChunkNodes; i-- > 0;) give(chunk + i * m_bytes);
  }

  std::size_t m_bytes;
  std::size_t m_align;
  Free* m_head = nullptr;
  std::vector<unsigned char*> m_chunks;
};

}  // namespace detail

template <class T>
class PoolAllocator {
 public:
  using value_type = T;
  using is_always_equal = std::true_type;

  PoolAllocator() noexcept = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n != 1) return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(alignof(T))));
    return static_cast<T*>(free_list().take());
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n != 1) {
      ::operator delete(p, std::align_val_t(alignof(T)));
      return;
    }
    free_list().give(p);
  }

  friend bool operator==(const PoolAllocator&, const PoolAllocator&) { return true; }
  friend bool operator!=(const PoolAllocator&, const PoolAllocator&) { return false; }

 private:
  static detail::NodeFreeList& free_list() {
    static thread_local detail::NodeFreeList* list =
        new detail::NodeFreeList(sizeof(T), alignof(T));
    return *list;
  }
};

template <class K, class Compare = std::less<K>>
using PooledSet = std::set<K, Compare, PoolAllocator<K>>;

}  // namespace vmmsim::sched
