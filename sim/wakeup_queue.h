// The processors' wake-ups, a source of the event loop at Rank::Processor:
// one entry per processor at most. Re-arming a processor moves its entry (an
// indexed heap), so a superseded wake-up costs nothing; processors due at
// the same cycle run in index order.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/cycle_clock.h"
#include "sim/event_loop.h"

namespace vmmsim {

class WakeupQueue : public EventSource {
 public:
  // Called for each processor whose wake-up is due.
  using Handler = std::function<void(unsigned processor)>;

  WakeupQueue(unsigned processors, Handler handler);

  // Wakes `processor` at `due`, replacing the wake-up it had.
  void schedule(unsigned processor, Cycles due);

 private:
  struct Entry {
    Cycles due;
    unsigned processor;
    bool before(const Entry& o) const { return due != o.due ? due < o.due : processor < o.processor; }
  };
  static constexpr std::uint32_t kAbsent = ~std::uint32_t{0};

  void serve(Cycles now) override;
  void place(std::size_t at, Entry e);  // writes e at heap index `at`
  void sift_up(std::size_t at);
  void sift_down(std::size_t at);
  void pop();

  Handler m_handler;
  std::vector<Entry> m_heap;
  std::vector<std::uint32_t> m_position;  // per processor: its heap index, or kAbsent
};

}  // namespace vmmsim
