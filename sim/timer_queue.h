// The VMM's timed wake-ups, a source of the event loop: arrivals, I/O
// completions, sleeps, keystrokes, command-line swaps, the watchdog, a
// switching controller's windows. Each
// entry has its Rank; entries due at the same cycle and rank come in the
// order of their keys (the VMM uses the vCPU id, i.e. VM declaration order
// then vCPU index), then in the order they were added.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/cycle_clock.h"
#include "sim/event_loop.h"

namespace vmmsim {

class TimerQueue : public EventSource {
 public:
  // Called for each due entry with the kind and token given to add(), at its cycle.
  using Handler = std::function<void(std::uint32_t kind, std::uint64_t token, Cycles now)>;

  explicit TimerQueue(Handler handler) : m_handler(std::move(handler)) {}

  // `order_key` and `token` below 2^56, `kind` below 256.
  void add(Cycles due, Rank rank, std::uint64_t order_key, std::uint32_t kind, std::uint64_t token);

 private:
  // 32 bytes, compared as (due, rank and key, seq).
  struct Entry {
    Cycles due;
    std::uint64_t rank_key;  // rank << 56 | order_key
    std::uint64_t seq;
    std::uint64_t payload;  // kind << 56 | token
    bool before(const Entry& o) const {
      if (due != o.due) return due < o.due;
      if (rank_key != o.rank_key) return rank_key < o.rank_key;
      return seq < o.seq;
    }
  };
  // Timers of one rank mostly come in order (I/O of one length after
  // another): a FIFO per rank takes an entry that is not before its last,
  // in O(1); the others go to a binary heap with a hole, which then stays
  // small (with 4096 vCPUs' I/O in one heap, a pop took 11 levels).
  class Lane {
   public:
    bool empty() const { return m_size == 0; }
    const Entry& front() const { return m_ring[m_head]; }
    const Entry& back() const { return m_ring[(m_head + m_size - 1) & (m_ring.size() - 1)]; }
    void push(const Entry& e) {
      if (m_size == m_ring.size()) grow();
      m_ring[(m_head + m_size) & (m_ring.size() - 1)] = e;
      ++m_size;
    }
    void pop() {
      m_head = (m_head + 1) & (m_ring.size() - 1);
      --m_size;
    }

   private:
    void grow();                // twice the room, the entries in order from 0
    std::vector<Entry> m_ring;  // a power of two
    std::size_t m_head = 0, m_size = 0;
  };
  static constexpr unsigned kShift = 56;
  static constexpr unsigned kRanks = 16;
  static_assert(static_cast<unsigned>(Rank::Controller) < kRanks);
  // Where the earliest entry is: kHeap, or the rank of its lane; kNone if there is none.
  static constexpr unsigned kHeap = kRanks, kNone = kRanks + 1;

  void serve(Cycles now) override;
  void push_heap(const Entry& e);
  void pop_heap();
  unsigned earliest() const;
  void post_first();  // finds the earliest entry and posts it

  Handler m_handler;
  std::array<Lane, kRanks> m_lanes;
  std::uint32_t m_busy = 0;  // the lanes that hold entries, a bit per rank
  std::vector<Entry> m_heap;
  std::uint64_t m_seq = 0;
  unsigned m_first_at = kNone;  // where the earliest entry is, as posted
  Entry m_first{};              // a copy of it
};

}  // namespace vmmsim
