// Intel 8254 programmable interval timer, channel 0 (the PC's IRQ0 source).
//
// Modelled the QEMU i8254 way: the channel keeps only the PIT tick at which
// the reload value was loaded and the reload value itself; the count and OUT
// are computed from the time when asked, and one event wakes the model only
// at the next OUT transition. No process runs per PIT tick. In a platform
// the pin is not driven (set_driven): the VMM takes IRQ0 edges from
// rising_edges_until/next_rising_edge, and the VCD computes pit.out
// (trace_out_waveform). The edge a control word forces while OUT is low is
// counted by rising_edges_until but never served as IRQ0 (the VMM programs
// the PIT once, at the start, with OUT high).
//
// Supported: control word at 0x43 for channel 0 (counter latch, RW lobyte /
// hibyte / lobyte-then-hibyte, modes 2 and 3, 6/7 aliasing 2/3), counter
// data at 0x40. Not modelled (see docs/devices.md): channels 1 and 2, the
// read-back command, BCD counting (treated as binary), modes 0, 1, 4 and 5
// (programming them stops the channel with OUT high), the GATE input (always
// high), reload 1 in modes 2/3 (illegal on the 8254: stops the channel).
#pragma once

#include <cstdint>
#include <systemc>

#include "base/units.h"
#include "report/vcd_writer.h"
#include "sim/cycle_clock.h"

namespace vmmsim::devices {

class Pit : public sc_core::sc_module {
 public:
  static constexpr Hertz kInputHz = 1193182;  // the PC's PIT input clock
  static constexpr std::uint16_t kCounter0Port = 0x40;
  static constexpr std::uint16_t kControlPort = 0x43;

  // OUT of channel 0; its rising edge is IRQ0. High until programmed, then
  // written only at transitions, by the model's own process. Bind it to a
  // signal constructed high (sc_signal<bool> irq0{"irq0", true}): a signal
  // starting low would see a rising edge at time 0 (a warning says so).
  sc_core::sc_out<bool> out;
  report::VcdSignal out_trace;  // OUT, traced (--vcd)

  // The CPU clock must be at least kInputHz, so that every PIT tick falls on
  // a distinct cycle (a one-tick OUT pulse is then always visible).
  Pit(sc_core::sc_module_name name, const CycleClock& clock);

  // Port I/O as the VMM issues it. Ports other than 0x40 and 0x43 are
  // ignored (reads return 0xff); 0x43 is write-only (reads return 0).
  void io_write(std::uint16_t port, std::uint8_t value);
  std::uint8_t io_read(std::uint16_t port);

  // The live count of channel 0 (65536 reads as 0), without latching.
  std::uint16_t count() const;
  // The level of OUT now, computed from the time.
  bool output() const;
  // The nominal period for the programmed reload value, rounded to cycles;
  // 0 while the channel is stopped.
  Cycles period_cycles() const;
  // Rising edges written to `out` so far (while driven).
  std::uint64_t irq_edges() const { return m_irq_edges; }
  // Rising edges of OUT (IRQ0) at or before `cycle`, computed: exact whether
  // or not the pin is driven.
  std::uint64_t rising_edges_until(Cycles cycle) const;
  // The cycle of the first rising edge after `cycle`; kForever if stopped.
  Cycles next_rising_edge(Cycles cycle) const;
  // Drive `out` (and out_trace) at each transition (the default). Off, no
  // process runs per edge: for a platform that does not trace OUT.
  void set_driven(bool on) { m_driven = on; }
  // Trace OUT into out_trace from the programmed state (a VCD waveform the
  // writer computes edge by edge), with the pin not driven: tracing the PIT
  // then costs the simulation nothing per edge.
  void trace_out_waveform();
  // The operating mode (0..5, after aliasing) and whether it is counting.
  unsigned mode() const { return m_mode; }
  bool counting() const { return m_counting; }

 private:
  // Access states of the counter register, as RW programs them.
  enum class Access : std::uint8_t { kLobyte, kHibyte, kWordLo, kWordHi };

  void write_control(std::uint8_t value);
  void write_counter(std::uint8_t value);
  std::uint8_t read_counter();
  void load(std::uint32_t reload);
  void start_of_simulation() override;
  void update_out();  // the SC_METHOD: drives OUT and arms the next edge
  void reevaluate();  // lets update_out run in the next delta

  std::uint64_t tick_at(Cycles cycle) const;
  Cycles cycle_of_tick(std::uint64_t tick) const;
  bool out_at_tick(std::uint64_t tick) const;
  std::uint32_t count_at_tick(std::uint64_t tick) const;
  std::uint64_t next_transition_tick(std::uint64_t tick) const;
  // A change of the traced OUT: its PIT tick, cycle and level, and what
  // steps to the next one without dividing (step_to_next()).
  struct OutChange {
    std::uint64_t tick = 0;
    Cycles cycle = 0;
    std::uint64_t remainder = 0;  // of the cycle's division: (tick * hz + kInputHz - 1) % kInputHz
    bool level = true;
    bool known = false;  // step_to_next() may step from it
  };
  OutChange change_after(Cycles cycle) const;
  void step_to_next(OutChange& c) const;
  // OUT as the VCD writer asks for it, change by change, each stepped from
  // the last when it can be.
  class OutWaveform final : public report::VcdWaveform {
   public:
    explicit OutWaveform(const Pit& pit) : m_pit(pit) {}
    bool next_change(Cycles after, Cycles* at, std::uint64_t* level) override;
    bool first_change(Cycles after, Cycles* at, std::uint64_t* level);  // not stepped from the last
    void restart() { m_last = OutChange{}; }  // the programmed state has changed

   private:
    const Pit& m_pit;
    OutChange m_last;  // the change last given
  };
  void restart_waveform();  // after (re)programming, when traced as a waveform
  void settle_trace();      // before (re)programming, likewise

  const CycleClock& m_clock;
  sc_core::sc_event m_transition;

  // Programmed state: only the load tick and the reload value (1..65536).
  unsigned m_mode = 3;
  bool m_counting = false;
  std::uint32_t m_reload = 0x10000;
  std::uint64_t m_load_tick = 0;  // the PIT tick at which the reload was loaded
  std::uint64_t m_edges_before_load = 0;  // rising edges before the channel was last stopped

  // Register access state.
  Access m_rw = Access::kWordLo;     // as programmed by RW
  Access m_write = Access::kWordLo;  // where the next data write goes
  Access m_read = Access::kWordLo;   // where the next live read comes from
  std::uint8_t m_write_lobyte = 0;
  bool m_latched = false;
  Access m_latch_read = Access::kWordLo;  // next byte of the latched count
  std::uint16_t m_latched_count = 0;

  // What update_out last drove on OUT.
  bool m_out = true;
  std::uint64_t m_irq_edges = 0;
  bool m_driven = true;
  bool m_waveform = false;
  OutWaveform m_out_waveform{*this};
};

// The reload value that makes channel 0 tick at `tick_hz`: round(1193182 /
// tick_hz) clamped to 1..65536, encoded as the 8254 expects (65536 is 0).
// Note that 1 is illegal in modes 2 and 3 (tick_hz above ~795 kHz).
std::uint16_t pit_reload_for(Hertz tick_hz);

}  // namespace vmmsim::devices
