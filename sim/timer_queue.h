// The VMM's timed wake-ups, a source of the event loop: arrivals, I/O
// completions, sleeps, keystrokes, command-line swaps, the watchdog, a
// switching controller's windows. Each
// entry has its Rank; entries due at the same cycle and rank come in the
// order of their keys (the VMM uses the vCPU id, i.e. VM declaration order
// then vCPU index), then in the order they were added.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/cycle_clock.h"
#include "sim/event_loop.h"

namespace vmmsim {

class TimerQueue : public EventSource {
 public:
  // Called for each due entry with the kind and token given to add().
  using Handler = std::function<void(std::uint32_t kind, std::uint64_t token)>;

  explicit TimerQueue(Handler handler) : m_handler(std::move(handler)) {}

  // `order_key` and `token` below 2^56, `kind` below 256.
  void add(Cycles due, Rank rank, std::uint64_t order_key, std::uint32_t kind, std::uint64_t token);
  std::size_t pending() const { return m_heap.size(); }

 private:
  // 32 bytes, compared as (due, rank and key, seq): a binary heap with a hole.
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
  static constexpr unsigned kShift = 56;
  void serve(Cycles now) override;
  void post_top() {
    if (m_heap.empty()) return post(kForever, Rank::Arrival);
    post(m_heap.front().due, static_cast<Rank>(m_heap.front().rank_key >> kShift));
  }

  Handler m_handler;
  std::vector<Entry> m_heap;
  std::uint64_t m_seq = 0;
};

}  // namespace vmmsim
