// pCPUs ordered by a key the policy compares when it looks for a victim
// (bvt: its owner's evt, rtds: its owner's level and deadline, ...): an
// indexed binary heap, so that a wake finds the victim in O(log pCPUs)
// instead of scanning every pCPU. Equal keys are ordered by pCPU number, the
// order of the scans it replaces ("the first pCPU with the largest evt").
//
// `Before(a, b)` is a strict weak order on keys: a comes first. No
// allocation after construction.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace vmmsim::sched {

template <class Key, class Before>
class CpuHeap {
 public:
  static constexpr int kNone = -1;

  explicit CpuHeap(unsigned cpus = 0, Before before = Before{}) : m_before(before) {
    resize(cpus);
  }

  void resize(unsigned cpus) {
    m_keys.assign(cpus, Key{});
    m_pos.assign(cpus, kNone);
    m_heap.clear();
    m_heap.reserve(cpus);
    m_scratch.reserve(cpus);
  }

  bool empty() const { return m_heap.empty(); }
  std::size_t size() const { return m_heap.size(); }
  bool contains(unsigned cpu) const { return m_pos[cpu] != kNone; }
  const Key& key(unsigned cpu) const { return m_keys[cpu]; }
  // The first pCPU in the order, or kNone.
  int top() const { return m_heap.empty() ? kNone : static_cast<int>(m_heap[0]); }

  // Inserts cpu with `key`, or moves it to its new place.
  void set(unsigned cpu, const Key& key) {
    m_keys[cpu] = key;
    if (m_pos[cpu] == kNone) {
      m_pos[cpu] = static_cast<int>(m_heap.size());
      m_heap.push_back(cpu);
      up(static_cast<std::size_t>(m_pos[cpu]));
    } else {
      std::size_t i = static_cast<std::size_t>(m_pos[cpu]);
      up(i);
      down(static_cast<std::size_t>(m_pos[cpu]));
    }
  }

  void erase(unsigned cpu) {
    if (m_pos[cpu] == kNone) return;
    std::size_t i = static_cast<std::size_t>(m_pos[cpu]);
    m_pos[cpu] = kNone;
    unsigned last = m_heap.back();
    m_heap.pop_back();
    if (i == m_heap.size()) return;
    m_heap[i] = last;
    m_pos[last] = static_cast<int>(i);
    up(i);
    down(static_cast<std::size_t>(m_pos[last]));
  }

  // Visits the pCPUs in order until `visit(cpu)` returns true; returns that
  // pCPU, or kNone. Costs O(k log k) for k pCPUs visited (a best-first walk
  // of the heap), so a policy that stops early pays for what it looked at.
  template <class Visit>
  int find_in_order(Visit visit) const {
    if (m_heap.empty()) return kNone;
    m_scratch.clear();
    auto later = [this](std::size_t a, std::size_t b) { return first(m_heap[b], m_heap[a]); };
    m_scratch.push_back(0);
    while (!m_scratch.empty()) {
      std::pop_heap(m_scratch.begin(), m_scratch.end(), later);
      std::size_t i = m_scratch.back();
      m_scratch.pop_back();
      if (visit(m_heap[i])) return static_cast<int>(m_heap[i]);
      for (std::size_t child = 2 * i + 1; child <= 2 * i + 2 && child < m_heap.size(); ++child) {
        m_scratch.push_back(child);
        std::push_heap(m_scratch.begin(), m_scratch.end(), later);
      }
    }
    return kNone;
  }

  // Every member, in heap (not key) order.
  const std::vector<unsigned>& members() const { return m_heap; }

 private:
  bool first(unsigned a, unsigned b) const {
    if (m_before(m_keys[a], m_keys[b])) return true;
    if (m_before(m_keys[b], m_keys[a])) return false;
    return a < b;
  }

  void place(std::size_t i, unsigned cpu) {
    m_heap[i] = cpu;
    m_pos[cpu] = static_cast<int>(i);
  }

  void up(std::size_t i) {
    unsigned cpu = m_heap[i];
    while (i > 0) {
      std::size_t parent = (i - 1) / 2;
      if (!first(cpu, m_heap[parent])) break;
      place(i, m_heap[parent]);
      i = parent;
    }
    place(i, cpu);
  }

  void down(std::size_t i) {
    unsigned cpu = m_heap[i];
    const std::size_t n = m_heap.size();
    for (;;) {
      std::size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && first(m_heap[child + 1], m_heap[child])) ++child;
      if (!first(m_heap[child], cpu)) break;
      place(i, m_heap[child]);
      i = child;
    }
    place(i, cpu);
  }

  Before m_before;
  std::vector<Key> m_keys;       // by pCPU; valid while contained
  std::vector<int> m_pos;        // by pCPU: index in m_heap, or kNone
  std::vector<unsigned> m_heap;  // pCPUs, heap-ordered
  mutable std::vector<std::size_t> m_scratch;
};

}  // namespace vmmsim::sched
