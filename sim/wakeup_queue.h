// The processors' wake-ups behind one SystemC event: one entry per processor
// at most. Re-arming a processor moves its entry (an indexed heap), so a
// superseded wake-up never costs a kernel activation; processors due at the
// same cycle run in index order, which makes simultaneous decisions
// deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>

#include "sim/cycle_clock.h"
#include "sim/due_event.h"

namespace vmmsim {

class WakeupQueue : public sc_core::sc_module {
 public:
  // Called for each processor whose wake-up is due.
  using Handler = std::function<void(unsigned processor)>;

  WakeupQueue(sc_core::sc_module_name name, const CycleClock& clock, unsigned processors, Handler handler);

  // Wakes `processor` at `due`, replacing the wake-up it had.
  void schedule(unsigned processor, Cycles due);

 private:
  struct Entry {
    Cycles due;
    unsigned processor;
    bool before(const Entry& o) const { return due != o.due ? due < o.due : processor < o.processor; }
  };
  static constexpr std::uint32_t kAbsent = ~std::uint32_t{0};

  void fire();
  void arm();
  void place(std::size_t at, Entry e);  // writes e at heap index `at`
  void sift_up(std::size_t at);
  void sift_down(std::size_t at);
  void pop();

  const CycleClock& m_clock;
  Handler m_handler;
  std::vector<Entry> m_heap;
  std::vector<std::uint32_t> m_position;  // per processor: its heap index, or kAbsent
  DueEvent m_due;
  bool m_firing = false;
};

}  // namespace vmmsim
