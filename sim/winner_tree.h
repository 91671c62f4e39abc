// A tournament (winner) tree over a fixed number of slots, each holding the
// cycle it is due at (kForever: none): the earliest slot, ties to the lowest
// index, kept at the root. A change replays the matches on one path to the
// root, one comparison per level and no branch on the data, over 2^k >=
// slots leaves (log2 of the slots levels, whatever the others hold).
#pragma once

#include <cstdint>
#include <vector>

#include "base/units.h"

namespace vmmsim {

class WinnerTree {
 public:
  explicit WinnerTree(unsigned slots) {
    while (m_leaves < slots) m_leaves *= 2;
    m_node.resize(2 * std::size_t{m_leaves});
    for (unsigned i = 0; i < m_leaves; ++i) m_node[m_leaves + i] = Node{kForever, i};
    for (std::size_t n = m_leaves - 1; n >= 1; --n) m_node[n] = m_node[2 * n];  // all kForever: the left wins
  }

  // Slot `i` is due at `due`; the root is exact again.
  void set(unsigned i, Cycles due) {
    assign(i, due);
    replay(i);
  }
  // Slot `i` is due at `due`, without its matches: the root is stale until
  // replay(i). set() of other slots meanwhile leaves every subtree that does
  // not hold slot `i` exact, so replay(i) alone makes the whole tree exact.
  void assign(unsigned i, Cycles due) { m_node[m_leaves + i].due = due; }
  void replay(unsigned i) {
    // The winner's index from the comparison, not a branch on it: which
    // processor wakes next is a coin toss to the predictor.
    for (std::size_t n = (m_leaves + std::size_t{i}) / 2; n >= 1; n /= 2) {
      const bool right = m_node[2 * n + 1].due < m_node[2 * n].due;  // a tie: the lower index, on the left
      m_node[n] = m_node[2 * n + right];
    }
  }

  // The earliest slot (ties: the lowest index) and its cycle; kForever: none is due.
  unsigned winner() const { return m_node[1].slot; }
  Cycles earliest() const { return m_node[1].due; }
  Cycles due(unsigned i) const { return m_node[m_leaves + i].due; }

 private:
  struct Node {
    Cycles due;
    std::uint32_t slot;
  };
  unsigned m_leaves = 1;
  std::vector<Node> m_node;  // 1-based: the root at 1, node n's players at 2n and 2n + 1, slot i at m_leaves + i
};

}  // namespace vmmsim
