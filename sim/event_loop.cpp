#include "sim/event_loop.h"

namespace vmmsim {

EventLoop::EventLoop(sc_core::sc_module_name name, const CycleClock& clock)
    : sc_core::sc_module(name), m_clock(clock), m_event(clock) {
  SC_HAS_PROCESS(EventLoop);
  SC_METHOD(drain);
  sensitive << m_event.event();
  dont_initialize();
}

void EventLoop::attach(EventSource& source) {
  source.m_loop = this;
  source.m_index = static_cast<unsigned>(m_sources.size());
  m_sources.push_back(&source);
  m_due.push_back(Due{});
}

unsigned EventLoop::earliest() const {
  unsigned best = 0;
  for (unsigned i = 1; i < m_due.size(); ++i)
    if (m_due[i].before(m_due[best])) best = i;
  return best;
}

void EventLoop::drain() {
  const Cycles now = m_clock.now();
  m_event.fired();
  m_draining = true;
  m_drained_any = true;
  m_drained_at = now;
  // Everything due by now, in key order; what a source posts for now while
  // being served joins this loop at its place in the order.
  while (!m_due.empty()) {
    const unsigned i = earliest();
    if (m_due[i].at > now) break;
    m_due[i].at = kForever;  // the source posts its next entry when served
    m_sources[i]->serve(now);
  }
  m_draining = false;
  if (!m_due.empty()) m_event.arm(m_due[earliest()].at);
}

}  // namespace vmmsim
