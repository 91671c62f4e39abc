// The platform top: every module of a simulation, built from a resolved
// config. One per process (SystemC elaborates once).
#pragma once

#include <csignal>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "config/config.h"
#include "cpu/processor.h"
#include "devices/console.h"
#include "devices/memory.h"
#include "devices/pit.h"
#include "models/timeline_observer.h"
#include "models/vcd_observer.h"
#include "report/results.h"
#include "report/timeline.h"
#include "report/vcd_writer.h"
#include "sim/cycle_clock.h"
#include "sim/event_loop.h"
#include "sim/wakeup_queue.h"
#include "vmm/scheduler_manager.h"
#include "vmm/vmm.h"

namespace vmmsim::models {

class Platform : public sc_core::sc_module {
 public:
  Platform(sc_core::sc_module_name name, const config::Config& config);
  ~Platform() override;

  // Trace the DESIGN.md §8 signal set (and the image area's; docs/results.md) into a VCD file (before run()); the
  // file's owner commits it after finish_trace().
  void trace_vcd(OutputFile& file);
  // The legends of the VCD's signals (VcdWriter::declare), known before the
  // platform is built: a translate filter file is planned for each.
  static const std::vector<std::string>& vcd_legends();
  // The VCD writer (after trace_vcd; for the GTKWave files once it is closed).
  const report::VcdWriter* vcd() const { return m_vcd.get(); }
  // Stream a Chrome/Perfetto timeline of [from, to) to `file` (before
  // run()), and the first replacement's neighbourhood with
  // `replacement_pad` > 0 (report/timeline.h).
  void record_timeline(OutputFile& file, Cycles from = 0, Cycles to = kForever, Cycles replacement_pad = 0);
  // Runs for `until` cycles or until every guest program has ended. With
  // `stop`, runs in chunks of simulated time and returns true if *stop was
  // set (by a signal handler) before the end: the run then ends where it is.
  // Chunks change no result: only the host checks the flag between them.
  // A failed write to the VCD or timeline also ends a chunked run early
  // (the file's owner reports it); that returns false. A run whose
  // simulated time stands still (vmm/stall_guard.h) ends in an InputError
  // naming the vCPU or the key that loops.
  bool run(Cycles until, const volatile std::sig_atomic_t* stop = nullptr, Cycles first_chunk = 0);
  // Called between the chunks of a chunked run (before run()), e.g. to show
  // progress; host side only, it changes no result.
  void on_chunk(std::function<void()> between_chunks) { m_between_chunks = std::move(between_chunks); }
  // Writes the end of the VCD (if any).
  void finish_trace();
  report::Results results() const;

  const CycleClock& clock() const { return m_clock; }
  // Every model event goes through it; advance() runs the simulation.
  EventLoop& events() { return *m_loop; }
  cpu::Processor& processor(std::size_t i) { return *m_processors[i]; }
  vmm::Vmm& vmm() { return *m_vmm; }
  devices::Console& console() { return *m_console; }
  devices::Pit& pit() { return *m_pit; }
  devices::Memory& memory() { return *m_memory; }
  vmm::SchedulerManager& manager() { return m_vmm->manager(); }
  const std::vector<vmm::Vcpu>& vcpus() const { return m_vmm->vcpus(); }

 private:
  const config::Config& m_config;
  CycleClock m_clock;

  sc_core::sc_signal<bool> m_pit_out;  // high until programmed, as the 8254's OUT
  std::unique_ptr<EventLoop> m_loop;   // every event of the models, in one order
  std::unique_ptr<devices::Memory> m_memory;
  std::unique_ptr<devices::Pit> m_pit;
  std::unique_ptr<devices::Console> m_console;
  std::unique_ptr<vmm::Vmm> m_vmm;
  std::unique_ptr<WakeupQueue> m_processor_wakeups;  // shared: the processors' source in the loop
  std::vector<std::unique_ptr<cpu::Processor>> m_processors;
  std::unique_ptr<report::Timeline> m_timeline;
  std::unique_ptr<report::VcdWriter> m_vcd;
  // What the timeline and the VCD observe of the VMM (after them: destroyed first).
  std::unique_ptr<TimelineObserver> m_timeline_observer;
  std::unique_ptr<VcdObserver> m_vcd_observer;
  std::function<void()> m_between_chunks;
};

}  // namespace vmmsim::models
