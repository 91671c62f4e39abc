// pCPUs in a search tree ordered by a key, largest first (ties: the lowest
// pCPU), each carrying two values `a` and `b` whose maxima over every subtree
// are kept: "the first pCPU in key order whose a or b passes a threshold" is
// then found by a descent that skips every subtree whose maxima say no
// (O(log pCPUs) when the test is on the maxima alone). eevdf uses it to find
// the owner with the latest deadline that is not eligible (a = the owner's
// vruntime, time-shifted) without visiting the eligible ones.
//
// A treap: node priorities are a fixed hash of the pCPU number, so the shape
// is deterministic. Nodes live in one array indexed by pCPU, no allocation
// after construction.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace vmmsim::sched {

template <class Key, class Value>
class CpuTree {
 public:
  static constexpr int kNone = -1;

  explicit CpuTree(unsigned cpus = 0) : m_nodes(cpus) {
    for (unsigned c = 0; c < cpus; ++c) {
      std::uint64_t z = (c + 1) * 0x9e3779b97f4a7c15ull;  // splitmix64
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      m_nodes[c].priority = z ^ (z >> 31);
    }
  }

  bool empty() const { return m_root == kNone; }
  bool contains(unsigned cpu) const { return m_nodes[cpu].in; }
  const Key& key(unsigned cpu) const { return m_nodes[cpu].key; }
  const Value& a(unsigned cpu) const { return m_nodes[cpu].a; }
  const Value& b(unsigned cpu) const { return m_nodes[cpu].b; }

  // Inserts cpu, or moves it, with its key and values.
  void set(unsigned cpu, const Key& key, const Value& a, const Value& b) {
    erase(cpu);
    Node& n = m_nodes[cpu];
    n.key = key;
    n.a = a;
    n.b = b;
    n.left = n.right = kNone;
    n.in = true;
    pull(static_cast<int>(cpu));
    int left = kNone, right = kNone;
    split(m_root, static_cast<int>(cpu), &left, &right);
    m_root = merge(merge(left, static_cast<int>(cpu)), right);
  }

  void erase(unsigned cpu) {
    if (!m_nodes[cpu].in) return;
    int left = kNone, rest = kNone, self = kNone, right = kNone;
    split(m_root, static_cast<int>(cpu), &left, &rest);  // left: before cpu
    split_after_first(rest, &self, &right);              // self: cpu itself
    m_root = merge(left, right);
    m_nodes[cpu].in = false;
  }

  // The first pCPU in order (largest key first) for which `match(cpu)` holds.
  // `may(max_a, max_b, max_key)` says whether a subtree with these maxima
  // can hold a match; it must not say no where a match is.
  template <class May, class Match>
  int find_first(May may, Match match) const {
    return find(m_root, may, match);
  }

 private:
  struct Node {
    Key key{};
    Value a{}, b{};
    Value max_a{}, max_b{};
    Key max_key{};
    std::uint64_t priority = 0;
    int left = kNone, right = kNone;
    bool in = false;
  };

  // Order: larger key first, then lower pCPU.
  bool before(int x, int y) const {
    const Node& p = m_nodes[x];
    const Node& q = m_nodes[y];
    if (q.key < p.key) return true;
    if (p.key < q.key) return false;
    return x < y;
  }

  void pull(int t) {
    Node& n = m_nodes[t];
    n.max_a = n.a;
    n.max_b = n.b;
    n.max_key = n.key;
    for (int child : {n.left, n.right}) {
      if (child == kNone) continue;
      const Node& c = m_nodes[child];
      n.max_a = std::max(n.max_a, c.max_a);
      n.max_b = std::max(n.max_b, c.max_b);
      n.max_key = std::max(n.max_key, c.max_key);
    }
  }

  // left: nodes before `pivot`; right: pivot and the nodes after it.
  void split(int t, int pivot, int* left, int* right) {
    if (t == kNone) {
      *left = *right = kNone;
      return;
    }
    if (before(t, pivot)) {
      split(m_nodes[t].right, pivot, &m_nodes[t].right, right);
      *left = t;
    } else {
      split(m_nodes[t].left, pivot, left, &m_nodes[t].left);
      *right = t;
    }
    pull(t);
  }

  // first: the first node of t alone; rest: the others.
  void split_after_first(int t, int* first, int* rest) {
    if (t == kNone) {
      *first = *rest = kNone;
      return;
    }
    if (m_nodes[t].left == kNone) {
      *first = t;
      *rest = m_nodes[t].right;
      m_nodes[t].right = kNone;
      pull(t);
      return;
    }
    split_after_first(m_nodes[t].left, first, &m_nodes[t].left);
    *rest = t;
    pull(t);
  }

  int merge(int l, int r) {
    if (l == kNone) return r;
    if (r == kNone) return l;
    if (m_nodes[l].priority > m_nodes[r].priority) {
      m_nodes[l].right = merge(m_nodes[l].right, r);
      pull(l);
      return l;
    }
    m_nodes[r].left = merge(l, m_nodes[r].left);
    pull(r);
    return r;
  }

  template <class May, class Match>
  int find(int t, May& may, Match& match) const {
    if (t == kNone) return kNone;
    const Node& n = m_nodes[t];
    if (!may(n.max_a, n.max_b, n.max_key)) return kNone;
    int found = find(n.left, may, match);
    if (found != kNone) return found;
    if (match(static_cast<unsigned>(t))) return t;
    return find(n.right, may, match);
  }

  std::vector<Node> m_nodes;  // by pCPU
  int m_root = kNone;
};

}  // namespace vmmsim::sched
