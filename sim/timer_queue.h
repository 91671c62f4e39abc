// The VMM's timed wake-ups, a source of the event loop: arrivals, I/O
// completions, sleeps, keystrokes, command-line swaps, the watchdog. Each
// entry has its Rank; entries due at the same cycle and rank come in the
// order of their keys (the VMM uses the vCPU id, i.e. VM declaration order
// then vCPU index), then in the order they were added.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/cycle_clock.h"
#include "sim/event_loop.h"

namespace vmmsim {

class TimerQueue : public EventSource {
 public:
  // Called for each due entry with the kind and token given to add().
  using Handler = std::function<void(std::uint32_t kind, std::uint64_t token)>;

  explicit TimerQueue(Handler handler) : m_handler(std::move(handler)) {}

  void add(Cycles due, Rank rank, std::uint64_t order_key, std::uint32_t kind, std::uint64_t token);
  std::size_t pending() const { return m_heap.size(); }

 private:
  struct Entry {
    Cycles due;
    Rank rank;
    std::uint64_t order_key;
    std::uint64_t seq;
    std::uint32_t kind;
    std::uint64_t token;
    bool operator>(const Entry& o) const {
      if (due != o.due) return due > o.due;
      if (rank != o.rank) return rank > o.rank;
      if (order_key != o.order_key) return order_key > o.order_key;
      return seq > o.seq;
    }
  };
  void serve(Cycles now) override;
  void post_top() { m_heap.empty() ? post(kForever, Rank::Arrival) : post(m_heap.top().due, m_heap.top().rank); }

  Handler m_handler;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_heap;
  std::uint64_t m_seq = 0;
};

}  // namespace vmmsim
