// The processors' wake-ups, a source of the event loop at Rank::Processor:
// one entry per processor at most. Re-arming a processor replaces its entry,
// so a superseded wake-up costs nothing; processors due at the same cycle
// run in index order.
//
// A winner tree (sim/winner_tree.h) of one slot per processor: the served
// processor is taken out by clearing its slot, and its re-arm from its own
// step (the usual consequence of a wake-up) is replayed once, after the
// step, instead of a pop and a push.
#pragma once

#include <functional>

#include "sim/cycle_clock.h"
#include "sim/event_loop.h"
#include "sim/winner_tree.h"

namespace vmmsim {

class WakeupQueue : public EventSource {
 public:
  // Called for each processor whose wake-up is due.
  using Handler = std::function<void(unsigned processor)>;

  WakeupQueue(unsigned processors, Handler handler) : m_handler(std::move(handler)), m_due(processors) {}

  // Wakes `processor` at `due`, replacing the wake-up it had.
  void schedule(unsigned processor, Cycles due) {
    if (processor == m_serving) return m_due.assign(processor, due);  // replayed when its step returns
    m_due.set(processor, due);
    if (m_serving == kNone) post(m_due.earliest(), Rank::Processor);  // else once the step returns
  }

 private:
  static constexpr unsigned kNone = ~0u;

  void serve(Cycles) override {
    const unsigned processor = m_due.winner();
    m_due.assign(processor, kForever);  // served; its step may re-arm it
    m_serving = processor;
    m_handler(processor);
    m_serving = kNone;
    m_due.replay(processor);
    post(m_due.earliest(), Rank::Processor);
  }

  Handler m_handler;
  WinnerTree m_due;
  unsigned m_serving = kNone;  // the processor whose step runs now
};

}  // namespace vmmsim
