// A UART-like console: a TX FIFO drained at the baud rate, an RX line that
// delivers typed bytes to the VM with the focus, and retirement of in-flight
// traffic for live scheduler replacement.
//
// Event-driven: the TX and RX lines are each described by the cycle at which
// they fall idle, and the FIFO level is computed from it when asked. The
// model wakes only when someone waits for something: a refused writer (per
// byte that leaves), an RX byte to deliver, the end of a retirement, or a
// traced signal to update. In a platform the line is a source of the event
// loop (Rank::ConsoleLine, attach()); alone it runs its own process.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <systemc>

#include "base/units.h"
#include "report/vcd_writer.h"
#include "sim/cycle_clock.h"
#include "sim/event_loop.h"

namespace vmmsim::devices {

class Console : public sc_core::sc_module, public EventSource {
 public:
  // What a retirement retired: bytes in flight when it started and the cycles
  // from retire() to done().
  struct Retirement {
    Bytes tx_bytes = 0;
    Bytes rx_bytes = 0;
    Cycles cycles = 0;
  };

  // TX FIFO level; updated at each byte boundary only after trace_level(true).
  // Neither signal is written while the console is attached to an event
  // loop (its code writes no sc_signal; focus() and level() tell the values).
  sc_core::sc_signal<std::uint32_t> fifo_level;
  // The VM that has the console focus.
  sc_core::sc_signal<std::uint32_t> focus_signal;
  // The same two, traced (--vcd).
  report::VcdSignal level_trace;
  report::VcdSignal focus_trace;

  // Called when the TX FIFO has the threshold's room free after write()
  // refused bytes (not otherwise): the FIFO-threshold interrupt.
  std::function<void()> on_tx_space;
  // Called with received bytes ready for `vm`: the VM that had the focus
  // when they were typed (input()), whatever the focus is at delivery.
  std::function<void(Bytes, std::uint32_t vm)> on_rx;

  // cycles_per_byte: one frame on the line (10 bits for 8N1); 0 makes the
  // line instantaneous. fifo_capacity counts the byte being shifted out and
  // must be at least 1.
  Console(sc_core::sc_module_name name, const CycleClock& clock, Cycles cycles_per_byte,
          Bytes fifo_capacity);

  // TX: queues up to the free space and returns how many bytes it took (0
  // while retired). Fewer than n arms on_tx_space.
  Bytes write(Bytes n);
  // RX: n bytes typed now, for the VM with the focus now; each takes
  // cycles_per_byte on the line, after any byte still arriving, and is
  // delivered through on_rx when complete.
  void input(Bytes n);

  // The free room (bytes, 1..capacity) that raises on_tx_space; default 1.
  // A driver waits for, e.g., half the FIFO rather than for every byte.
  void set_tx_space_threshold(Bytes room);

  void set_focus(std::uint32_t vm);
  std::uint32_t focus() const { return m_focus; }
  // Update fifo_level at every byte boundary (costs an event per byte; the
  // VCD does not need it).
  void trace_level(bool on);

  // Stops accepting writes and holds RX deliveries, drains the TX FIFO,
  // delivers the RX bytes in flight at this call in one on_rx, then calls
  // done (from the model's process, never from inside retire()). Writes stay
  // refused and RX arriving later stays held until resume().
  void retire(std::function<void(Retirement)> done);
  // Accepts traffic again: held RX bytes are delivered and a writer refused
  // meanwhile gets on_tx_space.
  void resume();
  bool retired() const { return m_retired; }

  // Serve the line from `loop` at Rank::ConsoleLine instead of its own process.
  void attach(EventLoop& loop);

  Cycles cycles_per_byte() const { return m_cycles_per_byte; }
  Bytes capacity() const { return m_capacity; }
  Bytes level() const { return tx_level(m_clock.now()); }  // bytes in the TX FIFO now
  Bytes bytes_written() const { return m_tx_written; }     // accepted by write()
  Bytes bytes_transmitted() const { return m_tx_written - level(); }
  Bytes bytes_received() const { return m_rx_arrived - rx_in_flight(m_clock.now()); }
  Bytes bytes_delivered() const { return m_rx_delivered; }  // handed to on_rx
  // When both lines fall idle if nothing more is written or typed: when a
  // retire() called at `at` (now or later) is done.
  Cycles idle_at(Cycles at) const { return std::max({at, m_tx_idle_at, m_rx_idle_at}); }

 private:
  void update_line();  // everything due on the line now (the SC_METHOD, or the loop's)
  void serve(Cycles) override { update_line(); }
  void arm();          // notifies m_wake for the earliest thing someone waits for

  Bytes tx_level(Cycles now) const;
  Bytes rx_in_flight(Cycles now) const;
  Cycles next_tx_boundary(Cycles now) const;  // when the byte at the head leaves
  Cycles next_rx_completion(Cycles now) const;
  void deliver_rx(Bytes upto);
  void trace_tx_level(Cycles now);

  const CycleClock& m_clock;
  const Cycles m_cycles_per_byte;
  const Bytes m_capacity;
  sc_core::sc_event m_wake;
  bool m_in_loop = false;

  // TX: the FIFO is empty from m_tx_idle_at on.
  Cycles m_tx_idle_at = 0;
  Bytes m_tx_written = 0;
  bool m_writer_refused = false;
  Bytes m_space_threshold = 1;

  // RX: the line is idle from m_rx_idle_at on.
  Cycles m_rx_idle_at = 0;
  Bytes m_rx_arrived = 0;    // bytes typed so far (received or on the line)
  Bytes m_rx_delivered = 0;  // bytes handed to on_rx
  // Who typed bytes are for: the focus at input(), as (end of its bytes in
  // m_rx_arrived, VM), oldest first; a keystroke keeps its VM in flight.
  std::deque<std::pair<Bytes, std::uint32_t>> m_rx_for;

  // Retirement.
  bool m_retired = false;         // from retire() to resume()
  bool m_retire_pending = false;  // done not called yet
  Cycles m_retire_started = 0;
  Cycles m_retire_done_at = 0;
  Bytes m_retire_tx = 0;
  Bytes m_retire_rx_target = 0;  // m_rx_arrived when retire() was called
  Bytes m_retire_rx = 0;
  std::function<void(Retirement)> m_retire_done;

  // Traced values as last written by update_line.
  std::uint32_t m_focus = 0;
  std::uint32_t m_published_focus = 0;
  bool m_trace_level = false;
  Bytes m_published_level = 0;
};

}  // namespace vmmsim::devices
