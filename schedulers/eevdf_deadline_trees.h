// EEVDF's run queue: the queued vCPUs of one affinity class in an AVL tree
// ordered by (deadline, queue order), each node carrying the least vruntime of
// its subtree (as Linux's augmented rbtree), so the pick is O(log n).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "schedulers/policy.h"

namespace vmmsim::sched {

// Virtual time: cycles scaled by 1024 / weight. 64 bits never wrap here.
using VirtualTime = std::int64_t;

// The queued vCPUs of one affinity class: an AVL tree ordered by (deadline,
// queue order: an insert goes after the equal deadlines, so the order needs
// no key of its own), each node carrying the least vruntime of its subtree, like
// Linux's augmented rbtree. A vCPU's vruntime and deadline do not change while
// it is queued, so the augmentation stays exact. Nodes live in one array
// indexed by vCPU id, shared by the trees (a vCPU is in one tree at most).
//
// Insert and erase are iterative, with parent links: an insert lowers the
// least vruntime on its way down, and both climb back only while a height or
// a least vruntime still changes (Linux's rb_insert_augmented stops likewise),
// a few levels instead of the whole path. Slot 0 is a sentinel (height 0, no
// vruntime) that stands for "no node", so vCPU v lives in slot v + 1 and a
// root of kNil is slot 0.
class DeadlineTrees {
 public:
  static constexpr int kNil = -1;

  void resize(std::size_t n) {
    if (n + 1 > m_nodes.size()) m_nodes.resize(n + 1);
  }

  // v goes after the queued vCPUs of the same deadline (first queued first).
  void insert(int& root, VcpuId v, VirtualTime deadline, VirtualTime vruntime) {
    insert<false>(root, v, deadline, vruntime);
  }
  // The same, and returns the least vruntime of the vCPUs queued before v
  // (the largest VirtualTime if none): v is the pick at a limit exactly when
  // its vruntime is at most the limit and this is not. About 4 instructions
  // a level more than insert.
  VirtualTime insert_least_before(int& root, VcpuId v, VirtualTime deadline, VirtualTime vruntime) {
    return insert<true>(root, v, deadline, vruntime);
  }

  void erase(int& root, VcpuId v) {
    const int x = v + 1;
    int r = root + 1;
    const Node gone = m_nodes[x];
    int start = gone.parent;  // the lowest node whose subtree changed
    int through = kSentinel;  // retraced without stopping up to here
    if (gone.child[0] == kSentinel || gone.child[1] == kSentinel) {
      const int child = gone.child[0] != kSentinel ? gone.child[0] : gone.child[1];
      replace_child(gone.parent, x, child, r);
    } else {
      // The successor y takes x's place, with x's height and least vruntime
      // (what the retrace compares against).
      int y = gone.child[1];
      while (m_nodes[y].child[0] != kSentinel) y = m_nodes[y].child[0];
      if (m_nodes[y].parent == x) {
        start = y;
      } else {
        start = m_nodes[y].parent;
        const int yr = m_nodes[y].child[1];
        m_nodes[start].child[0] = yr;
        if (yr != kSentinel) m_nodes[yr].parent = start;
        m_nodes[y].child[1] = gone.child[1];
        m_nodes[gone.child[1]].parent = y;
      }
      m_nodes[y].child[0] = gone.child[0];
      m_nodes[gone.child[0]].parent = y;
      m_nodes[y].height = gone.height;
      m_nodes[y].min_vruntime = gone.min_vruntime;
      replace_child(gone.parent, x, y, r);
      through = y;
    }
    // Up: heights, least vruntimes and rotations until a subtree's height is
    // as it was (no rotation above it then)...
    bool passed = through == kSentinel;
    int p = start;
    while (p != kSentinel) {
      const int old_height = m_nodes[p].height;
      const VirtualTime old_min = m_nodes[p].min_vruntime;
      const int parent = m_nodes[p].parent;
      passed = passed || p == through;
      const int t = balanced(p) ? (update(p), p) : rebalance(p, r);  // most levels do not rotate
      p = parent;
      if (passed && m_nodes[t].height == old_height) {
        if (m_nodes[t].min_vruntime == old_min) p = kSentinel;
        break;
      }
    }
    // ... then the least vruntimes alone, while one changes (x often held the
    // least of the subtrees above it: the pick takes the most eligible).
    for (; p != kSentinel; p = m_nodes[p].parent) {
      Node& n = m_nodes[p];
      const VirtualTime least = std::min(
          n.vruntime, std::min(m_nodes[n.child[0]].min_vruntime, m_nodes[n.child[1]].min_vruntime));
      if (least == n.min_vruntime) break;
      n.min_vruntime = least;
    }
    root = r - 1;
  }

  // __pick_eevdf's descent: the leftmost (earliest deadline) node whose
  // vruntime is eligible, i.e. at most `limit` (AverageVruntime::limit).
  // O(log n): a left subtree is entered only if its least vruntime proves an
  // eligible node inside.
  int pick(int root, VirtualTime limit) const {
    int t = root + 1;
    while (t != kSentinel) {
      const Node& n = m_nodes[t];
      if (n.child[0] != kSentinel && m_nodes[n.child[0]].min_vruntime <= limit) {
        t = n.child[0];
        continue;
      }
      if (n.vruntime <= limit) return t - 1;
      t = n.child[1];
    }
    return kNil;
  }

  // The node with the least vruntime (the nearest to eligible), the earliest
  // deadline among equals. O(log n).
  int least_vruntime(int root) const {
    int t = root + 1;
    while (t != kSentinel) {
      const Node& n = m_nodes[t];
      if (n.child[0] != kSentinel && m_nodes[n.child[0]].min_vruntime == n.min_vruntime)
        t = n.child[0];
      else if (n.vruntime == n.min_vruntime)
        return t - 1;
      else
        t = n.child[1];
    }
    return kNil;
  }

  VirtualTime min_vruntime(int root) const { return m_nodes[root + 1].min_vruntime; }
  // For tests: every node's height, least vruntime and parent link is right
  // and its subtrees' heights differ by at most one. O(n).
  bool valid(int root) const { return valid_height(root + 1, kSentinel) >= 0; }

 private:
  static constexpr int kSentinel = 0;

  struct Node {
    VirtualTime deadline = 0;
    VirtualTime vruntime = 0;
    VirtualTime min_vruntime = std::numeric_limits<VirtualTime>::max();
    int child[2] = {kSentinel, kSentinel};  // left, right: a descent indexes by its comparison
    int parent = kSentinel;
    int height = 0;
  };

  template <bool kLeastBefore>
  VirtualTime insert(int& root, VcpuId v, VirtualTime deadline, VirtualTime vruntime) {
    const int x = v + 1;
    m_nodes[x] = Node{deadline, vruntime, vruntime, {kSentinel, kSentinel}, kSentinel, 1};
    VirtualTime before = std::numeric_limits<VirtualTime>::max();
    int r = root + 1;
    if (r == kSentinel) {
      root = v;
      return before;
    }
    // Down: every node passed gets x in its subtree. The side is an index, not
    // a branch: it is a coin toss the predictor would miss half the time. A
    // node passed on its right comes before x, and its left subtree too.
    int p = r;
    for (;;) {
      Node& n = m_nodes[p];
      n.min_vruntime = std::min(n.min_vruntime, vruntime);
      const bool right = deadline >= n.deadline;
      if (kLeastBefore) {
        const VirtualTime here = std::min(n.vruntime, m_nodes[n.child[0]].min_vruntime);
        before = right && here < before ? here : before;
      }
      int& next = n.child[right];
      if (next == kSentinel) {
        next = x;
        break;
      }
      p = next;
    }
    m_nodes[x].parent = p;
    // Up: heights (the least vruntimes are done), until one is unchanged or
    // a rotation restores it (after an insert it always does).
    while (p != kSentinel) {
      Node& n = m_nodes[p];
      const int left = m_nodes[n.child[0]].height;
      const int right = m_nodes[n.child[1]].height;
      const int height = 1 + std::max(left, right);
      if (height == n.height) break;
      if (left - right > 1 || right - left > 1) {
        rebalance(p, r);
        break;
      }
      n.height = height;
      p = n.parent;
    }
    root = r - 1;
    return before;
  }

  // t's height if its subtree is valid(), else -1.
  int valid_height(int t, int parent) const {
    if (t == kSentinel) return 0;
    const Node& n = m_nodes[t];
    const int l = valid_height(n.child[0], t);
    const int r = valid_height(n.child[1], t);
    const VirtualTime least = std::min(
        n.vruntime, std::min(m_nodes[n.child[0]].min_vruntime, m_nodes[n.child[1]].min_vruntime));
    if (l < 0 || r < 0 || l - r > 1 || r - l > 1 || n.height != 1 + std::max(l, r) ||
        n.min_vruntime != least || n.parent != parent)
      return -1;
    return n.height;
  }

  // t's height and least vruntime from its children's (the sentinel's are
  // 0 and the largest VirtualTime).
  void update(int t) {
    Node& n = m_nodes[t];
    const Node& l = m_nodes[n.child[0]];
    const Node& r = m_nodes[n.child[1]];
    n.height = 1 + std::max(l.height, r.height);
    n.min_vruntime = std::min(n.vruntime, std::min(l.min_vruntime, r.min_vruntime));
  }

  // parent's link to `from` now points at `to` (the root if parent is none).
  void replace_child(int parent, int from, int to, int& root) {
    if (to != kSentinel) m_nodes[to].parent = parent;
    if (parent == kSentinel)
      root = to;
    else if (m_nodes[parent].child[0] == from)
      m_nodes[parent].child[0] = to;
    else
      m_nodes[parent].child[1] = to;
  }

  // A left rotation (kLeft) takes t's right child up as the subtree's root
  // (returned), t becoming its left child; a right rotation the mirror.
  template <bool kLeft>
  int rotate(int t, int& root) {
    auto up = [](Node& n) -> int& { return n.child[kLeft]; };
    auto down = [](Node& n) -> int& { return n.child[!kLeft]; };
    const int c = up(m_nodes[t]);
    const int inner = down(m_nodes[c]);
    replace_child(m_nodes[t].parent, t, c, root);
    up(m_nodes[t]) = inner;
    if (inner != kSentinel) m_nodes[inner].parent = t;
    down(m_nodes[c]) = t;
    m_nodes[t].parent = c;
    update(t);
    update(c);
    return c;
  }
  int rotate_left(int t, int& root) { return rotate<true>(t, root); }
  int rotate_right(int t, int& root) { return rotate<false>(t, root); }

  // t's children's heights differ by at most one.
  bool balanced(int t) const {
    const Node& n = m_nodes[t];
    const int skew = m_nodes[n.child[0]].height - m_nodes[n.child[1]].height;
    return skew >= -1 && skew <= 1;
  }

  // Recomputes t and rotates it if its children's heights differ by 2;
  // returns the subtree's root.
  int rebalance(int t, int& root) {
    update(t);
    const Node& n = m_nodes[t];
    const int skew = m_nodes[n.child[0]].height - m_nodes[n.child[1]].height;
    if (skew > 1) {
      const Node& l = m_nodes[n.child[0]];
      if (m_nodes[l.child[0]].height < m_nodes[l.child[1]].height) rotate_left(n.child[0], root);
      return rotate_right(t, root);
    }
    if (skew < -1) {
      const Node& r = m_nodes[n.child[1]];
      if (m_nodes[r.child[1]].height < m_nodes[r.child[0]].height) rotate_right(n.child[1], root);
      return rotate_left(t, root);
    }
    return t;
  }

  std::vector<Node> m_nodes = std::vector<Node>(1);  // [0]: the sentinel
};

}  // namespace vmmsim::sched
