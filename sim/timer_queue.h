// Many timed wake-ups behind one SystemC event: I/O completions, arrivals,
// sleeps. Entries due at the same cycle fire in the order of their keys
// (the VMM uses the vCPU id, i.e. VM declaration order then vCPU index),
// then in the order they were added.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include <systemc>

#include "sim/cycle_clock.h"
#include "sim/due_event.h"

namespace vmmsim {

class TimerQueue : public sc_core::sc_module {
 public:
  // Called for each due entry with the kind and token given to add().
  using Handler = std::function<void(std::uint32_t kind, std::uint64_t token)>;

  TimerQueue(sc_core::sc_module_name name, const CycleClock& clock, Handler handler);

  void add(Cycles due, std::uint64_t order_key, std::uint32_t kind, std::uint64_t token);
  std::size_t pending() const { return m_heap.size(); }

 private:
  struct Entry {
    Cycles due;
    std::uint64_t order_key;
    std::uint64_t seq;
    std::uint32_t kind;
    std::uint64_t token;
    bool operator>(const Entry& o) const {
      if (due != o.due) return due > o.due;
      if (order_key != o.order_key) return order_key > o.order_key;
      return seq > o.seq;
    }
  };
  void fire();
  void arm();

  const CycleClock& m_clock;
  Handler m_handler;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> m_heap;
  std::uint64_t m_seq = 0;
  DueEvent m_due;
  bool m_firing = false;
};

}  // namespace vmmsim
