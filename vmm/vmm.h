// The VMM: request intake for every requester (PIT tick, slice expiry,
// guest hypercalls, I/O and console wakes, the service VM), dispatch
// through the active scheduler's ops table as the activation mechanism
// finds it, and feedback to the requester. It owns the replacement
// sequence and the watchdog.
#pragma once

#include <array>
#include <deque>
#include <exception>
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
#include "report/results.h"
#include "sim/event_loop.h"
#include "sim/timer_queue.h"
#include "vmm/controller.h"
#include "vmm/epochs.h"
#include "vmm/observer.h"
#include "vmm/replacement.h"
#include "vmm/request.h"
#include "vmm/scheduler_manager.h"
#include "vmm/shadow.h"
#include "vmm/stall_guard.h"
#include "vmm/vcpu.h"
#include "vmm/vcpu_waits.h"
#include "vmm/vm.h"

namespace vmmsim::vmm {

class Vmm : public cpu::ExitHandler, public sc_core::sc_module {  // ExitHandler first: its calls need no thunk
 public:
  struct Parts {
    const CycleClock& clock;
    EventLoop& loop;
    const config::Config& config;
    devices::Pit& pit;
    devices::Console& console;
    devices::Memory& memory;
  };
  Vmm(sc_core::sc_module_name name, const Parts& parts);

  // The guests, as the VMM keeps them (built from the config): the VMs in
  // declaration order, the vCPUs by id.
  const std::vector<Vm>& vms() const { return m_vms; }
  const std::vector<Vcpu>& vcpus() const { return m_vcpus; }
  // A vCPU's waits (runnable, not running) that have ended, so far.
  Histogram waits_of(VcpuId id) const { return m_waits.of(id); }

  // The processors are made after the VMM (they call back into it); then
  // the default scheduler is loaded and every vCPU inserted.
  void attach(std::vector<cpu::Processor*> processors);

  // The request path: every request enters here and gets its feedback.
  Feedback handle(const Request& request);

  cpu::Resume on_exit(unsigned cpu, cpu::ExitReason reason, cpu::VcpuId owner, Cycles executed, bool from_guest,
                      Cycles now) override;
  Cycles on_burst_end(unsigned cpu, cpu::VcpuId owner, Cycles executed) override;

  // For the replacement sequence.
  std::vector<cpu::Processor*>& processors() { return m_processors; }
  // While offline (every processor parked) wakes change vCPU state but
  // reach no scheduler (their feedback is `deferred`); ticks are dropped.
  // The owners parked on the processors stall from `ceased_at` (the cease
  // sign) or their dispatch, if later.
  void go_offline(Cycles ceased_at);
  // Inserts every live vCPU, with its run state, the pCPU it is parked on
  // and its VM's parameters, into the instance in `slot`; "" or the
  // scheduler's reason.
  std::string migrate_into(std::uint32_t slot, unsigned* migrated);
  unsigned migratable_vcpus() const;
  // Back online: wakes held since migrate_into (fresh) or since going
  // offline (a failed replacement) are delivered to the active scheduler.
  // Each parked owner stays on its pCPU: the first pick_next there has it
  // as prev ([0027]: the switch devices keep their state).
  void go_online(bool fresh);
  // Every control request served, then the one in progress (if any), with
  // what each replacement cost the guests (stalls, held wakes, ticks).
  std::vector<report::ReplacementResult> replacement_results() const;
  void control_done(const ControlOp& op, bool ok);
  // VMM work of `cycles` on `cpu` while the guests run (an image's unload):
  // done at the pCPU's next VM exit, for which a running guest is kicked as
  // by an IPI and then goes on; an idle pCPU is woken. The cycles count as
  // the pCPU's vmm time. `done` is told the cycle the work ends.
  void run_vmm_work(unsigned cpu, Cycles cycles, std::function<void(Cycles)> done);
  // The pCPU the vCPU last ran on; -1 if it never ran.
  int last_cpu_of(VcpuId v) const { return m_vcpus[static_cast<std::size_t>(v)].last_cpu; }

  SchedulerManager& manager() { return m_manager; }
  EventLoop& events() { return m_loop; }
  Replacement& replacement() { return m_replacement; }
  std::uint64_t requests(RequestKind kind) const;
  std::uint64_t feedback_count(Status s) const;
  // IRQ0 edges the VMM has seen (served or not simulated; vmm/ticks.cpp).
  std::uint64_t pit_ticks() const { return m_pit.rising_edges_until(ticks_through()); }
  // Whether IRQ0 edges are simulated now, or only counted (vmm/ticks.cpp).
  bool ticks_simulated() const { return m_ticks_simulated; }
  // Scheduling decisions: calls of the active scheduler's pick_next (bench: ns per decision).
  std::uint64_t decisions() const { return m_decisions; }
  bool guests_done() const { return m_guests_left == 0; }
  const std::vector<report::FaultResult>& faults() const { return m_faults; }
  // Observers (vmm/observer.h): the soak's checker, the timeline, the VCD.
  // Adding or removing one that watches requests changes whether PIT ticks
  // are simulated (vmm/ticks.cpp); one that does not changes nothing.
  void add_observer(Observer* observer);
  void remove_observer(Observer* observer);
  // For observers: what each pCPU was given; the processors are ceased
  // (from ceased_at()) for a replacement.
  VcpuId owner_of(unsigned cpu) const { return m_dispatch[cpu].owner; }
  bool offline() const { return m_offline; }
  // When the active scheduler was activated (0: the default at boot).
  Cycles activated_at() const { return m_activated_at; }
  Cycles ceased_at() const { return m_swaps.empty() ? 0 : m_swaps.back().ceased_at; }
  // Why simulated time stood still, if it did: the run was stopped there
  // (Platform::run reports it as bad input). Empty otherwise.
  const std::string& stalled() const { return m_stalled; }
  // The results by active scheduler, the last epoch ending now.
  std::vector<report::EpochResult> epochs() const;
  // Shadow evaluation (vmm/shadow_requests.cpp): a sched-shadow or
  // sched-unshadow served at once; "" or why it was rejected (also listed).
  std::string shadow_control(const workload::ControlRequest& request, const char* requester);
  // Every shadow session and rejected request, the one on as it stands now.
  std::vector<report::ShadowResult> shadow_results() const;
  // The switching controller's results (vmm/controller_hooks.cpp), with
  // `replacements` as replacement_results() gives them; none without [controller].
  std::optional<report::ControllerResult> controller_result(
      const std::vector<report::ReplacementResult>& replacements) const;

 private:
  // What the VMM keeps per pCPU about its current dispatch.
  struct Dispatch {
    VcpuId owner = kNone;
    VcpuId last_owner = kNone;  // for cache refill: who ran here last
    Cycles ran = 0;             // guest cycles since the dispatch
    Cycles slice = kForever;
    Cycles since = 0;           // when the owner was dispatched
    Cycles decided = 0;         // when the scheduler last decided here (an idle slice starts there)
  };
  // What one replacement sequence cost the guests, by ordinal of go_offline.
  struct SwapCost {
    Cycles ceased_at = 0;
    unsigned vcpus_stalled = 0;
    Cycles stall_max = 0;  // of closed stalls; open ones are added at the end
    std::uint64_t wakes_held = 0;
    std::uint64_t ticks_ceased = 0;
  };
  struct VmmWork {
    Cycles cycles = 0;
    std::function<void(Cycles)> done;
  };
  enum TimerKind : std::uint32_t { kArrival, kIoDone, kConsoleInput, kSwap, kWatchdog, kShadow, kController };
  // IRQ0 as a source of the event loop, at Rank::Irq0.
  struct Irq0Line final : EventSource {
    explicit Irq0Line(Vmm& vmm) : vmm(vmm) {}
    void serve(Cycles now) override { vmm.on_irq0(now); }
    void next(Cycles at) { post(at, Rank::Irq0); }
    Vmm& vmm;
  };

  void start_of_simulation() override;
  void add_timer(Cycles due, TimerKind kind, std::uint64_t token);
  // Ticks (vmm/ticks.cpp). An IRQ0 edge is simulated only when something
  // needs it: the active scheduler's tick op, slice_timer = pit, an
  // observer. Otherwise it is counted, exactly, when asked.
  void program_pit();
  void on_irq0(Cycles now);
  bool ticks_needed() const;
  // Counts the edges up to `now` (inclusive) not simulated, then simulates
  // the next ones if needed. At every change of what needs ticks.
  void reconsider_ticks(Cycles now);
  void count_elided_ticks(Cycles through);
  // Edges not simulated and not yet counted, and up to which cycle edges count now.
  std::uint64_t elided_ticks() const;
  Cycles ticks_through() const;
  void on_timer(std::uint32_t kind, std::uint64_t token, Cycles now);
  void on_console_rx(Bytes bytes, std::uint32_t focus);
  void focus_follows(unsigned cpu, cpu::ExitReason reason, VcpuId next);
  void on_console_space();
  void check_watchdog();
  void eject(std::string reason);
  // Calls one operation of the active scheduler. An exception escaping it
  // is the scheduler's fault: `fallback` stands for its answer and it is
  // ejected (docs/robustness.md). Costs nothing while nothing throws.
  template <typename R, typename Call>
  R guarded(const char* op, R fallback, Call&& call) {
    try {
      return call();
    } catch (const std::exception& e) {
      scheduler_threw(op, e.what());
    } catch (...) {
      scheduler_threw(op, "an exception that is not a std::exception");
    }
    return fallback;
  }
  void scheduler_threw(const char* op, const char* what);
  // Too many requests at one cycle (m_stall): eject the scheduler that loops,
  // or stop the run naming the vCPU or the key that does (stalled()).
  void time_stands_still(const Request& r);
  void program_stands_still(const Vcpu& v);
  void stop_stalled(std::string why);

  // What the request path tests for observers: nothing, a VM's running
  // count alone, or every hook site (observed() below).
  enum class Watch : std::uint8_t { None, VmRunning, All };
  // What every request does around its service (handle, decide_on, wake_on).
  // Before: counted, guarded against time standing still. After: its status
  // (deferred if it came offline, when no scheduler ran, or rejected for a
  // tick dropped then; invalid if the scheduler faulted meanwhile), counted,
  // and told to the observers that watch requests. Inline: every request.
  struct Intake {
    Cycles now;
    bool offline;
    std::uint64_t faults;
  };
  // The request by its fields: a Request is built only where one is told.
  // `now`: the clock's, read once by the caller (the event being served).
  __attribute__((always_inline)) Intake intake(RequestKind kind, VcpuId vcpu, int cpu, Cycles now) {
    ++m_requests[static_cast<std::size_t>(kind)];
    const Intake in{now, m_offline, m_scheduler_faults};
    if (m_stall.count(in.now)) time_stands_still(Request{kind, vcpu, cpu});
    return in;
  }
  template <Watch W = Watch::All>
  __attribute__((always_inline)) void answer(RequestKind kind, VcpuId vcpu, int cpu, const Intake& in, Feedback& fb) {
    if (in.offline) fb.status = kind == RequestKind::Tick ? Status::Rejected : Status::Deferred;
    if (m_scheduler_faults != in.faults) fb.status = Status::Invalid;
    ++m_statuses[static_cast<std::size_t>(fb.status)];
    if (W == Watch::All && m_observers.watch_requests()) m_observers.after_request(Request{kind, vcpu, cpu}, fb);
  }
  // Whether anything watches the request path: an observer's hook, a
  // request watcher, a shadow. decide_on and wake_on ask once per request
  // and take a path instantiated for the answer (the Watch parameter of
  // the helpers they inline): unobserved, they test no hook site, 36
  // instructions less per bvt decision. Observed, a second function
  // (decide_on_watched, wake_on_watched: out of line, so that the
  // unobserved path keeps its inlining) asks whether a VM's running count
  // is all that is watched (a VCD's observer) and then tests that site
  // alone. Nothing on those paths starts a shadow or adds an observer; one
  // that ends meanwhile is tested for (docs/performance/fifteenth-round.md,
  // sixteenth-round.md).
  bool observed() const { return m_observers.any() || m_shadow.on(); }
  bool running_watched_alone() const { return m_observers.running_only() && !m_shadow.on(); }
  unsigned requester_of(const Request& r) const {
    return r.cpu >= 0 ? static_cast<unsigned>(r.cpu) : static_cast<unsigned>(m_processors.size());
  }
  // A request from pCPU `cpu` that ends in a decision there, in one call
  // (vmm/decision.cpp): `vcpu` is the hypercall's vCPU, which leaves the pCPU
  // first; kNone for the pCPU's own request (its owner is prev). Counted and
  // observed as handle() would; handle() comes here for these requests.
  // `now` is the clock's, passed where the caller has read it already.
  Feedback decide_on(RequestKind kind, int cpu, VcpuId vcpu, Cycles now);
  Feedback decide_on(RequestKind kind, int cpu, VcpuId vcpu) { return decide_on(kind, cpu, vcpu, m_clock.now()); }
  [[gnu::noinline]] Feedback decide_on_watched(RequestKind kind, int cpu, VcpuId vcpu, Cycles now);
  template <Watch W>
  Feedback decide_on_as(RequestKind kind, int cpu, VcpuId vcpu, Cycles now);
  template <Watch W>
  void leave(const EntryPoints& s, RequestKind kind, Vcpu& v, Cycles now);
  template <Watch W>
  Feedback decide(const EntryPoints& s, int cpu, VcpuId prev, Cycles now);
  // The VMM work queued for `cpu`, done from cycle `at` on: its cycles.
  Cycles take_vmm_work(unsigned cpu, Cycles at) { return m_vmm_work[cpu].empty() ? 0 : take_queued_work(cpu, at); }
  Cycles take_queued_work(unsigned cpu, Cycles at);
  // A VmmWork exit: the owner (or the idle slice) goes on after the work.
  cpu::Resume after_vmm_work(unsigned cpu, cpu::VcpuId owner, Cycles cost, Cycles work, bool from_guest);
  std::string invalid_decision(VcpuId next, VcpuId prev) const;
  // invalid_decision() is "" (the hot path: nothing formatted).
  bool valid_decision(VcpuId next, VcpuId prev) const {
    if (next == kNone) return true;
    if (next < 0 || static_cast<std::size_t>(next) >= m_vcpus.size()) return false;
    const RunState st = m_vcpus[static_cast<std::size_t>(next)].state;
    return st == RunState::Runnable || (st == RunState::Running && next == prev);
  }
  // An invalid decision on `cpu`: a bug in the default scheduler (thrown),
  // else a fault that ejects the scheduler. True if it is rejected.
  bool reject_decision(VcpuId next, VcpuId prev, int cpu);
  // A wake request (is_wake): counted and observed as handle() would; handle() comes here for them.
  Feedback wake_on(RequestKind kind, VcpuId id, Cycles now);
  Feedback wake_on(RequestKind kind, VcpuId id) { return wake_on(kind, id, m_clock.now()); }
  [[gnu::noinline]] Feedback wake_on_watched(RequestKind kind, VcpuId id, Cycles now);
  template <Watch W>
  Feedback wake_on_as(RequestKind kind, VcpuId id, Cycles now);
  template <Watch W>
  void wake(const EntryPoints& s, VcpuId v, Cycles now);
  template <Watch W>
  void dispatched(int cpu, VcpuId prev, VcpuId next, std::int64_t priority, Cycles now);
  // The priority the scheduler gives v, noted on v where the op returns:
  // `held` and a throw's fallback are none of its priorities. Always inline:
  // a decision asks it once or twice, and a call costs more in register
  // saves than the wrapper itself.
  template <Watch W = Watch::All>
  __attribute__((always_inline)) std::int64_t priority_of(const EntryPoints& s, VcpuId v) {
    const std::int64_t p = guarded("priority", std::int64_t{0}, [&] {
      const std::int64_t given = s.ops->priority(s.self, v);
      if (given != VMM_PRIORITY_HELD) m_vcpus[static_cast<std::size_t>(v)].note_priority(given);
      return given;
    });
    if (W == Watch::All && m_shadow.on()) m_shadow.priority(v, p);
    return p;
  }
  // Swap stalls (vmm/swap_cost.cpp).
  void begin_stall(Vcpu& v, Cycles at);
  // Inline: every dispatch asks, and a stall is rare (a swap's).
  void end_stall(Vcpu& v, Cycles now) {
    if (v.stalled()) close_stall(v, now);
  }
  void close_stall(Vcpu& v, Cycles now);
  // One program step of the owner on `cpu`: the hypercall it makes.
  Feedback program_step(int cpu, Vcpu& v, Cycles now);
  Feedback console_write(int cpu, Vcpu& v);
  Feedback console_read(int cpu, Vcpu& v);
  Feedback control(int cpu, Vcpu& v, const workload::Step& step);
  Feedback fault(int cpu, Vcpu& v);
  void halt_vm(std::size_t vm);
  Feedback completed(RequestKind kind);
  Cycles burst_of(const Vcpu& v) const;
  Cycles service_burst(const Vcpu& v) const;
  // At `now`, the decision's cycle. Watch::VmRunning needs no test of the
  // hook: that path is taken only when vm_running is the one hook of the
  // request path wanted (Observers::running_only()).
  template <Watch W = Watch::All>
  void set_running(const Vcpu& v, bool running, Cycles now) {
    Vm& vm = m_vms[v.vm()];
    vm.running = running ? vm.running + 1 : vm.running - 1;
    if (W != Watch::None && vm.running == (running ? 1u : 0u) &&
        (W == Watch::VmRunning || m_observers.wants(kVmRunning)))  // crossed zero
      m_observers.vm_running(v.vm(), vm.running, now);
  }
  template <Watch W = Watch::All>
  void set_state(Vcpu& v, RunState state) {
    // The run queue as observers see it (the timeline's counter): runnable, not running.
    if (v.state == RunState::Runnable) --m_waiting;
    if (state == RunState::Runnable) ++m_waiting;
    v.state = state;
    if (state == RunState::Halted) end_stall(v, m_clock.now());  // it will not run again
    if (W == Watch::All && m_observers.wants(kRunqueue)) m_observers.runqueue(m_clock.now(), m_waiting);
  }
  bool is_service_vcpu(VcpuId v) const { return v == m_service_vcpu; }
  std::vector<Cycles> cpu_by_vm() const;
  // A wait that ended now: the vCPU's, and its VM's in the current epoch.
  template <Watch W = Watch::All>
  void waited(Vcpu& v, Cycles wait) {
    m_waits.add(v.id(), wait);  // the VM's in the epoch too (vmm/vcpu_waits.h)
    if (W == Watch::All && m_observers.wants(kWaited)) m_observers.waited(v.vm(), wait);
  }
  // v, woken by a keystroke, is dispatched now: the input's latency, its
  // VM's and the epoch's.
  template <Watch W = Watch::All>
  void input_served(Vcpu& v, Cycles now) {
    const Cycles latency = now - v.input_since;
    m_vms[v.vm()].input_latency.add(latency);
    m_epochs.add_input_latency(v.vm(), latency);
    if (W == Watch::All && m_observers.wants(kInputServed)) m_observers.input_served(v.vm(), latency);
    v.input_pending = false;
  }
  // The switching controller (vmm/controller_hooks.cpp): made from
  // [controller] with its windows' timers, a window's end (the service VM is
  // interrupted), the service vCPU's burst while it owes the controller
  // work (nothing otherwise, nor for another vCPU), its program step for
  // it, the counts a window's metrics are differences of, and a decision's
  // request.
  void make_controller();
  void controller_window_ended(std::size_t window);
  // The service vCPU's burst under a controller (service_burst asks, for
  // that vCPU only). 0 brings it to a program step (to begin an
  // evaluation, or to answer one); while it runs, the rest of the
  // evaluation's work (a fault notification first: 0).
  std::optional<Cycles> controller_burst(const Vcpu& v) const {
    if (!m_controller) return std::nullopt;
    if (m_controller->step_due(v.handler_left())) return Cycles{0};
    if (m_controller->evaluating()) return m_fault_queue.empty() ? v.handler_burst() : 0;
    return std::nullopt;
  }
  Feedback controller_step(int cpu, Vcpu& v);
  MetricCounters metric_counters() const;
  void submit_controller_op(ControlOp op);
  void begin_epoch();
  std::vector<std::size_t> vm_by_vcpu() const;  // each vCPU's VM, by id (m_waits' at construction)
  std::string start_shadow(const workload::ControlRequest& request, const char* requester);
  std::string end_shadow(const char* requester);
  // A sched-load of the shadow's target ends it (`promoted`).
  void promote_shadow(const workload::ControlRequest& load);

  const CycleClock& m_clock;
  const config::Config& m_config;
  const config::CostConfig m_costs;
  devices::Pit& m_pit;
  devices::Console& m_console;
  devices::Memory& m_memory;
  std::vector<Vm> m_vms;
  std::vector<Vcpu> m_vcpus;
  VcpuWaits m_waits;
  std::vector<cpu::Processor*> m_processors;
  std::vector<Dispatch> m_dispatch;
  std::vector<std::vector<VmmWork>> m_vmm_work;  // per pCPU, in request order
  std::unique_ptr<SchedulerManager> m_manager_ptr;
  SchedulerManager& m_manager;
  Replacement m_replacement;
  EpochLog m_epochs;
  EventLoop& m_loop;
  TimerQueue m_timers;
  Irq0Line m_irq0{*this};
  bool m_ticks_simulated = false;
  std::uint64_t m_edges_counted = 0;  // IRQ0 edges served or counted as not simulated
  std::vector<std::vector<vmm_param_t>> m_vm_params;  // per VM, for the C ABI
  std::vector<VcpuId> m_blocked_writers;
  std::vector<VcpuId> m_retrying_writers;  // on_console_space's, kept so that it allocates nothing
  Observers m_observers;
  std::uint64_t m_waiting = 0;  // runnable vCPUs not on a pCPU (observers' run queue)
  bool m_offline = false;
  std::vector<VcpuId> m_held_wakes;  // wakes while offline
  Cycles m_activated_at = 0;
  bool m_eject_pending = false;
  VcpuId m_service_vcpu = kNone;        // the service VM's vCPU 0
  std::deque<std::size_t> m_fault_queue;  // faulted VMs the service VM must halt
  std::vector<report::FaultResult> m_faults;
  Cycles m_last_keystroke = 0;
  std::uint64_t m_inputs_left = 0;
  std::size_t m_focus = 0;         // the VM with the console focus
  bool m_focus_scheduled = false;  // [console] focus = scheduled
  unsigned m_guests_left = 0;
  std::array<std::uint64_t, kRequestKinds> m_requests{};
  std::array<std::uint64_t, kStatuses> m_statuses{};
  std::uint64_t m_decisions = 0;
  std::uint64_t m_scheduler_faults = 0;  // invalid decisions and throws: the request's feedback is `invalid`
  std::vector<SwapCost> m_swaps;
  StallGuard m_stall;
  std::string m_stalled;
  bool m_zero_slices = false;  // ejecting a scheduler for zero-length slices: idle them meanwhile
  // The candidate in shadow: each call on the active scheduler is mirrored to it when on().
  Shadow m_shadow{m_vcpus, m_config.platform.cpus, m_config.platform.clock, m_observers};
  std::unique_ptr<Controller> m_controller;  // [controller]; null without
};

}  // namespace vmmsim::vmm
