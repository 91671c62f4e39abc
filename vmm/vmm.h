// The VMM: request intake for every requester (PIT tick, slice expiry,
// guest hypercalls, I/O and console wakes), dispatch through the active
// scheduler's ops table, and feedback to the requester.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>

#include "config/config.h"
#include "cpu/processor.h"
#include "devices/console.h"
#include "devices/memory.h"
#include "devices/pit.h"
#include "models/vcpu.h"
#include "models/vm.h"
#include "sim/timer_queue.h"
#include "vmm/request.h"
#include "vmm/scheduler_manager.h"

namespace vmmsim::vmm {

class Vmm : public sc_core::sc_module, public cpu::ExitHandler {
 public:
  sc_core::sc_in<bool> irq0;  // PIT channel 0 OUT; a rising edge is a tick

  struct Parts {
    const CycleClock& clock;
    const config::Config& config;
    SchedulerManager& manager;
    devices::Pit& pit;
    devices::Console& console;
    devices::Memory& memory;
    std::vector<models::Vm>& vms;
    std::vector<models::Vcpu>& vcpus;
  };
  Vmm(sc_core::sc_module_name name, const Parts& parts);

  // The processors are made after the VMM (they call back into it).
  void attach(std::vector<cpu::Processor*> processors);
  // Writes the per-VM running bits (VCD); off by default, costs nothing then.
  void enable_tracing();
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>& vm_running_signal(std::size_t vm) { return *m_vm_running[vm]; }

  // The request path: every request enters here and gets its feedback.
  Feedback handle(const Request& request);

  cpu::Resume on_exit(unsigned cpu, cpu::ExitReason reason, cpu::VcpuId owner, Cycles executed,
                      bool from_guest) override;
  Cycles on_burst_end(unsigned cpu, cpu::VcpuId owner, Cycles executed) override;

  std::uint64_t requests(RequestKind kind) const { return m_requests[static_cast<std::size_t>(kind)]; }
  std::uint64_t feedback_count(Status s) const { return m_statuses[static_cast<std::size_t>(s)]; }
  bool guests_done() const { return m_guests_left == 0; }

 private:
  // What the VMM keeps per pCPU about its current dispatch.
  struct Dispatch {
    VcpuId owner = kNone;
    VcpuId last_owner = kNone;  // for cache refill: who ran here last
    Cycles ran = 0;             // guest cycles since the dispatch
    Cycles slice = kForever;
  };
  enum TimerKind : std::uint32_t { kArrival, kIoDone, kConsoleInput };

  void start_of_simulation() override;
  void program_pit();
  void on_tick();
  void on_timer(std::uint32_t kind, std::uint64_t token);
  void on_console_rx(Bytes bytes);
  void on_console_space();

  Feedback decide(const SchedulerSlot& s, int cpu, VcpuId prev);
  void wake(const SchedulerSlot& s, VcpuId v, Cycles now);
  void dispatched(int cpu, VcpuId prev, VcpuId next, Cycles now);
  // One program step of the owner on `cpu`: the hypercall it makes.
  Feedback program_step(int cpu, models::Vcpu& v, Cycles now);
  Feedback console_write(int cpu, models::Vcpu& v);
  Feedback console_read(int cpu, models::Vcpu& v);
  Feedback completed(RequestKind kind);
  Cycles burst_of(const models::Vcpu& v) const;
  void set_running(const models::Vcpu& v, bool running);

  const CycleClock& m_clock;
  const config::Config& m_config;
  const config::CostConfig m_costs;
  SchedulerManager& m_manager;
  devices::Pit& m_pit;
  devices::Console& m_console;
  devices::Memory& m_memory;
  std::vector<models::Vm>& m_vms;
  std::vector<models::Vcpu>& m_vcpus;
  std::vector<cpu::Processor*> m_processors;
  std::vector<Dispatch> m_dispatch;
  TimerQueue m_timers;
  std::deque<VcpuId> m_blocked_writers;
  std::vector<std::unique_ptr<sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>>> m_vm_running;
  bool m_traced = false;
  Cycles m_last_keystroke = 0;
  std::uint64_t m_inputs_left = 0;
  std::size_t m_focus = 0;
  unsigned m_guests_left = 0;
  std::array<std::uint64_t, kRequestKinds> m_requests{};
  std::array<std::uint64_t, 3> m_statuses{};
};

}  // namespace vmmsim::vmm
