// The bridge between cycles (the unit of every model) and SystemC time.
// SystemC runs at a 1 ps resolution; a cycle is the clock period rounded to
// whole picoseconds, and every event falls on a cycle boundary, so cycle
// counts read back from sc_time_stamp() are exact.
#pragma once

#include <algorithm>

#include <systemc>

#include "base/units.h"

namespace vmmsim {

class CycleClock {
 public:
  // Must run once per process, before any sc_time is made (sc_main does it).
  static void set_kernel_resolution() { sc_core::sc_set_time_resolution(1, sc_core::SC_PS); }

  explicit CycleClock(Hertz hz) : m_hz(hz), m_period_ps(vmmsim::period_ps(hz)), m_horizon(kernel_horizon(hz)) {}

  Hertz hz() const { return m_hz; }
  std::uint64_t period_ps() const { return m_period_ps; }
  // The last cycle SystemC time represents (base/units.h): what is due
  // later is never reached by a run, whose `until` is far below it.
  Cycles horizon() const { return m_horizon; }
  // The current simulation time in cycles: the event loop's while it
  // serves events ahead of the kernel (sim/event_loop.h), else the kernel's.
  Cycles now() const { return m_local != kForever ? m_local : kernel_now(); }
  Cycles kernel_now() const { return sc_core::sc_time_stamp().value() / m_period_ps; }
  // For the event loop only: the cycle it serves while ahead of the kernel.
  void set_local(Cycles cycle) { m_local = cycle; }
  void clear_local() { m_local = kForever; }
  // A span of cycles as SystemC time; a span past the horizon (a plugin's
  // slice, a product of costs) is cut there instead of wrapping around.
  sc_core::sc_time span(Cycles cycles) const {
    return sc_core::sc_time::from_value(std::min(cycles, m_horizon) * m_period_ps);
  }

 private:
  Hertz m_hz;
  std::uint64_t m_period_ps;
  Cycles m_horizon;
  Cycles m_local = kForever;
};

}  // namespace vmmsim
