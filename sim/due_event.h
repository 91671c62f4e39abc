// An sc_event notified for the earliest cycle something is due at: asking
// for a later cycle than it already waits for costs nothing. The timer
// queues keep their entries and use one of these to be woken.
#pragma once

#include <systemc>

#include "sim/cycle_clock.h"

namespace vmmsim {

class DueEvent {
 public:
  explicit DueEvent(const CycleClock& clock) : m_clock(clock) {}

  const sc_core::sc_event& event() const { return m_event; }
  // Be notified at `due` (now, if it has passed) unless already for earlier.
  // Nothing is due past the horizon: a run ends long before.
  void arm(Cycles due) {
    if (due >= m_armed_for || due > m_clock.horizon()) return;
    const Cycles now = m_clock.now();
    m_event.cancel();
    m_event.notify(m_clock.span(due > now ? due - now : 0));
    m_armed_for = due;
  }
  // The notification came: the next arm() notifies again.
  void fired() { m_armed_for = kForever; }

 private:
  const CycleClock& m_clock;
  sc_core::sc_event m_event;
  Cycles m_armed_for = kForever;
};

}  // namespace vmmsim
