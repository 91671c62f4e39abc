// A tournament (winner) tree over a fixed number of slots, each holding the
// cycle it is due at (kForever: none): the earliest slot, ties to the lowest
// index, kept at the root. A change replays the matches on one path to the
// root, a match per level and no branch on the data, over 2^k >= slots
// leaves (log2 of the slots levels, whatever the others hold).
#pragma once

#include <cstdint>
#include <vector>

#include "base/units.h"

namespace vmmsim {

class WinnerTree {
 public:
  explicit WinnerTree(unsigned slots) {
    while (m_leaves < slots) m_leaves *= 2;
    m_due.assign(m_leaves, kForever);
    m_winner.resize(2 * std::size_t{m_leaves});
    for (unsigned i = 0; i < m_leaves; ++i) m_winner[m_leaves + i] = i;
    for (std::size_t n = m_leaves - 1; n >= 1; --n) m_winner[n] = m_winner[2 * n];  // all kForever: the left wins
  }

  // Slot `i` is due at `due`; the root is exact again.
  void set(unsigned i, Cycles due) {
    assign(i, due);
    replay(i);
  }
  // Slot `i` is due at `due`, without its matches: the root is stale until
  // replay(i). set() of other slots meanwhile leaves every subtree that does
  // not hold slot `i` exact, so replay(i) alone makes the whole tree exact.
  void assign(unsigned i, Cycles due) { m_due[i] = due; }
  void replay(unsigned i) {
    // Slot i's path up, its winner so far carried along and met by the
    // winner of the sibling subtree at each level; selected from the
    // comparison, not a branch on it: which processor wakes next is a coin
    // toss to the predictor. A player is (its cycle, its slot) as one 128-bit
    // number, the lower winning (a tie goes to the lower slot): one compare
    // and two conditional moves, where GCC 12 made two comparisons of the
    // cycles and a tie flag into branches (docs/performance/ninth-round.md).
    // The cycle is the high word and the slot the low one, as they are in
    // registers: a key shifted by 32 took GCC a shld, a shl and an or per
    // match, 19 instructions a level against 13 (twelfth-round.md).
    auto key = [this](std::uint32_t slot) {
      return static_cast<unsigned __int128>(m_due[slot]) << 64 | slot;
    };
    unsigned __int128 winner = key(i);
    for (std::size_t n = m_leaves + std::size_t{i}; n > 1; n /= 2) {
      const unsigned __int128 other = key(m_winner[n ^ 1]);
      winner = other < winner ? other : winner;
      m_winner[n / 2] = static_cast<std::uint32_t>(winner);
    }
  }

  // The earliest slot (ties: the lowest index) and its cycle; kForever: none is due.
  unsigned winner() const { return m_winner[1]; }
  Cycles earliest() const { return m_due[m_winner[1]]; }
  Cycles due(unsigned i) const { return m_due[i]; }

 private:
  unsigned m_leaves = 1;
  // The slots' cycles apart from the tree, which holds slot numbers only: 4
  // bytes a node, not 16, so that the tree of hundreds of processors stays
  // in the first-level cache.
  std::vector<Cycles> m_due;
  std::vector<std::uint32_t> m_winner;  // 1-based: the root at 1, node n's players at 2n and 2n + 1, slot i at m_leaves + i
};

}  // namespace vmmsim
