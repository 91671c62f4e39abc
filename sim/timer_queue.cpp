#include "sim/timer_queue.h"

namespace vmmsim {

TimerQueue::TimerQueue(sc_core::sc_module_name name, const CycleClock& clock,
                       Handler handler)
    : sc_core::sc_module(name), m_clock(clock), m_handler(std::move(handler)), m_due(clock) {
  SC_HAS_PROCESS(TimerQueue);
  SC_METHOD(fire);
  sensitive << m_due.event();
  dont_initialize();
}

void TimerQueue::add(Cycles due, std::uint64_t order_key, std::uint32_t kind,
                     std::uint64_t token) {
  m_heap.push(Entry{due, order_key, m_seq++, kind, token});
  if (!m_firing) arm();  // fire() arms once, after its loop
}

void TimerQueue::arm() {
  if (!m_heap.empty()) m_due.arm(m_heap.top().due);
}

void TimerQueue::fire() {
  const Cycles now = m_clock.now();
  m_firing = true;
  // Entries added by a handler for this cycle are served in this loop, in
  // key order with the rest.
  while (!m_heap.empty() && m_heap.top().due <= now) {
    Entry e = m_heap.top();
    m_heap.pop();
    m_handler(e.kind, e.token);
  }
  m_firing = false;
  m_due.fired();
  arm();
}

}  // namespace vmmsim
