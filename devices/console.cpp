#include "devices/console.h"

#include <algorithm>
#include <utility>

namespace vmmsim::devices {
namespace {

bool simulation_started() {
  return (sc_core::sc_get_status() & (sc_core::SC_RUNNING | sc_core::SC_PAUSED)) != 0;
}

// Bytes still on a line that falls idle at `idle_at`: the head byte leaves
// when its frame completes, so a partly sent byte still counts.
Bytes bytes_until(Cycles idle_at, Cycles now, Cycles per_byte) {
  if (per_byte == 0 || idle_at <= now) return 0;
  return (idle_at - now + per_byte - 1) / per_byte;
}

}  // namespace

Console::Console(sc_core::sc_module_name name, const CycleClock& clock, Cycles cycles_per_byte,
                 Bytes fifo_capacity)
    : sc_core::sc_module(name),
      fifo_level("fifo_level"),
      focus_signal("focus_signal"),
      m_clock(clock),
      m_cycles_per_byte(cycles_per_byte),
      m_capacity(fifo_capacity) {
  if (fifo_capacity == 0)
    SC_REPORT_ERROR("vmmsim/console", "the TX FIFO needs room for at least one byte");
  SC_HAS_PROCESS(Console);
  // Not dont_initialize(): the first run publishes a focus set during elaboration.
  SC_METHOD(update_line);
  sensitive << m_wake;
}

void Console::attach(EventLoop& loop) {
  loop.attach(*this);
  m_in_loop = true;
}

// ---- the lines, computed from the time -----------------------------------

Bytes Console::tx_level(Cycles now) const {
  return bytes_until(m_tx_idle_at, now, m_cycles_per_byte);
}

Bytes Console::rx_in_flight(Cycles now) const {
  return bytes_until(m_rx_idle_at, now, m_cycles_per_byte);
}

Cycles Console::next_tx_boundary(Cycles now) const {
  return m_tx_idle_at - (tx_level(now) - 1) * m_cycles_per_byte;
}

Cycles Console::next_rx_completion(Cycles now) const {
  return m_rx_idle_at - (rx_in_flight(now) - 1) * m_cycles_per_byte;
}

// ---- the owner's side -----------------------------------------------------

Bytes Console::write(Bytes n) {
  const Cycles now = m_clock.now();
  Bytes accepted = 0;
  if (!m_retired) {
    accepted = m_cycles_per_byte == 0 ? n : std::min(n, m_capacity - tx_level(now));
    m_tx_idle_at = std::max(m_tx_idle_at, now) + accepted * m_cycles_per_byte;
  }
  m_tx_written += accepted;
  if (accepted < n) m_writer_refused = true;
  if (accepted > 0 && level_trace.bound()) trace_tx_level(now);
  arm();
  return accepted;
}

// The VCD's level: the value now, then one byte less at each frame's end,
// written by the VCD writer itself (no event per byte, so tracing does not
// change what the simulation does).
void Console::trace_tx_level(Cycles now) {
  const Bytes level = tx_level(now);
  level_trace.set(level, now);
  if (level > 0) level_trace.set_at(level - 1, next_tx_boundary(now), m_cycles_per_byte);
}

void Console::input(Bytes n) {
  const Cycles now = m_clock.now();
  m_rx_idle_at = std::max(m_rx_idle_at, now) + n * m_cycles_per_byte;
  m_rx_arrived += n;
  if (!m_rx_for.empty() && m_rx_for.back().second == m_focus)
    m_rx_for.back().first = m_rx_arrived;
  else
    m_rx_for.emplace_back(m_rx_arrived, m_focus);
  arm();
}

void Console::set_tx_space_threshold(Bytes room) {
  m_space_threshold = std::clamp<Bytes>(room, 1, m_capacity);
  arm();
}

void Console::set_focus(std::uint32_t vm) {
  m_focus = vm;
  arm();
}

void Console::trace_level(bool on) {
  m_trace_level = on;
  arm();
}

void Console::retire(std::function<void(Retirement)> done) {
  if (m_retire_pending) {
    SC_REPORT_ERROR("vmmsim/console", "retire() while a retirement is in progress");
    return;
  }
  const Cycles now = m_clock.now();
  m_retired = true;
  m_retire_pending = true;
  m_retire_done = std::move(done);
  m_retire_started = now;
  m_retire_tx = tx_level(now);
  m_retire_rx_target = m_rx_arrived;
  m_retire_rx = m_rx_arrived - m_rx_delivered;
  // Writes are refused from now on, so both lines fall idle at known times.
  m_retire_done_at = std::max({now, m_tx_idle_at, m_rx_idle_at});
  arm();
}

void Console::resume() {
  if (m_retire_pending) {
    SC_REPORT_ERROR("vmmsim/console", "resume() before the retirement finished");
    return;
  }
  m_retired = false;
  arm();
}

// ---- the model's process --------------------------------------------------

// One on_rx per VM the bytes were typed for, in typing order.
void Console::deliver_rx(Bytes upto) {
  while (upto > m_rx_delivered && !m_rx_for.empty()) {
    const auto [end, vm] = m_rx_for.front();
    const Bytes to = std::min(upto, end);
    const Bytes n = to - m_rx_delivered;
    m_rx_delivered = to;
    if (to == end) m_rx_for.pop_front();
    if (on_rx) on_rx(n, vm);
  }
}

void Console::update_line() {
  const Cycles now = m_clock.now();
  if (m_focus != m_published_focus) {
    m_published_focus = m_focus;
    if (!m_in_loop) focus_signal.write(m_focus);  // the loop's code writes no sc_signal
    focus_trace.set(m_focus, now);
  }
  if (m_trace_level && tx_level(now) != m_published_level) {
    m_published_level = tx_level(now);
    if (!m_in_loop) fifo_level.write(static_cast<std::uint32_t>(m_published_level));
  }
  if (m_retire_pending && now >= m_retire_done_at) {
    m_retire_pending = false;
    deliver_rx(m_retire_rx_target);  // only what was in flight at retire()
    auto done = std::move(m_retire_done);
    m_retire_done = nullptr;
    if (done) done(Retirement{m_retire_tx, m_retire_rx, now - m_retire_started});
  }
  if (!m_retired) {
    deliver_rx(m_rx_arrived - rx_in_flight(now));
    if (m_writer_refused && tx_level(now) + m_space_threshold <= m_capacity) {
      m_writer_refused = false;
      if (on_tx_space) on_tx_space();
    }
  }
  arm();
}

void Console::arm() {
  // Before the simulation starts, update_line's initialization run does it.
  if (!simulation_started() && !m_in_loop) return;
  const Cycles now = m_clock.now();
  const Bytes level = tx_level(now);
  Cycles next = kForever;
  auto at = [&next](Cycles when) { next = std::min(next, when); };

  if (m_focus != m_published_focus) at(now);
  if (m_trace_level) {
    if (level != m_published_level) at(now);
    if (level > 0) at(next_tx_boundary(now));
  }
  if (m_retire_pending) at(m_retire_done_at);
  if (!m_retired) {
    // The level falls to capacity - threshold when the line is that many
    // frames from idle.
    const Cycles room_at = m_tx_idle_at - (m_capacity - m_space_threshold) * m_cycles_per_byte;
    if (m_writer_refused) at(level + m_space_threshold <= m_capacity ? now : room_at);
    const Bytes in_flight = rx_in_flight(now);
    if (m_rx_arrived - in_flight > m_rx_delivered) at(now);
    if (in_flight > 0) at(next_rx_completion(now));
  }
  if (m_in_loop) return post(next, Rank::ConsoleLine);
  if (next == kForever) return;
  // An earlier pending notification wins; update_line re-arms what it overtakes.
  m_wake.notify(next > now ? m_clock.span(next - now) : sc_core::SC_ZERO_TIME);
}

}  // namespace vmmsim::devices
