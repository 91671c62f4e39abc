// One queue of vmmsim's own for everything that happens at a cycle, drained
// by one SC_METHOD: events are served in one total order (cycle, then Rank,
// then each source's own tie-break), whatever order the SystemC kernel
// would give its processes (docs/architecture.md "Simultaneous events").
//
// A source (the processors' wake-ups, the VMM's timers, the console's line,
// IRQ0) keeps its own entries and tells the loop the (cycle, rank) of its
// earliest one. The loop serves the earliest source's earliest entry, one at
// a time, so an entry a source posts for the current cycle with a smaller
// key than the one being served is served next: a same-cycle consequence
// right after its cause. Sources never share a rank.
//
// Temporal decoupling, in the TLM-2.0 loosely-timed spirit: within a window
// given to advance(), one activation serves every event due before the
// kernel's next activity (another process: the replacement thread's wait,
// a test's stimulus, the soak's probe), setting the clock's local time to
// each event's cycle, so that most requests cost no kernel activation. What
// must reach the kernel (notify(), stop()) does so at its own cycle: the
// loop serves the rest of that cycle, lets the kernel catch up, and only
// then delivers it, so every process sees the time it would have seen.
// Hence code served by the loop never notifies an sc_event or writes an
// sc_signal itself: it goes through notify().
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>

#include "sim/cycle_clock.h"
#include "sim/due_event.h"

namespace vmmsim {

// What comes first at one cycle, lowest first (the table in
// docs/architecture.md says why).
enum class Rank : std::uint8_t {
  Shadow = 0,       // a command-line shadow starts or ends, before anything else at its cycle: one at
                    // 0 hears every request the active scheduler hears (tie: order in the config)
  Arrival = 1,      // a vCPU arrives (tie: vCPU id)
  TimerWake = 2,    // I/O completion, sleep end, periodic release (tie: vCPU id)
  Keystroke = 3,    // [console] input_* types bytes
  ConsoleLine = 4,  // RX bytes complete, TX room, retirement done
  Irq0 = 5,         // the PIT's rising edge: slot ends (slice_timer = pit), then the tick
  Processor = 6,    // a pCPU's step: exits, slice expiry, reschedule, VM resume, park (tie: pCPU index)
  Swap = 7,         // a command-line swap request (tie: order in the config)
  Watchdog = 8,     // the watchdog's check
  Controller = 9,   // a switching controller's window ends: its metrics close, the service VM is interrupted
                    // (tie: the window's place among the controller's windows)
};

class EventLoop;

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Serve this source's earliest entry, due at `now` or before; post() the
  // next one (if any) before returning.
  virtual void serve(Cycles now) = 0;

 protected:
  // The source's earliest entry is now at (`at`, `rank`); kForever: none.
  inline void post(Cycles at, Rank rank);

 private:
  friend class EventLoop;
  EventLoop* m_loop = nullptr;
  unsigned m_index = 0;
};

class EventLoop : public sc_core::sc_module {
 public:
  EventLoop(sc_core::sc_module_name name, CycleClock& clock);

  void attach(EventSource& source);
  // Runs the simulation for `span` cycles (sc_start): the window within
  // which the loop serves ahead of the kernel. What is due exactly at its
  // end is left to the next window, as sc_start leaves it.
  void advance(Cycles span);
  // Notifies `event` at cycle `at` (>= now) for a SystemC process, and
  // stops the simulation at the end of the current cycle: from an event
  // served ahead of the kernel, both wait until the kernel reaches that
  // cycle. Either ends this activation after the current cycle, so the
  // process runs before any later event.
  void notify(sc_core::sc_event& event, Cycles at);
  void stop();
  bool attached(const EventSource& source) const { return source.m_loop == this; }
  // True if everything due up to now (this cycle included) has been served:
  // the last activation covered this cycle (a run cut at a window's end has
  // not served its end).
  bool served_now() const { return m_covered != kForever && m_covered >= m_clock.now(); }

 private:
  friend class EventSource;
  struct Due {
    Cycles at = kForever;
    Rank rank = Rank::Arrival;
    bool before(const Due& o) const { return at != o.at ? at < o.at : rank < o.rank; }
  };

  void post(unsigned source, Cycles at, Rank rank) {
    m_due[source] = Due{at, rank};
    if (!m_draining) m_event.arm(at);  // drain() arms once, after its loop
  }
  void drain();  // the SC_METHOD
  unsigned earliest() const;
  static unsigned first_due(const Due* due, unsigned sources);
  // Exclusive: what one activation at kernel cycle `k` may serve.
  Cycles limit(Cycles k) const;
  void deliver(Cycles k);  // what notify()/stop() left for the kernel

  struct Notice {
    sc_core::sc_event* event;
    Cycles at;
  };

  CycleClock& m_clock;
  std::vector<EventSource*> m_sources;
  std::vector<Due> m_due;  // per source: its earliest entry
  DueEvent m_event;
  Cycles m_window_end = 0;  // advance()'s, exclusive; 0: serve the kernel's cycle only
  std::vector<Notice> m_notices;  // for the kernel, once it reaches the served cycle
  bool m_stop = false;            // likewise
  bool m_hold = false;            // serve no later cycle in this activation
  bool m_draining = false;
  Cycles m_covered = kForever;  // the last cycle the last activation served all of; kForever: none yet
};

inline void EventSource::post(Cycles at, Rank rank) {
  if (m_loop) m_loop->post(m_index, at, rank);
}

}  // namespace vmmsim
