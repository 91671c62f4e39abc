// IRQ0 and the tick request. An edge is simulated (served by the event loop
// at Rank::Irq0) only when something needs it: the active scheduler has a
// tick op, [vmm] slice_timer = pit ends slots at edges, or an observer
// watches every request (a tracer that does not is no reason). Otherwise no event exists per edge and the edges
// are counted from the PIT's state when asked, with the feedback they would
// have had (done; rejected while offline): the counts stay exact and a
// policy without ticks is as fast at 10 kHz as at 100 Hz.
#include "vmm/vmm.h"

namespace vmmsim::vmm {

// The VMM programs channel 0 as an OS would: control word, then the reload
// value low byte first.
void Vmm::program_pit() {
  std::uint8_t mode = static_cast<std::uint8_t>(m_config.pit.mode);
  m_pit.io_write(0x43, static_cast<std::uint8_t>(0x30 | (mode << 1)));  // ch0, lobyte/hibyte
  std::uint16_t reload = devices::pit_reload_for(m_config.pit.hz);
  m_pit.io_write(0x40, static_cast<std::uint8_t>(reload & 0xff));
  m_pit.io_write(0x40, static_cast<std::uint8_t>(reload >> 8));
}

// IRQ0. Under [vmm] slice_timer = pit the tick is also the slot timer: it
// ends first every slot whose slice is over (each pCPU then asks for a
// decision as a slice expiry), then the active scheduler hears the tick.
void Vmm::on_irq0(Cycles now) {
  m_edges_counted = m_pit.rising_edges_until(now);
  m_irq0.next(m_pit.next_rising_edge(now));
  for (cpu::Processor* p : m_processors) p->irq0_edge();
  handle(Request{RequestKind::Tick});
}

bool Vmm::ticks_needed() const {
  if (m_observers.watch_requests() || m_config.vmm.slice_timer == "pit") return true;
  return m_manager.entry(static_cast<unsigned>(m_processors.size())).ops->tick != nullptr;
}

// Called where an edge at `now` has been served already if simulated (the
// replacement's steps come after every event of their cycle), so the edges
// up to `now` count as they were: online (done) or offline (rejected).
void Vmm::reconsider_ticks(Cycles now) {
  count_elided_ticks(now);
  m_ticks_simulated = ticks_needed();
  if (!m_ticks_simulated) return m_irq0.next(kForever);
  m_edges_counted = m_pit.rising_edges_until(now);
  m_irq0.next(m_pit.next_rising_edge(now));
}

void Vmm::count_elided_ticks(Cycles through) {
  if (m_ticks_simulated) return;
  const std::uint64_t n = m_pit.rising_edges_until(through) - m_edges_counted;
  m_edges_counted += n;
  m_requests[static_cast<std::size_t>(RequestKind::Tick)] += n;
  m_statuses[static_cast<std::size_t>(m_offline ? Status::Rejected : Status::Done)] += n;
  if (m_offline) m_swaps.back().ticks_ceased += n;
}

// A run cut at the end of a window has not served that cycle's events.
Cycles Vmm::ticks_through() const {
  const Cycles now = m_clock.now();
  return m_loop.served_now() || now == 0 ? now : now - 1;
}

std::uint64_t Vmm::elided_ticks() const {
  if (m_ticks_simulated) return 0;
  return m_pit.rising_edges_until(ticks_through()) - m_edges_counted;
}

std::uint64_t Vmm::requests(RequestKind kind) const {
  const std::uint64_t n = m_requests[static_cast<std::size_t>(kind)];
  return kind == RequestKind::Tick ? n + elided_ticks() : n;
}

std::uint64_t Vmm::feedback_count(Status s) const {
  const std::uint64_t n = m_statuses[static_cast<std::size_t>(s)];
  return s == (m_offline ? Status::Rejected : Status::Done) ? n + elided_ticks() : n;
}

void Vmm::add_observer(Observer* observer) {
  m_observers.add(observer);
  if (observer->watches_requests()) reconsider_ticks(m_clock.now());
}

void Vmm::remove_observer(Observer* observer) {
  m_observers.remove(observer);
  if (observer->watches_requests()) reconsider_ticks(m_clock.now());
}

}  // namespace vmmsim::vmm
