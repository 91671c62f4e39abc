#include "vmm/vmm.h"

#include <algorithm>

namespace vmmsim::vmm {

using workload::StepKind;

namespace {

Activation activation_of(const std::string& name) {
  if (name == "function-table") return Activation::FunctionTable;
  if (name == "function-table-pointers") return Activation::FunctionTablePointers;
  if (name == "patch") return Activation::Patch;
  return Activation::IdRegister;
}

ActivationCosts costs_of(const config::Config& c) {
  const config::ActivationCostConfig& a = c.activation;
  switch (activation_of(c.vmm.activation)) {
    case Activation::FunctionTable: return {a.function_table_dispatch, a.function_table_activate};
    // A call through the requester's pointer to a table: as function-table's.
    case Activation::FunctionTablePointers: return {a.function_table_dispatch, a.function_table_pointer_move};
    case Activation::Patch: return {a.patch_dispatch, a.patch_activate};
    case Activation::IdRegister: break;
  }
  return {a.id_register_dispatch, a.id_register_activate};
}

}  // namespace

Vmm::Vmm(sc_core::sc_module_name name, const Parts& parts)
    : sc_core::sc_module(name),
      m_clock(parts.clock),
      m_config(parts.config),
      m_costs(parts.config.vmm.costs),
      m_pit(parts.pit),
      m_console(parts.console),
      m_memory(parts.memory),
      m_vms(vms_of(parts.config)),
      m_vcpus(vcpus_of(parts.config)),
      m_waits(vm_by_vcpu(), m_vms.size()),
      // One requester per pCPU plus the VMM's own timer/tick/console path.
      m_manager_ptr(std::make_unique<SchedulerManager>("manager", parts.clock, parts.memory,
                                                       activation_of(parts.config.vmm.activation),
                                                       costs_of(parts.config), parts.config.vmm.slots,
                                                       parts.config.platform.cpus + 1)),
      m_manager(*m_manager_ptr),
      m_replacement("replacement", parts.clock, *this, m_manager, parts.console, parts.memory, parts.config),
      m_epochs(parts.config.platform.cpus),
      m_loop(parts.loop),
      m_timers([this](std::uint32_t kind, std::uint64_t token, Cycles now) { on_timer(kind, token, now); }),
      m_stall(StallGuard::limit_for(m_vcpus.size(), parts.config.platform.cpus)) {
  m_loop.attach(m_timers);
  m_loop.attach(m_irq0);
  for (std::size_t i = 0; i < m_vms.size(); ++i) {
    if (m_vms[i].name == m_config.console.focus) m_focus = i;
    if (m_vms[i].service) m_service_vcpu = m_vms[i].first_vcpu;
    m_vms[i].refill = m_memory.refill_cycles(m_vms[i].working_set, false);
    m_vms[i].remote_refill = m_memory.refill_cycles(m_vms[i].working_set, true);
    m_vm_params.emplace_back();
    for (const auto& [key, value] : m_config.vms[i].params) m_vm_params.back().push_back({key.c_str(), value});
  }
  for (const Vm& vm : m_vms)
    if (!vm.service) m_guests_left += vm.vcpu_count;
  m_console.on_rx = [this](Bytes b, std::uint32_t vm) { on_console_rx(b, vm); };
  m_console.on_tx_space = [this] { on_console_space(); };
  // A driver waits for the FIFO to be half empty, not for every byte.
  m_console.set_tx_space_threshold((m_config.console.fifo + 1) / 2);
  m_console.set_focus(static_cast<std::uint32_t>(m_focus));
  m_focus_scheduled = m_config.console.focus == config::kScheduledFocus;
  make_controller();
}

void Vmm::attach(std::vector<cpu::Processor*> processors) {
  m_processors = std::move(processors);
  m_dispatch.assign(m_processors.size(), Dispatch{});
  m_vmm_work.assign(m_processors.size(), {});
  m_replacement.boot();
  begin_epoch();
}

std::vector<Cycles> Vmm::cpu_by_vm() const {
  std::vector<Cycles> cpu(m_vms.size(), 0);
  for (const Vcpu& v : m_vcpus) cpu[v.vm()] += v.cpu_cycles;
  return cpu;
}

std::vector<std::size_t> Vmm::vm_by_vcpu() const {
  std::vector<std::size_t> vm(m_vcpus.size());
  for (const Vcpu& v : m_vcpus) vm[static_cast<std::size_t>(v.id())] = v.vm();
  return vm;
}

void Vmm::begin_epoch() {
  m_epochs.begin(m_clock.now(), m_manager.active_id(), m_manager.active().image.name, cpu_by_vm(),
                 m_waits.close_epoch());
}

std::vector<report::EpochResult> Vmm::epochs() const {
  return m_epochs.results(m_clock.now(), cpu_by_vm(), m_waits.open_by_vm());
}

void Vmm::start_of_simulation() {
  program_pit();
  reconsider_ticks(0);
  for (const Vcpu& v : m_vcpus) add_timer(v.arrival(), kArrival, static_cast<std::uint64_t>(v.id()));
  const config::ConsoleConfig& con = m_config.console;
  if (con.input_every > 0) {
    m_inputs_left = con.input_count == 0 ? ~std::uint64_t{0} : con.input_count;
    add_timer(con.input_start, kConsoleInput, 0);
  }
  // At one cycle, stages are served before swaps, whatever order they were
  // written in: a stage and the load it prepares may share a time.
  for (std::size_t i = 0; i < m_config.swaps.size(); ++i) {
    const bool stage = m_config.swaps[i].request.kind == workload::ControlRequest::Kind::Stage;
    m_timers.add(m_config.swaps[i].at, Rank::Swap, (stage ? 0 : std::uint64_t{1} << 40) | i, kSwap, i);
  }
  for (std::size_t i = 0; i < m_config.shadows.size(); ++i) add_timer(m_config.shadows[i].at, kShadow, i);
  if (m_config.vmm.watchdog > 0) add_timer(m_config.vmm.watchdog / 2, kWatchdog, 0);
}

// Each kind at its rank (sim/event_loop.h); the token orders a rank's ties:
// the vCPU id, the swap's place in the config.
void Vmm::add_timer(Cycles due, TimerKind kind, std::uint64_t token) {
  static constexpr Rank kRank[] = {Rank::Arrival,  Rank::TimerWake, Rank::Keystroke, Rank::Swap,
                                   Rank::Watchdog, Rank::Shadow,    Rank::Controller};
  m_timers.add(due, kRank[kind], token, kind, token);
}

void Vmm::on_timer(std::uint32_t kind, std::uint64_t token, Cycles now) {
  switch (kind) {
    case kConsoleInput:
      m_last_keystroke = now;
      m_console.input(m_config.console.input_bytes);
      if (--m_inputs_left > 0) add_timer(now + m_config.console.input_every, kConsoleInput, 0);
      return;
    case kSwap: {
      const config::Swap& swap = m_config.swaps[token];
      ControlOp op;
      op.kind = control_op_kind(swap.request.kind);
      op.request = swap.request;
      op.requester = "cli";
      op.requested_at = now;
      if (op.kind == ControlOp::Kind::Load) promote_shadow(op.request);
      op.counted = handle(Request{control_request_kind(op.kind)}).status;
      m_replacement.submit(std::move(op));
      return;
    }
    case kShadow:
      shadow_control(m_config.shadows[token].request, "cli");
      return;
    case kController:
      controller_window_ended(token);
      return;
    case kWatchdog:
      check_watchdog();
      add_timer(now + m_config.vmm.watchdog / 2, kWatchdog, 0);
      return;
    case kIoDone:
      m_vcpus[token].timer_pending = false;
      break;
    default:
      break;
  }
  wake_on(kind == kArrival ? RequestKind::Arrival : RequestKind::IoWake, static_cast<VcpuId>(token), now);
}

// Input goes to the vCPU that has waited longest in `read` (whichever vCPU
// of the VM that is), with its bytes handed over at once so that no other
// reader takes them before it runs; then to the next, while the bytes last.
// With no reader waiting they stay buffered for the next `read`. A reader
// woken early by an interrupt has not left its read: it gets its bytes too.
void Vmm::on_console_rx(Bytes bytes, std::uint32_t focus) {
  Vm& vm = m_vms[focus];
  vm.rx_buffer += bytes;
  while (!vm.readers.empty()) {
    Vcpu& v = m_vcpus[static_cast<std::size_t>(vm.readers.front())];
    if (v.state == RunState::Halted) {  // halted with its VM: reads no more
      vm.readers.pop_front();
      v.read_queued = false;
      continue;
    }
    if (v.read_wanted > vm.rx_buffer) break;  // in order: a later reader does not overtake it
    vm.readers.pop_front();
    v.read_queued = false;
    vm.rx_buffer -= v.read_wanted;
    v.read_handed = true;
    v.input_pending = true;
    v.input_since = m_last_keystroke;
    if (v.state == RunState::Blocked) wake_on(RequestKind::ConsoleWake, v.id());
  }
}

void Vmm::on_console_space() {
  // The console raises this once half its FIFO is free (the threshold set
  // at construction): every blocked writer retries, in the order they blocked.
  // A writer that blocks again joins m_blocked_writers, not this round.
  m_retrying_writers.clear();
  m_retrying_writers.swap(m_blocked_writers);
  for (VcpuId id : m_retrying_writers) {
    Vcpu& v = m_vcpus[static_cast<std::size_t>(id)];
    if (!v.write_queued) continue;  // it finished its write while woken early
    v.write_queued = false;
    wake_on(RequestKind::ConsoleWake, id);
  }
}

// Work the VMM owes the vCPU comes first: a write or read in progress, or
// blocking again after an early wake. One test of the four (unsigned
// counts and flags, OR'd): they are all clear on almost every call, where
// four branches cost more.
static bool owed_work(const Vcpu& v) {
  return (v.console_left() | v.read_wanted | static_cast<Bytes>(v.timer_pending) |
          static_cast<Bytes>(v.control_pending)) != 0;
}

// The service vCPU's apart: one compare for every other vCPU.
Cycles Vmm::burst_of(const Vcpu& v) const {
  if (is_service_vcpu(v.id())) return service_burst(v);
  return owed_work(v) ? 0 : v.burst();
}

// The service VM's: a controller's evaluation, then a fault notification.
Cycles Vmm::service_burst(const Vcpu& v) const {
  if (auto work = controller_burst(v)) return *work;
  return owed_work(v) || !m_fault_queue.empty() ? 0 : v.burst();
}

// Inlined into wake_on (wake_on_as), its one caller: a wake is most requests.
template <Vmm::Watch W>
inline __attribute__((always_inline)) void Vmm::wake(const EntryPoints& s, VcpuId id, Cycles now) {
  Vcpu& v = m_vcpus[static_cast<std::size_t>(id)];
  if (v.state != RunState::Blocked && v.state != RunState::NotArrived) return;
  set_state<W>(v, RunState::Runnable);
  v.wait_since = now;
  if (m_offline) {
    m_held_wakes.push_back(id);  // delivered when a scheduler is back
    ++m_swaps.back().wakes_held;
    begin_stall(v, now);
    return;
  }
  vmm_tickle_t t = guarded("wake", vmm_tickle_t{VMM_NO_CPU, 0}, [&] { return s.ops->wake(s.self, id, now); });
  const bool kick = t.cpu >= 0 && static_cast<std::size_t>(t.cpu) < m_processors.size();
  if (W == Watch::All && m_shadow.on()) m_shadow.wake(id, now, kick ? t.cpu : VMM_NO_CPU);
  if (kick) m_processors[static_cast<std::size_t>(t.cpu)]->request_reschedule(std::max(t.at, now));
}

// A wake, with handle()'s bookkeeping for wakes alone (no general switch).
template <Vmm::Watch W>
inline __attribute__((always_inline)) Feedback Vmm::wake_on_as(RequestKind kind, VcpuId id, Cycles now) {
  const Intake in = intake(kind, id, -1, now);
  const EntryPoints s = m_manager.entry(static_cast<unsigned>(m_processors.size()));
  Feedback fb;
  // A control request's answer is the hypercall's return value: ok, or the reason is in the results.
  if (kind == RequestKind::ControlDone && !m_vcpus[static_cast<std::size_t>(id)].control_ok)
    fb.status = Status::Rejected;
  wake<W>(s, id, now);
  if (!m_offline) {
    const RunState st = m_vcpus[static_cast<std::size_t>(id)].state;
    if (st != RunState::Exited && st != RunState::Halted) fb.priority = priority_of<W>(s, id);
  }
  // Offline the wake is held: its vCPU is runnable for the scheduler that comes back.
  answer<W>(kind, id, -1, in, fb);
  return fb;
}

// The path for what observes the request path now (vmm.h observed()).
Feedback Vmm::wake_on(RequestKind kind, VcpuId id, Cycles now) {
  if (!observed()) return wake_on_as<Watch::None>(kind, id, now);
  return wake_on_watched(kind, id, now);
}

Feedback Vmm::wake_on_watched(RequestKind kind, VcpuId id, Cycles now) {
  return running_watched_alone() ? wake_on_as<Watch::VmRunning>(kind, id, now)
                                 : wake_on_as<Watch::All>(kind, id, now);
}

Feedback Vmm::handle(const Request& r) {
  // A pCPU's request that ends in a decision there: one call (vmm/decision.cpp).
  if (r.cpu >= 0 && ends_in_decision(r.kind)) return decide_on(r.kind, r.cpu, r.vcpu);
  if (r.cpu < 0 && is_wake(r.kind)) return wake_on(r.kind, r.vcpu);
  const Intake in = intake(r.kind, r.vcpu, r.cpu, m_clock.now());
  const Cycles now = in.now;
  // What this requester calls, found by the activation mechanism.
  const EntryPoints s = m_manager.entry(requester_of(r));
  Feedback fb;
  switch (r.kind) {
    case RequestKind::Tick:
      // Offline: the scheduler is being replaced, nobody to tick: dropped,
      // not held (the next tick brings the accounting). No tick op: the
      // policy has no periodic accounting (fifo, rr, bvt, arinc653).
      if (m_offline) ++m_swaps.back().ticks_ceased;
      if (m_offline || !s.ops->tick) break;
      for (std::size_t c = 0; c < m_processors.size(); ++c) {
        const int resched = guarded("tick", 0, [&] { return s.ops->tick(s.self, static_cast<std::uint32_t>(c), now); });
        if (m_shadow.on()) m_shadow.tick(static_cast<unsigned>(c), now, resched != 0);
        if (resched) m_processors[c]->request_reschedule(now);
      }
      break;
    case RequestKind::HaltVm:
      halt_vm(static_cast<std::size_t>(r.vcpu));  // here `vcpu` names the VM
      break;
    case RequestKind::Count:
      fb.status = Status::Invalid;
      break;
    default:  // a decision's kind not from a pCPU (a command line's sched-load): only counted
      break;
  }
  if (r.vcpu != kNone && r.kind != RequestKind::HaltVm && !m_offline) {
    RunState st = m_vcpus[static_cast<std::size_t>(r.vcpu)].state;
    if (st != RunState::Exited && st != RunState::Halted) fb.priority = priority_of(s, r.vcpu);
  }
  answer(r.kind, r.vcpu, r.cpu, in, fb);  // offline a tick is dropped
  return fb;
}

}  // namespace vmmsim::vmm
