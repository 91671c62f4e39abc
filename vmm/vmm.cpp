#include "vmm/vmm.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

namespace vmmsim::vmm {

using models::RunState;
using workload::StepKind;

const char* request_name(RequestKind kind) {
  switch (kind) {
    case RequestKind::Tick: return "tick";
    case RequestKind::SliceExpiry: return "slice_expiry";
    case RequestKind::Preempt: return "preempt";
    case RequestKind::Idle: return "idle";
    case RequestKind::Yield: return "yield";
    case RequestKind::Block: return "block";
    case RequestKind::ConsoleWrite: return "console_write";
    case RequestKind::ConsoleRead: return "console_read";
    case RequestKind::Exit: return "exit";
    case RequestKind::Arrival: return "arrival";
    case RequestKind::IoWake: return "io_wake";
    case RequestKind::ConsoleWake: return "console_wake";
    case RequestKind::Resume: return "resume";
    case RequestKind::Count: break;
  }
  return "?";
}

Vmm::Vmm(sc_core::sc_module_name name, const Parts& parts)
    : sc_core::sc_module(name),
      irq0("irq0"),
      m_clock(parts.clock),
      m_config(parts.config),
      m_costs(parts.config.vmm.costs),
      m_manager(parts.manager),
      m_pit(parts.pit),
      m_console(parts.console),
      m_memory(parts.memory),
      m_vms(parts.vms),
      m_vcpus(parts.vcpus),
      m_timers("timers", parts.clock,
               [this](std::uint32_t kind, std::uint64_t token) { on_timer(kind, token); }) {
  SC_HAS_PROCESS(Vmm);
  SC_METHOD(on_tick);
  sensitive << irq0.pos();
  dont_initialize();

  for (std::size_t i = 0; i < m_vms.size(); ++i) {
    m_vm_running.push_back(
        std::make_unique<sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS>>(("running_" + m_vms[i].name).c_str(), false));
    if (m_vms[i].name == m_config.console.focus) m_focus = i;
  }
  for (const models::Vm& vm : m_vms)
    if (!vm.service) m_guests_left += vm.vcpu_count;
  m_console.on_rx = [this](Bytes b) { on_console_rx(b); };
  m_console.on_tx_space = [this] { on_console_space(); };
  // A driver waits for the FIFO to be half empty, not for every byte.
  m_console.set_tx_space_threshold((m_config.console.fifo + 1) / 2);
  m_console.set_focus(static_cast<std::uint32_t>(m_focus));
}

void Vmm::attach(std::vector<cpu::Processor*> processors) {
  m_processors = std::move(processors);
  m_dispatch.assign(m_processors.size(), Dispatch{});
}

void Vmm::enable_tracing() { m_traced = true; }

void Vmm::start_of_simulation() {
  program_pit();
  for (const models::Vcpu& v : m_vcpus)
    m_timers.add(v.arrival(), static_cast<std::uint64_t>(v.id()), kArrival, static_cast<std::uint64_t>(v.id()));
  const config::ConsoleConfig& con = m_config.console;
  if (con.input_every > 0) {
    m_inputs_left = con.input_count == 0 ? ~std::uint64_t{0} : con.input_count;
    m_timers.add(con.input_start, 0, kConsoleInput, 0);
  }
}

// The VMM programs channel 0 as an OS would: control word, then the reload
// value low byte first.
void Vmm::program_pit() {
  std::uint8_t mode = static_cast<std::uint8_t>(m_config.pit.mode);
  m_pit.io_write(0x43, static_cast<std::uint8_t>(0x30 | (mode << 1)));  // ch0, lobyte/hibyte
  std::uint16_t reload = devices::pit_reload_for(m_config.pit.hz);
  m_pit.io_write(0x40, static_cast<std::uint8_t>(reload & 0xff));
  m_pit.io_write(0x40, static_cast<std::uint8_t>(reload >> 8));
}

void Vmm::on_tick() { handle(Request{RequestKind::Tick}); }

void Vmm::on_timer(std::uint32_t kind, std::uint64_t token) {
  if (kind == kConsoleInput) {
    const config::ConsoleConfig& con = m_config.console;
    m_last_keystroke = m_clock.now();
    m_console.input(con.input_bytes);
    if (--m_inputs_left > 0) m_timers.add(m_clock.now() + con.input_every, 0, kConsoleInput, 0);
    return;
  }
  handle(Request{kind == kArrival ? RequestKind::Arrival : RequestKind::IoWake, static_cast<VcpuId>(token)});
}

void Vmm::on_console_rx(Bytes bytes) {
  models::Vm& vm = m_vms[m_focus];
  vm.rx_buffer += bytes;
  for (unsigned i = 0; i < vm.vcpu_count; ++i) {
    models::Vcpu& v = m_vcpus[static_cast<std::size_t>(vm.first_vcpu) + i];
    if (v.state == RunState::Blocked && v.read_wanted > 0 && v.read_wanted <= vm.rx_buffer) {
      v.input_pending = true;
      v.input_since = m_last_keystroke;
      handle(Request{RequestKind::ConsoleWake, v.id()});
      break;  // one reader per delivery; it takes the bytes
    }
  }
}

void Vmm::on_console_space() {
  // The console raises this once half its FIFO is free (the threshold set
  // at construction): every blocked writer retries, in the order they blocked.
  std::deque<VcpuId> writers;
  writers.swap(m_blocked_writers);
  for (VcpuId id : writers) handle(Request{RequestKind::ConsoleWake, id});
}

Cycles Vmm::burst_of(const models::Vcpu& v) const {
  // A write or read in progress is resumed by the next hypercall at once.
  return v.console_left() > 0 || v.read_wanted > 0 ? 0 : v.burst();
}

void Vmm::set_running(const models::Vcpu& v, bool running) {
  models::Vm& vm = m_vms[v.vm()];
  vm.running = running ? vm.running + 1 : vm.running - 1;
  if (m_traced) m_vm_running[v.vm()]->write(vm.running > 0);
}

Feedback Vmm::handle(const Request& r) {
  ++m_requests[static_cast<std::size_t>(r.kind)];
  const Cycles now = m_clock.now();
  // id-register activation: read the register, call that slot's ops.
  const SchedulerSlot& s = m_manager.active();
  Feedback fb;
  switch (r.kind) {
    case RequestKind::Tick:
      for (std::size_t c = 0; c < m_processors.size(); ++c)
        if (s.ops->tick(s.instance, static_cast<std::uint32_t>(c), now)) m_processors[c]->request_reschedule(now);
      break;
    case RequestKind::Arrival:
    case RequestKind::IoWake:
    case RequestKind::ConsoleWake:
      wake(s, r.vcpu, now);
      break;
    case RequestKind::Yield:
      s.ops->yield(s.instance, r.vcpu, now);
      fb = decide(s, r.cpu, r.vcpu);
      break;
    case RequestKind::Block:
    case RequestKind::ConsoleWrite:
    case RequestKind::ConsoleRead:
      // Reaching here, the hypercall could not complete: the vCPU blocks.
      m_vcpus[static_cast<std::size_t>(r.vcpu)].state = RunState::Blocked;
      s.ops->block(s.instance, r.vcpu, now);
      fb = decide(s, r.cpu, r.vcpu);
      break;
    case RequestKind::Exit: {
      models::Vcpu& v = m_vcpus[static_cast<std::size_t>(r.vcpu)];
      v.state = RunState::Exited;
      v.finish = now;
      set_running(v, false);
      m_dispatch[static_cast<std::size_t>(r.cpu)].owner = kNone;
      s.ops->remove(s.instance, r.vcpu, now);
      if (!m_vms[v.vm()].service && --m_guests_left == 0) sc_core::sc_stop();
      fb = decide(s, r.cpu, kNone);
      break;
    }
    case RequestKind::SliceExpiry:
    case RequestKind::Preempt:
    case RequestKind::Idle:
    case RequestKind::Resume:
      fb = decide(s, r.cpu, m_dispatch[static_cast<std::size_t>(r.cpu)].owner);
      break;
    case RequestKind::Count:
      fb.status = Status::Invalid;
      break;
  }
  if (r.vcpu != kNone && m_vcpus[static_cast<std::size_t>(r.vcpu)].state != RunState::Exited)
    fb.priority = s.ops->priority(s.instance, r.vcpu);
  ++m_statuses[static_cast<std::size_t>(fb.status)];
  return fb;
}

void Vmm::wake(const SchedulerSlot& s, VcpuId id, Cycles now) {
  models::Vcpu& v = m_vcpus[static_cast<std::size_t>(id)];
  if (v.state == RunState::Runnable || v.state == RunState::Running || v.state == RunState::Exited) return;
  v.state = RunState::Runnable;
  v.wait_since = now;
  vmm_tickle_t t = s.ops->wake(s.instance, id, now);
  if (t.cpu >= 0 && static_cast<std::size_t>(t.cpu) < m_processors.size())
    m_processors[static_cast<std::size_t>(t.cpu)]->request_reschedule(std::max(t.at, now));
}

Feedback Vmm::decide(const SchedulerSlot& s, int cpu, VcpuId prev) {
  const Cycles now = m_clock.now();
  Dispatch& d = m_dispatch[static_cast<std::size_t>(cpu)];
  vmm_decision_t choice = s.ops->pick_next(s.instance, static_cast<std::uint32_t>(cpu), now, prev, d.ran);
  VcpuId next = choice.next;
  // An invalid decision is a scheduler bug; the watchdog will eject such a
  // scheduler once replacement exists. Until then it fails loudly.
  if (next != kNone) {
    if (next < 0 || static_cast<std::size_t>(next) >= m_vcpus.size())
      throw std::logic_error(fmt::format("scheduler {} chose unknown vCPU {}", s.name, next));
    const models::Vcpu& n = m_vcpus[static_cast<std::size_t>(next)];
    bool runnable_here = n.state == RunState::Runnable || (next == prev && n.state == RunState::Running);
    if (!runnable_here)
      throw std::logic_error(fmt::format("scheduler {} chose vCPU {} which is not runnable", s.name, next));
  }
  dispatched(cpu, prev, next, now);
  d.ran = 0;
  d.slice = next == kNone ? kForever : choice.slice;
  Feedback fb;
  fb.decided = true;
  fb.next = next;
  fb.slice = d.slice;
  return fb;
}

void Vmm::dispatched(int cpu, VcpuId prev, VcpuId next, Cycles now) {
  Dispatch& d = m_dispatch[static_cast<std::size_t>(cpu)];
  if (prev != kNone && prev != next) {
    models::Vcpu& p = m_vcpus[static_cast<std::size_t>(prev)];
    if (p.state == RunState::Running) {  // descheduled while still runnable
      p.state = RunState::Runnable;
      p.wait_since = now;
    }
    if (p.state != RunState::Exited) set_running(p, false);
  }
  d.owner = next;
  if (next == kNone || next == prev) return;
  models::Vcpu& v = m_vcpus[static_cast<std::size_t>(next)];
  v.state = RunState::Running;
  set_running(v, true);
  v.wait.add(now - v.wait_since);
  if (!v.first_dispatch) v.first_dispatch = now;
  ++v.dispatches;
  bool migrated = v.last_cpu >= 0 && v.last_cpu != cpu;
  if (migrated) ++v.migrations;
  if (d.last_owner != next) {
    ++v.context_switches;
    v.add_stall(m_memory.refill_cycles(m_vms[v.vm()].working_set, migrated));
  }
  if (v.input_pending) {
    m_vms[v.vm()].input_latency.add(now - v.input_since);
    v.input_pending = false;
  }
  v.last_cpu = cpu;
  d.last_owner = next;
}

Feedback Vmm::program_step(int cpu, models::Vcpu& v, Cycles now) {
  const VcpuId id = v.id();
  if (v.console_left() == 0 && v.read_wanted == 0) {
    models::ProgramAction a = v.next_action();
    switch (a.kind) {
      case StepKind::Console:
        v.set_console_left(a.bytes);
        return console_write(cpu, v);
      case StepKind::Read:
        v.read_wanted = a.bytes;
        return console_read(cpu, v);
      case StepKind::Yield:
        return handle(Request{RequestKind::Yield, id, cpu});
      case StepKind::Io:
      case StepKind::Sleep:
        if (a.cycles == 0) return Feedback{};  // takes no time, does not block
        m_timers.add(now + a.cycles, static_cast<std::uint64_t>(id), kIoDone, static_cast<std::uint64_t>(id));
        return handle(Request{RequestKind::Block, id, cpu});
      default:  // Exit (the program ended)
        return handle(Request{RequestKind::Exit, id, cpu});
    }
  }
  return v.console_left() > 0 ? console_write(cpu, v) : console_read(cpu, v);
}

// A hypercall that completes at once: counted, feedback Done, no decision.
Feedback Vmm::completed(RequestKind kind) {
  ++m_requests[static_cast<std::size_t>(kind)];
  ++m_statuses[static_cast<std::size_t>(Status::Done)];
  return Feedback{};
}

Feedback Vmm::console_write(int cpu, models::Vcpu& v) {
  Bytes accepted = m_console.write(v.console_left());
  v.set_console_left(v.console_left() - accepted);
  if (v.console_left() == 0) return completed(RequestKind::ConsoleWrite);
  m_blocked_writers.push_back(v.id());
  return handle(Request{RequestKind::ConsoleWrite, v.id(), cpu});
}

Feedback Vmm::console_read(int cpu, models::Vcpu& v) {
  models::Vm& vm = m_vms[v.vm()];
  if (vm.rx_buffer < v.read_wanted) return handle(Request{RequestKind::ConsoleRead, v.id(), cpu});
  vm.rx_buffer -= v.read_wanted;
  v.read_wanted = 0;
  return completed(RequestKind::ConsoleRead);
}

Cycles Vmm::on_burst_end(unsigned cpu, cpu::VcpuId owner, Cycles executed) {
  models::Vcpu& v = m_vcpus[static_cast<std::size_t>(owner)];
  v.execute(executed);
  m_dispatch[cpu].ran += executed;
  return burst_of(v);
}

cpu::Resume Vmm::on_exit(unsigned cpu_index, cpu::ExitReason reason, cpu::VcpuId owner, Cycles executed,
                         bool from_guest) {
  const Cycles now = m_clock.now();
  const int cpu = static_cast<int>(cpu_index);
  Dispatch& d = m_dispatch[cpu_index];
  Cycles cost = from_guest ? m_costs.vm_exit : 0;
  if (owner != kNone) {
    m_vcpus[static_cast<std::size_t>(owner)].execute(executed);
    d.ran += executed;
  }
  Feedback fb;
  switch (reason) {
    case cpu::ExitReason::Cease:  // park with the owner; no decision
      return cpu::Resume{owner, 0, 0, cost};
    case cpu::ExitReason::ProgramStep:
      cost += m_costs.hypercall;
      fb = program_step(cpu, m_vcpus[static_cast<std::size_t>(owner)], now);
      break;
    case cpu::ExitReason::SliceExpiry: fb = handle(Request{RequestKind::SliceExpiry, kNone, cpu}); break;
    case cpu::ExitReason::Preempt: fb = handle(Request{RequestKind::Preempt, kNone, cpu}); break;
    case cpu::ExitReason::Wakeup: fb = handle(Request{RequestKind::Idle, kNone, cpu}); break;
    case cpu::ExitReason::Resume: fb = handle(Request{RequestKind::Resume, kNone, cpu}); break;
  }
  if (!fb.decided) {  // the hypercall completed: the owner goes on
    Cycles slice_left = d.slice == kForever ? kForever : d.slice - std::min(d.slice, d.ran);
    return cpu::Resume{owner, burst_of(m_vcpus[static_cast<std::size_t>(owner)]), slice_left,
                       cost + m_costs.vm_entry};
  }
  cost += m_costs.dispatch;
  if (fb.next == kNone) return cpu::Resume{cpu::kNoOwner, 0, kForever, cost};
  if (fb.next != owner) cost += m_costs.context_switch;
  return cpu::Resume{fb.next, burst_of(m_vcpus[static_cast<std::size_t>(fb.next)]), fb.slice,
                     cost + m_costs.vm_entry};
}

}  // namespace vmmsim::vmm
