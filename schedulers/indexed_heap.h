// An indexed d-ary heap of small ids (pCPUs, vCPUs) ordered by a key: the
// first in O(1), insert, move and erase in O(log n), a walk in order that
// pays for what it visits. Positions are kept by id, so an id is moved or
// erased without a search; the keys sit in the heap array beside their ids
// (one cache line holds several); no allocation once grown (ids) and warmed
// (the walk's frontier).
//
// `Before(a, b)` is a strict weak order on keys: a comes first. With
// `kTieById`, equal keys are ordered by id; without, no two members may have
// equal keys (the key carries its own tie-breaker, a sequence number or the
// id). Either way the order is total, so it does not depend on the heap's
// shape or history.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "schedulers/line_aligned_array.h"

namespace vmmsim::sched {

// `Positions`: where the heap keeps each id's slot; its own vector, or
// SharedPositions (below) for heaps that share one array.
template <class Key, class Before, unsigned Arity = 2, bool kTieById = true,
          class Positions = std::vector<int>>
class IndexedHeap {
  static_assert(Arity >= 2, "a heap has at least two children per node");

 public:
  static constexpr int kNone = -1;

  explicit IndexedHeap(unsigned ids = 0, Before before = Before{}) : m_before(before) {
    resize(ids);
  }

  // Room for ids 0..ids-1, and empty.
  void resize(unsigned ids) {
    m_pos.assign(ids, kNone);
    m_heap.clear();
    m_heap.reserve(ids);
    m_scratch.reserve(ids);
  }
  Positions& positions() { return m_pos; }
  // Room for ids 0..ids-1, keeping the members.
  void grow(unsigned ids) {
    if (ids <= m_pos.size()) return;
    m_pos.resize(ids, kNone);
    m_heap.reserve(ids);
    m_scratch.reserve(ids);
  }

  bool empty() const { return m_heap.empty(); }
  std::size_t size() const { return m_heap.size(); }
  bool contains(unsigned id) const { return m_pos[id] != kNone; }
  // id's key; id must be a member.
  const Key& key(unsigned id) const { return m_heap[static_cast<std::size_t>(m_pos[id])].key; }
  // The first id in the order, or kNone.
  int top() const { return m_heap.empty() ? kNone : static_cast<int>(m_heap[0].id); }
  // The first id's key; the heap must not be empty.
  const Key& top_key() const { return m_heap[0].key; }

  // Inserts id with `key`, or moves it to its new place.
  void set(unsigned id, const Key& key) {
    if (m_pos[id] == kNone) {
      m_heap.push_back(Entry{key, id});
      up(m_heap.size() - 1);
      return;
    }
    const auto i = static_cast<std::size_t>(m_pos[id]);
    m_heap[i].key = key;
    if (i > 0 && first(m_heap[i], m_heap[(i - 1) / Arity]))
      up(i);
    else
      down(i);
  }

  void erase(unsigned id) {
    if (m_pos[id] == kNone) return;
    const auto i = static_cast<std::size_t>(m_pos[id]);
    m_pos[id] = kNone;
    Entry last = m_heap.back();
    m_heap.pop_back();
    if (i == m_heap.size()) return;
    m_heap[i] = last;
    if (i > 0 && first(m_heap[i], m_heap[(i - 1) / Arity]))
      up(i);
    else
      down(i);
  }

  // Takes the first id out and returns it (the heap must not be empty).
  unsigned pop() {
    const unsigned id = m_heap[0].id;
    m_pos[id] = kNone;
    Entry last = m_heap.back();
    m_heap.pop_back();
    if (!m_heap.empty()) {
      m_heap[0] = last;
      down(0);
    }
    return id;
  }

  // Visits the ids in order until `visit(id)` returns true; returns that id,
  // or kNone. A best-first walk of the heap, so a caller that stops early
  // pays for what it looked at: the frontier (the children of what was
  // visited) is searched by a scan while it is short, which is how most
  // walks end (after one to four ids), and kept as a heap of its own beyond
  // that, O(k log k) for k ids visited.
  template <class Visit>
  int find_in_order(Visit visit) const {
    if (m_heap.empty()) return kNone;
    if (visit(m_heap[0].id)) return static_cast<int>(m_heap[0].id);  // the usual answer
    const std::size_t n = m_heap.size();
    if (n == 1) return kNone;
    // The second is the first of the root's children (the next most usual
    // answer: found with the fewest comparisons).
    std::size_t second = 1;
    for (std::size_t c = 2; c <= Arity && c < n; ++c)
      if (first(m_heap[c], m_heap[second])) second = c;
    if (visit(m_heap[second].id)) return static_cast<int>(m_heap[second].id);
    std::size_t near[kNear];
    std::size_t count = 0;
    for (std::size_t c = 1; c <= Arity && c < n; ++c)
      if (c != second) near[count++] = c;
    for (std::size_t c = Arity * second + 1; c <= Arity * second + Arity && c < n; ++c)
      near[count++] = c;
    while (count > 0) {
      std::size_t best = 0;
      for (std::size_t k = 1; k < count; ++k)
        if (first(m_heap[near[k]], m_heap[near[best]])) best = k;
      const std::size_t i = near[best];
      near[best] = near[--count];
      if (visit(m_heap[i].id)) return static_cast<int>(m_heap[i].id);
      if (count + Arity > kNear) return walk_on(visit, near, count, i);
      for (std::size_t c = Arity * i + 1; c <= Arity * i + Arity && c < n; ++c) near[count++] = c;
    }
    return kNone;
  }

 private:
  struct Entry {
    Key key;
    unsigned id;
  };
  static constexpr std::size_t kNear = 16;  // the frontier a walk scans
  static_assert(2 * Arity - 1 <= kNear, "the root's other children and the second's fit");

  // find_in_order's walk past kNear: the frontier `near` and the children
  // of `visited` in a heap of their own.
  template <class Visit>
  int walk_on(Visit& visit, const std::size_t* near, std::size_t count, std::size_t visited) const {
    const std::size_t n = m_heap.size();
    auto later = [this](std::size_t a, std::size_t b) { return first(m_heap[b], m_heap[a]); };
    m_scratch.assign(near, near + count);
    for (std::size_t c = Arity * visited + 1; c <= Arity * visited + Arity && c < n; ++c)
      m_scratch.push_back(c);
    std::make_heap(m_scratch.begin(), m_scratch.end(), later);
    while (!m_scratch.empty()) {
      std::pop_heap(m_scratch.begin(), m_scratch.end(), later);
      const std::size_t i = m_scratch.back();
      m_scratch.pop_back();
      if (visit(m_heap[i].id)) return static_cast<int>(m_heap[i].id);
      for (std::size_t c = Arity * i + 1; c <= Arity * i + Arity && c < n; ++c) {
        m_scratch.push_back(c);
        std::push_heap(m_scratch.begin(), m_scratch.end(), later);
      }
    }
    return kNone;
  }

  bool first(const Entry& a, const Entry& b) const {
    if constexpr (kTieById) {
      if (m_before(a.key, b.key)) return true;
      if (m_before(b.key, a.key)) return false;
      return a.id < b.id;
    } else {
      return m_before(a.key, b.key);
    }
  }
  // Of heap slots x < y, the one that comes first (x on a tie), selected by
  // a mask: a branch here mispredicts about every other time (with a key
  // that compares without a branch itself, an integer).
  std::size_t earlier(std::size_t x, std::size_t y) const {
    const auto y_first = static_cast<std::size_t>(first(m_heap[y], m_heap[x]));
    return x ^ ((x ^ y) & (0 - y_first));
  }

  void up(std::size_t i) {
    Entry e = m_heap[i];
    while (i > 0) {
      std::size_t parent = (i - 1) / Arity;
      if (!first(e, m_heap[parent])) break;
      m_heap[i] = m_heap[parent];
      m_pos[m_heap[i].id] = static_cast<int>(i);
      i = parent;
    }
    m_heap[i] = e;
    m_pos[e.id] = static_cast<int>(i);
  }

  // The first of the children of a node that has some (`children` = the first's slot).
  std::size_t first_child(std::size_t children, std::size_t n) const {
    std::size_t best = children;
    if (children + Arity <= n) {  // all Arity children: a fixed count, unrolled
      if constexpr (Arity == 4)   // a tournament: two independent matches, then the final
        return earlier(earlier(children, children + 1), earlier(children + 2, children + 3));
      for (unsigned k = 1; k < Arity; ++k)
        if (first(m_heap[children + k], m_heap[best])) best = children + k;
    } else {
      for (std::size_t c = children + 1; c < n; ++c)
        if (first(m_heap[c], m_heap[best])) best = c;
    }
    return best;
  }

  void down(std::size_t i) {
    Entry e = m_heap[i];
    const std::size_t n = m_heap.size();
    for (;;) {
      const std::size_t children = Arity * i + 1;
      if (children >= n) break;
      const std::size_t best = first_child(children, n);
      if (!first(m_heap[best], e)) break;
      m_heap[i] = m_heap[best];
      m_pos[m_heap[i].id] = static_cast<int>(i);
      i = best;
    }
    m_heap[i] = e;
    m_pos[e.id] = static_cast<int>(i);
  }

  Before m_before;
  Positions m_pos;            // by id: index in m_heap, or kNone
  LineAlignedArray<Entry> m_heap;  // heap-ordered; children groups on cache lines
  mutable std::vector<std::size_t> m_scratch;
};

// A key of an integer and its tie-breaker that the heap compares without a
// branch (the 4-ary tournament needs one): the value's signed order as
// unsigned (its sign bit flipped) above the tie-breaker, in one unsigned
// 128-bit integer. For the largest value first, key by ~value (= -value - 1,
// never overflows).
using IntegerKey = unsigned __int128;
constexpr IntegerKey integer_key(std::int64_t value, std::uint64_t tie) {
  return IntegerKey{static_cast<std::uint64_t>(value) ^ (std::uint64_t{1} << 63)} << 64 | tie;
}
constexpr std::int64_t value_of(IntegerKey key) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(key >> 64) ^ (std::uint64_t{1} << 63));
}

// Heaps that share one array of positions, each id a member of one of them
// at most at any time, and each operation on an id made on the heap that
// holds it (credit2's runqueues: one array of vCPUs, not one per runqueue,
// so that a vCPU's slot is where its neighbours' are). The owner sizes the
// array and attaches every heap to it again after each resize.
class SharedPositions {
 public:
  void attach(std::vector<int>& positions) {
    m_data = positions.data();
    m_size = positions.size();
  }
  int& operator[](std::size_t id) { return m_data[id]; }
  int operator[](std::size_t id) const { return m_data[id]; }
  std::size_t size() const { return m_size; }
  // The owner's: a heap's resize and grow leave the array alone.
  void assign(std::size_t, int) {}
  void resize(std::size_t, int) {}

 private:
  int* m_data = nullptr;
  std::size_t m_size = 0;
};

// A run queue of vCPUs (by id) ordered by a policy's key, which must order
// them totally (carry a sequence number or the vCPU id); 4-ary, so that the
// push and the pop of every request climb half as many levels.
template <class Key, class Before = std::less<Key>>
using VcpuHeap = IndexedHeap<Key, Before, 4, false>;

}  // namespace vmmsim::sched
