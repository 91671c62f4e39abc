// EEVDF's run queue: the queued vCPUs of one affinity class in an AVL tree
// ordered by (deadline, queue order), each node carrying the least vruntime of
// its subtree (as Linux's augmented rbtree), so the pick is O(log n).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "schedulers/policy.h"

namespace vmmsim::sched {

// Virtual time: cycles scaled by 1024 / weight. 64 bits never wrap here.
using VirtualTime = std::int64_t;

// The queued vCPUs of one affinity class: an AVL tree ordered by (deadline,
// queue order), each node carrying the least vruntime of its subtree, like
// Linux's augmented rbtree. A vCPU's vruntime and deadline do not change while
// it is queued, so the augmentation stays exact. Nodes live in one array
// indexed by vCPU id, shared by the trees (a vCPU is in one tree at most).
class DeadlineTrees {
 public:
  static constexpr int kNil = -1;

  void resize(std::size_t n) {
    if (n > m_nodes.size()) m_nodes.resize(n);
  }

  void insert(int& root, VcpuId v, VirtualTime deadline, std::uint64_t seq, VirtualTime vruntime) {
    m_nodes[v] = Node{deadline, seq, vruntime, vruntime, kNil, kNil, 1};
    root = insert_at(root, v);
  }

  void erase(int& root, VcpuId v) {
    root = erase_at(root, v);
    m_nodes[v] = Node{};
  }

  // __pick_eevdf's descent: the leftmost (earliest deadline) node whose
  // vruntime is eligible. O(log n): a left subtree is entered only if its
  // least vruntime proves an eligible node inside.
  template <class Eligible>
  int pick(int root, Eligible eligible) const {
    int t = root;
    while (t != kNil) {
      const Node& n = m_nodes[t];
      if (n.left != kNil && eligible(m_nodes[n.left].min_vruntime)) {
        t = n.left;
        continue;
      }
      if (eligible(n.vruntime)) return t;
      t = n.right;
    }
    return kNil;
  }

  // The node with the least vruntime (the nearest to eligible). O(log n).
  int least_vruntime(int root) const {
    int t = root;
    while (t != kNil) {
      const Node& n = m_nodes[t];
      if (n.left != kNil && m_nodes[n.left].min_vruntime == n.min_vruntime)
        t = n.left;
      else if (n.vruntime == n.min_vruntime)
        return t;
      else
        t = n.right;
    }
    return kNil;
  }

  VirtualTime min_vruntime(int root) const { return m_nodes[root].min_vruntime; }

 private:
  struct Node {
    VirtualTime deadline = 0;
    std::uint64_t seq = 0;  // ties on the deadline: first queued first
    VirtualTime vruntime = 0;
    VirtualTime min_vruntime = 0;
    int left = kNil;
    int right = kNil;
    int height = 0;
  };

  bool before(int a, int b) const {
    const Node& x = m_nodes[a];
    const Node& y = m_nodes[b];
    return x.deadline != y.deadline ? x.deadline < y.deadline : x.seq < y.seq;
  }
  int height(int t) const { return t == kNil ? 0 : m_nodes[t].height; }

  void update(int t) {
    Node& n = m_nodes[t];
    n.height = 1 + std::max(height(n.left), height(n.right));
    n.min_vruntime = n.vruntime;
    if (n.left != kNil) n.min_vruntime = std::min(n.min_vruntime, m_nodes[n.left].min_vruntime);
    if (n.right != kNil) n.min_vruntime = std::min(n.min_vruntime, m_nodes[n.right].min_vruntime);
  }

  int rotate_right(int t) {
    int l = m_nodes[t].left;
    m_nodes[t].left = m_nodes[l].right;
    m_nodes[l].right = t;
    update(t);
    update(l);
    return l;
  }

  int rotate_left(int t) {
    int r = m_nodes[t].right;
    m_nodes[t].right = m_nodes[r].left;
    m_nodes[r].left = t;
    update(t);
    update(r);
    return r;
  }

  int balance(int t) {
    update(t);
    Node& n = m_nodes[t];
    int skew = height(n.left) - height(n.right);
    if (skew > 1) {
      if (height(m_nodes[n.left].left) < height(m_nodes[n.left].right))
        n.left = rotate_left(n.left);
      return rotate_right(t);
    }
    if (skew < -1) {
      if (height(m_nodes[n.right].right) < height(m_nodes[n.right].left))
        n.right = rotate_right(n.right);
      return rotate_left(t);
    }
    return t;
  }

  int insert_at(int t, int v) {
    if (t == kNil) return v;
    if (before(v, t))
      m_nodes[t].left = insert_at(m_nodes[t].left, v);
    else
      m_nodes[t].right = insert_at(m_nodes[t].right, v);
    return balance(t);
  }

  int erase_min(int t, int* min) {
    if (m_nodes[t].left == kNil) {
      *min = t;
      return m_nodes[t].right;
    }
    m_nodes[t].left = erase_min(m_nodes[t].left, min);
    return balance(t);
  }

  int erase_at(int t, int v) {
    if (t == kNil) return kNil;
    if (t != v) {
      if (before(v, t))
        m_nodes[t].left = erase_at(m_nodes[t].left, v);
      else
        m_nodes[t].right = erase_at(m_nodes[t].right, v);
      return balance(t);
    }
    int left = m_nodes[t].left;
    int right = m_nodes[t].right;
    if (right == kNil) return left;
    int successor = kNil;
    int rest = erase_min(right, &successor);
    m_nodes[successor].left = left;
    m_nodes[successor].right = rest;
    return balance(successor);
  }

  std::vector<Node> m_nodes;
};

}  // namespace vmmsim::sched
