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

#include <vector>

#include "sim/cycle_clock.h"
#include "sim/event_loop.h"
#include "sim/winner_tree.h"

namespace vmmsim {

class WakeupQueue : public EventSource {
 public:
  // What a processor's wake-up wakes (cpu::Processor).
  class Sleeper {
   public:
    virtual void wake_up(Cycles now) = 0;

   protected:
    ~Sleeper() = default;
  };

  explicit WakeupQueue(unsigned processors) : m_sleepers(processors, nullptr), m_due(processors) {}
  // `sleeper` is woken at `processor`'s wake-ups.
  void attach(unsigned processor, Sleeper& sleeper) { m_sleepers[processor] = &sleeper; }

  // Wakes `processor` at `due`, replacing the wake-up it had.
  void schedule(unsigned processor, Cycles due) {
    if (processor == m_serving) return m_due.assign(processor, due);  // replayed when its step returns
    m_due.set(processor, due);
    if (m_serving == kNone) post(m_due.earliest(), Rank::Processor);  // else once the step returns
  }

 private:
  static constexpr unsigned kNone = ~0u;

  void serve(Cycles now) override {
    const unsigned processor = m_due.winner();
    m_due.assign(processor, kForever);  // served; its step may re-arm it
    m_serving = processor;
    m_sleepers[processor]->wake_up(now);
    m_serving = kNone;
    m_due.replay(processor);
    post(m_due.earliest(), Rank::Processor);
  }

  std::vector<Sleeper*> m_sleepers;
  WinnerTree m_due;
  unsigned m_serving = kNone;  // the processor whose step runs now
};

}  // namespace vmmsim
