#include "devices/pit.h"

#include <algorithm>

namespace vmmsim::devices {
namespace {

using u128 = unsigned __int128;

bool simulation_started() {
  return (sc_core::sc_get_status() & (sc_core::SC_RUNNING | sc_core::SC_PAUSED)) != 0;
}

}  // namespace

Pit::Pit(sc_core::sc_module_name name, const CycleClock& clock)
    : sc_core::sc_module(name), out("out"), m_clock(clock) {
  if (clock.hz() < kInputHz)
    SC_REPORT_ERROR("vmmsim/pit",
                    "the CPU clock must be at least the PIT input clock (1193182 Hz)");
  // An unprogrammed channel holds OUT high, so programming it raises no IRQ0.
  out.initialize(true);
  SC_HAS_PROCESS(Pit);
  // Not dont_initialize(): the first run arms the edge of a channel that was
  // programmed during elaboration.
  SC_METHOD(update_out);
  sensitive << m_transition;
}

void Pit::start_of_simulation() {
  // initialize() has requested the write; read() still shows the signal's own initial value.
  if (!out.read())
    SC_REPORT_WARNING(
        "vmmsim/pit",
        "OUT is bound to a signal that starts low: IRQ0 sees a rising edge at time 0");
}

// ---- time ----------------------------------------------------------------

// PIT tick k happens at cycle ceil(k * cpu_hz / 1193182); the tick in
// progress at a cycle is the last one at or before it.
std::uint64_t Pit::tick_at(Cycles cycle) const {
  return static_cast<std::uint64_t>(u128{cycle} * kInputHz / m_clock.hz());
}

Cycles Pit::cycle_of_tick(std::uint64_t tick) const {
  return static_cast<Cycles>((u128{tick} * m_clock.hz() + kInputHz - 1) / kInputHz);
}

// ---- the counter, per mode ------------------------------------------------

// Mode 2: OUT low while the count is 1 (one input clock), high otherwise.
// Mode 3: OUT high for ceil(N/2) input clocks, low for floor(N/2).
bool Pit::out_at_tick(std::uint64_t tick) const {
  if (!m_counting || tick < m_load_tick) return true;
  std::uint64_t phase = (tick - m_load_tick) % m_reload;
  if (m_mode == 2) return phase != m_reload - 1;
  return phase < (m_reload + 1) / 2;
}

std::uint32_t Pit::count_at_tick(std::uint64_t tick) const {
  if (!m_counting || tick < m_load_tick) return m_reload;
  std::uint32_t phase = static_cast<std::uint32_t>((tick - m_load_tick) % m_reload);
  if (m_mode == 2) return m_reload - phase;  // N, N-1, ..., 1, then reload
  // Mode 3 counts down by two in each half period. With an odd N the 8254
  // takes one extra clock in the high half (N, N-1, N-3, ..., 2) and one
  // fewer in the low half (N, N-3, ..., 2).
  const std::uint32_t high = (m_reload + 1) / 2;
  const bool in_high = phase < high;
  const std::uint32_t j = in_high ? phase : phase - high;
  if (j == 0) return m_reload;
  if (m_reload % 2 == 0) return m_reload - 2 * j;
  return in_high ? m_reload + 1 - 2 * j : m_reload - 1 - 2 * j;
}

std::uint64_t Pit::next_transition_tick(std::uint64_t tick) const {
  const std::uint64_t d = tick < m_load_tick ? 0 : tick - m_load_tick;
  const std::uint64_t base = d - d % m_reload;
  const std::uint64_t phase = d % m_reload;
  std::uint64_t next;
  if (m_mode == 2)
    next = phase < m_reload - 1 ? base + m_reload - 1 : base + m_reload;
  else
    next = phase < (m_reload + 1) / 2 ? base + (m_reload + 1) / 2 : base + m_reload;
  return m_load_tick + next;
}

// ---- OUT ------------------------------------------------------------------

void Pit::update_out() {
  if (!m_driven) return;  // the pin is not driven: nothing to do per edge
  const Cycles now = m_clock.now();
  const std::uint64_t tick = tick_at(now);
  const bool level = out_at_tick(tick);
  if (level != m_out) {
    m_out = level;
    out.write(level);
    out_trace.set(level, now);
    if (level) ++m_irq_edges;
  }
  if (m_counting) {
    // The CPU clock is at least the PIT clock, so the next tick is a later cycle.
    const Cycles at = cycle_of_tick(next_transition_tick(tick));
    m_transition.notify(m_clock.span(at - now));
  }
}

void Pit::trace_out_waveform() {
  m_driven = false;
  m_waveform = true;
  restart_waveform();
}

// The traced waveform's changes up to now are written before the state they
// are computed from changes.
void Pit::settle_trace() {
  if (m_waveform) out_trace.settle(m_clock.now());
}

// The first change after `cycle`, from the state alone (two 128-bit divisions).
Pit::OutChange Pit::change_after(Cycles cycle) const {
  OutChange c;
  c.tick = next_transition_tick(tick_at(cycle));
  const u128 scaled = u128{c.tick} * m_clock.hz() + kInputHz - 1;
  c.cycle = static_cast<Cycles>(scaled / kInputHz);
  c.remainder = static_cast<std::uint64_t>(scaled % kInputHz);
  c.level = out_at_tick(c.tick);
  // step_to_next() steps by at most 65535 ticks, in 64 bits.
  c.known = m_reload >= 2 && m_clock.hz() <= (~std::uint64_t{0} - kInputHz) / 0x10000;
  return c;
}

// The change after `c`, stepped from it (the writer asks at each change for
// the next): OUT alternates, high for reload - 1 ticks and low for one in
// mode 2, high for ceil(N/2) and low for floor(N/2) in mode 3; the tick's
// cycle ceil(tick * hz / kInputHz) moves by the step times hz, divided by a
// constant: no 128-bit division (docs/performance/sixth-round.md).
inline void Pit::step_to_next(OutChange& c) const {
  const std::uint64_t high = m_mode == 2 ? m_reload - 1 : (m_reload + 1) / 2;
  const std::uint64_t step = c.level ? high : m_reload - high;
  c.tick += step;
  const std::uint64_t carried = c.remainder + step * m_clock.hz();
  c.cycle += carried / kInputHz;
  c.remainder = carried % kInputHz;
  c.level = !c.level;
}

bool Pit::OutWaveform::next_change(Cycles after, Cycles* at, std::uint64_t* level) {
  if (!m_pit.m_counting) return false;
  if (after != m_last.cycle || !m_last.known) return first_change(after, at, level);
  m_pit.step_to_next(m_last);
  *at = m_last.cycle;
  *level = m_last.level;
  return true;
}

// Out of line and called last: the edge stepped from the last one saves no
// registers for it.
[[gnu::noinline]] bool Pit::OutWaveform::first_change(Cycles after, Cycles* at, std::uint64_t* level) {
  m_last = m_pit.change_after(after);
  *at = m_last.cycle;
  *level = m_last.level;
  return true;
}

void Pit::restart_waveform() {
  if (!m_waveform) return;
  const Cycles now = m_clock.now();
  out_trace.set(output(), now);
  m_out_waveform.restart();
  out_trace.set_waveform(m_out_waveform, now);
}

void Pit::reevaluate() {
  restart_waveform();
  // Before the simulation starts, update_out's initialization run does it.
  if (!simulation_started()) return;
  m_transition.cancel();
  m_transition.notify(sc_core::SC_ZERO_TIME);
}

// ---- port I/O -------------------------------------------------------------

void Pit::io_write(std::uint16_t port, std::uint8_t value) {
  if (port == kControlPort)
    write_control(value);
  else if (port == kCounter0Port)
    write_counter(value);
  // Channels 1 and 2 (0x41, 0x42) are not modelled: writes are ignored.
}

std::uint8_t Pit::io_read(std::uint16_t port) {
  if (port == kCounter0Port) return read_counter();
  if (port == kControlPort) return 0;  // the control word register is write-only
  return 0xff;                         // nothing answers: open bus
}

void Pit::write_control(std::uint8_t value) {
  const unsigned channel = value >> 6;
  if (channel != 0) return;  // channels 1, 2 and the read-back command: ignored
  const unsigned rw = (value >> 4) & 3;
  if (rw == 0) {  // counter latch command; a second latch before the read is ignored
    if (m_latched) return;
    m_latched = true;
    m_latched_count = static_cast<std::uint16_t>(count_at_tick(tick_at(m_clock.now())));
    m_latch_read = m_rw;
    return;
  }
  m_rw = rw == 1 ? Access::kLobyte : rw == 2 ? Access::kHibyte : Access::kWordLo;
  m_write = m_read = m_rw;
  m_latched = false;
  // A control word stops the channel and sets OUT high until a count is
  // written: a rising edge if OUT was low. OUT so far, traced or not, is the
  // old mode's: the new one applies from here.
  const Cycles now = m_clock.now();
  m_edges_before_load = rising_edges_until(now) + (output() ? 0 : 1);
  settle_trace();
  const unsigned mode = (value >> 1) & 7;
  m_mode = mode >= 6 ? mode - 4 : mode;  // 6 and 7 are aliases of 2 and 3
  // BCD (bit 0) is not modelled: the count is binary.
  m_counting = false;
  reevaluate();
}

void Pit::write_counter(std::uint8_t value) {
  switch (m_write) {
    case Access::kLobyte:
      load(value);
      break;
    case Access::kHibyte:
      load(std::uint32_t{value} << 8);
      break;
    case Access::kWordLo:
      m_write_lobyte = value;
      m_write = Access::kWordHi;
      break;
    case Access::kWordHi:
      load(m_write_lobyte | std::uint32_t{value} << 8);
      m_write = Access::kWordLo;
      break;
  }
}

void Pit::load(std::uint32_t reload) {
  // A new count while counting: the edges so far stay counted.
  if (m_counting) m_edges_before_load = rising_edges_until(m_clock.now());
  settle_trace();
  m_reload = reload == 0 ? 0x10000 : reload;
  // Only modes 2 and 3 run; a reload of 1 is illegal in both.
  m_counting = (m_mode == 2 || m_mode == 3) && m_reload >= 2;
  // Counting starts at the first input-clock edge after the write.
  m_load_tick = tick_at(m_clock.now()) + 1;
  reevaluate();
}

std::uint8_t Pit::read_counter() {
  if (m_latched) {
    const std::uint16_t c = m_latched_count;
    switch (m_latch_read) {
      case Access::kLobyte:
        m_latched = false;
        return c & 0xff;
      case Access::kWordLo:
        m_latch_read = Access::kHibyte;  // the latch holds until both bytes are read
        return c & 0xff;
      case Access::kHibyte:
      case Access::kWordHi:
        m_latched = false;
        return c >> 8;
    }
  }
  const std::uint16_t c = count();
  switch (m_read) {
    case Access::kLobyte:
      return c & 0xff;
    case Access::kHibyte:
      return c >> 8;
    case Access::kWordLo:
      m_read = Access::kWordHi;
      return c & 0xff;
    case Access::kWordHi:
      m_read = Access::kWordLo;
      return c >> 8;
  }
  return 0;
}

// ---- accessors ------------------------------------------------------------

std::uint16_t Pit::count() const {
  return static_cast<std::uint16_t>(count_at_tick(tick_at(m_clock.now())));
}

bool Pit::output() const { return out_at_tick(tick_at(m_clock.now())); }

// OUT rises when the count reloads: at PIT ticks load + k * reload, k >= 1,
// in both modes (it was high at the load itself).
std::uint64_t Pit::rising_edges_until(Cycles cycle) const {
  if (!m_counting) return m_edges_before_load;
  const std::uint64_t tick = tick_at(cycle);
  return m_edges_before_load + (tick < m_load_tick ? 0 : (tick - m_load_tick) / m_reload);
}

// The edge after `cycle` is the first at a tick past tick_at(cycle):
// cycle_of_tick(t) <= cycle exactly when t <= tick_at(cycle).
Cycles Pit::next_rising_edge(Cycles cycle) const {
  if (!m_counting) return kForever;
  const std::uint64_t tick = tick_at(cycle);
  const std::uint64_t k = tick < m_load_tick ? 1 : (tick - m_load_tick) / m_reload + 1;
  return cycle_of_tick(m_load_tick + k * m_reload);
}

Cycles Pit::period_cycles() const {
  if (!m_counting) return 0;
  return static_cast<Cycles>((u128{m_reload} * m_clock.hz() + kInputHz / 2) / kInputHz);
}

std::uint16_t pit_reload_for(Hertz tick_hz) {
  if (tick_hz == 0) return 0;
  const Hertz reload = std::clamp<Hertz>((Pit::kInputHz + tick_hz / 2) / tick_hz, 1, 0x10000);
  return static_cast<std::uint16_t>(reload);  // 65536 wraps to 0, as the 8254 encodes it
}

}  // namespace vmmsim::devices
