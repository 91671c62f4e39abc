// pCPUs each with a key and two values `a` and `b`, in a tournament tree over
// the pCPU numbers that keeps, for every subtree, the maxima of a and b and
// its first pCPU by key (largest key first, ties: the lowest pCPU). "The
// first pCPU in key order that matches, where the maxima say whether a
// subtree can hold a match" is then a descent that skips every subtree whose
// maxima say no or whose best key cannot beat the match found so far. eevdf
// uses it to find the owner with the latest deadline that is not eligible
// (a = the owner's vruntime, time-shifted) without visiting the eligible ones.
//
// A change is one leaf and the log2(pCPUs) nodes above it, recomputed from
// their two children: no rotation, no allocation after construction (a
// treap with split and merge did this before, at several times the
// instructions per change).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

namespace vmmsim::sched {

template <class Key, class Value>
class CpuTree {
 public:
  static constexpr int kNone = -1;

  explicit CpuTree(unsigned cpus = 0) {
    while (m_leaves < cpus) m_leaves *= 2;
    m_nodes.assign(2 * m_leaves, Node{});
  }

  bool empty() const { return m_nodes[1].top == kNone; }
  bool contains(unsigned cpu) const { return leaf(cpu).top != kNone; }
  const Key& key(unsigned cpu) const { return leaf(cpu).key; }
  const Value& a(unsigned cpu) const { return leaf(cpu).max_a; }
  const Value& b(unsigned cpu) const { return leaf(cpu).max_b; }

  // Inserts cpu, or moves it, with its key and values.
  void set(unsigned cpu, const Key& key, const Value& a, const Value& b) {
    Node& n = m_nodes[m_leaves + cpu];
    n.key = key;
    n.max_a = a;
    n.max_b = b;
    n.top = static_cast<int>(cpu);
    pull_above(m_leaves + cpu);
  }

  void erase(unsigned cpu) {
    Node& n = m_nodes[m_leaves + cpu];
    if (n.top == kNone) return;
    n.top = kNone;
    pull_above(m_leaves + cpu);
  }

  // The first pCPU in order (largest key first, ties: the lowest) for which
  // `match(cpu)` holds. `may(max_a, max_b, max_key)` says whether a subtree
  // with these maxima can hold a match; it must not say no where a match is.
  template <class May, class Match>
  int find_first(May may, Match match) const {
    int best = kNone;
    find(1, 0, m_leaves, may, match, &best);
    return best;
  }

 private:
  struct Node {
    Value max_a{}, max_b{};  // over the subtree's members
    Key key{};               // top's key: the largest in the subtree
    int top = kNone;         // the subtree's first pCPU in key order; kNone: empty
  };

  const Node& leaf(unsigned cpu) const { return m_nodes[m_leaves + cpu]; }

  void pull_above(std::size_t i) {
    for (i /= 2; i > 0; i /= 2) {
      Node& n = m_nodes[i];
      const Node& l = m_nodes[2 * i];
      const Node& r = m_nodes[2 * i + 1];
      if (l.top == kNone || r.top == kNone) {
        n = l.top == kNone ? r : l;
        continue;
      }
      n.max_a = std::max(l.max_a, r.max_a);
      n.max_b = std::max(l.max_b, r.max_b);
      const bool right = l.key < r.key;  // ties: the left, lower pCPUs
      n.key = right ? r.key : l.key;
      n.top = right ? r.top : l.top;
    }
  }

  // Node i covers pCPUs [lo, lo + width). The child whose top comes first
  // is searched first; a subtree is skipped when nothing in it can come
  // before *best: its largest key is smaller, or equal with every pCPU in
  // it above *best.
  template <class May, class Match>
  void find(std::size_t i, unsigned lo, unsigned width, May& may, Match& match, int* best) const {
    const Node& n = m_nodes[i];
    if (n.top == kNone || !may(n.max_a, n.max_b, n.key)) return;
    if (*best != kNone) {
      const Key& b = leaf(static_cast<unsigned>(*best)).key;
      if (n.key < b || (!(b < n.key) && lo > static_cast<unsigned>(*best))) return;
    }
    if (width == 1) {
      if (match(lo)) *best = static_cast<int>(lo);  // it comes before *best (above)
      return;
    }
    const unsigned half = width / 2;
    const Node& l = m_nodes[2 * i];
    const Node& r = m_nodes[2 * i + 1];
    if (r.top != kNone && (l.top == kNone || l.key < r.key)) {
      find(2 * i + 1, lo + half, half, may, match, best);
      find(2 * i, lo, half, may, match, best);
    } else {
      find(2 * i, lo, half, may, match, best);
      find(2 * i + 1, lo + half, half, may, match, best);
    }
  }

  unsigned m_leaves = 1;     // a power of two, at least the pCPUs
  std::vector<Node> m_nodes;  // [1] the root, [m_leaves + cpu] the leaves
};

}  // namespace vmmsim::sched
