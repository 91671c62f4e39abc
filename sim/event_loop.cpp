#include "sim/event_loop.h"

#include <algorithm>

namespace vmmsim {

EventLoop::EventLoop(sc_core::sc_module_name name, CycleClock& clock)
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

void EventLoop::advance(Cycles span) {
  const Cycles now = m_clock.kernel_now();
  m_window_end = saturating_add(now, span);
  sc_core::sc_start(m_clock.span(span));
}

void EventLoop::notify(sc_core::sc_event& event, Cycles at) {
  m_hold = true;
  if (m_clock.now() == m_clock.kernel_now())
    event.notify(m_clock.span(at - m_clock.kernel_now()));
  else
    m_notices.push_back(Notice{&event, at});
}

void EventLoop::stop() {
  m_hold = true;
  if (m_clock.now() == m_clock.kernel_now())
    sc_core::sc_stop();
  else
    m_stop = true;
}

// The first of `sources` dues, ties to the lower index. Inlined where the
// count is a constant, its loop unrolls: a platform has four sources,
// scanned at every event, and the loop's own count and branch were a
// third of the scan.
inline __attribute__((always_inline)) unsigned EventLoop::first_due(const Due* due, unsigned sources) {
  unsigned best = 0;
  Due first = due[0];
  for (unsigned i = 1; i < sources; ++i)
    if (due[i].before(first)) {
      first = due[i];
      best = i;
    }
  return best;
}

unsigned EventLoop::earliest() const {
  const Due* due = m_due.data();
  const auto sources = static_cast<unsigned>(m_due.size());
  switch (sources) {  // a case per count a platform or a test has
    case 2: return first_due(due, 2);
    case 3: return first_due(due, 3);
    case 4: return first_due(due, 4);
    case 5: return first_due(due, 5);
    default: return first_due(due, sources);
  }
}

Cycles EventLoop::limit(Cycles k) const {
  if (m_window_end <= k + 1 || sc_core::sc_pending_activity_at_current_time()) return k + 1;
  // The kernel's next activity is another process's: events up to its
  // cycle come first (a delta's methods run before its threads).
  const Cycles next = sc_core::sc_time_to_pending_activity().value() / m_clock.period_ps();
  return next >= m_window_end - k ? m_window_end : k + next + 1;
}

void EventLoop::deliver(Cycles k) {
  for (const Notice& n : m_notices) n.event->notify(m_clock.span(n.at - k));
  m_notices.clear();
  if (m_stop) sc_core::sc_stop();
  m_stop = false;
  m_hold = true;
}

void EventLoop::drain() {
  const Cycles k = m_clock.kernel_now();
  m_event.fired();
  m_draining = true;
  if (!m_notices.empty() || m_stop) deliver(k);
  const Cycles limit = this->limit(k);
  Cycles at = k;
  m_clock.set_local(k);
  // Everything due before the limit, in key order; what a source posts for
  // the cycle being served joins it at its place in the order.
  while (!m_due.empty()) {
    const unsigned i = earliest();
    const Cycles due = m_due[i].at;
    if (due >= limit) break;
    if (due > at) {
      if (m_hold) break;
      at = due;
      m_clock.set_local(at);
    }
    m_due[i].at = kForever;  // the source posts its next entry when served
    m_sources[i]->serve(at);
  }
  // Served: all of `at` when held there, else everything before the limit.
  m_covered = m_hold ? at : limit - 1;
  m_clock.clear_local();
  m_draining = false;
  m_hold = false;
  if (!m_notices.empty() || m_stop)
    m_event.arm(at);  // back when the kernel reaches `at`, to deliver them
  else if (!m_due.empty())
    m_event.arm(m_due[earliest()].at);
}

}  // namespace vmmsim
