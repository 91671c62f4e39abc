// The hypercalls a guest program makes (DESIGN.md §4): console writes and
// reads, io and sleep, yield, exit, periodic jobs, the service VM's scheduler
// control requests, and guest faults. Part of vmm::Vmm.
#include <algorithm>

#include <fmt/format.h>

#include "vmm/vmm.h"

namespace vmmsim::vmm {

using workload::StepKind;

Feedback Vmm::program_step(int cpu, Vcpu& v, Cycles now) {
  const VcpuId id = v.id();
  // Every step counts: periodic jobs of no work take some without a request.
  if (m_stall.count(now)) {
    program_stands_still(v);
    return Feedback{};  // on_exit idles the pCPU from now on
  }
  // The service VM handles a fault notification first.
  if (is_service_vcpu(id) && !m_fault_queue.empty()) {
    std::size_t vm = m_fault_queue.front();
    m_fault_queue.pop_front();
    return handle(Request{RequestKind::HaltVm, static_cast<VcpuId>(vm), cpu});
  }
  // Then the switching controller's evaluation (vmm/controller_hooks.cpp).
  if (m_controller && is_service_vcpu(id) && m_controller->step_due(v.handler_left())) return controller_step(cpu, v);
  // Woken early: block again until the timer or the answer comes.
  if (v.timer_pending) return decide_on(RequestKind::Block, cpu, id, now);
  if (v.control_pending) return decide_on(RequestKind::Block, cpu, id, now);
  if (v.console_left() > 0) return console_write(cpu, v);
  if (v.read_wanted > 0) return console_read(cpu, v);
  workload::ProgramCursor& program = v.program();
  if (program.jobs_active()) {
    if (!program.job_running()) {  // woken at its release
      program.release_job();
      return Feedback{};
    }
    v.finish_job(now);
    if (program.jobs_active()) {
      if (now >= program.next_release()) {  // late: the next job is already due
        program.release_job();
        return Feedback{};
      }
      v.timer_pending = true;
      add_timer(program.next_release(), kIoDone, static_cast<std::uint64_t>(id));
      return decide_on(RequestKind::Block, cpu, id, now);
    }
    if (v.burst() > 0) return Feedback{};  // the jobs are done: on to the next run step
  }
  const workload::Step* step = nullptr;
  workload::ProgramAction a = program.next_action(&step);
  switch (a.kind) {
    case StepKind::Console:
      v.console_requested += a.bytes;
      v.set_console_left(a.bytes);
      return console_write(cpu, v);
    case StepKind::Read:
      v.read_wanted = a.bytes;
      return console_read(cpu, v);
    case StepKind::Yield:
      return decide_on(RequestKind::Yield, cpu, id, now);
    case StepKind::Io:
    case StepKind::Sleep:
      if (a.cycles == 0) return completed(RequestKind::Block);  // takes no time, does not block
      v.timer_pending = true;
      add_timer(now + a.cycles, kIoDone, static_cast<std::uint64_t>(id));
      return decide_on(RequestKind::Block, cpu, id, now);
    case StepKind::SchedLoad:
    case StepKind::SchedUnload:
    case StepKind::SchedStage:
      return control(cpu, v, *step);
    case StepKind::SchedShadow:
    case StepKind::SchedUnshadow: {
      // Answered at once: a shadow costs no simulated time (vmm/shadow.h).
      const std::string why = shadow_control(m_config.vms[v.vm()].program->controls[step->control], "service");
      Feedback fb;
      fb.status = why.empty() ? Status::Done : Status::Rejected;
      return fb;
    }
    case StepKind::Fault:
      return fault(cpu, v);
    case StepKind::Periodic: {
      const Cycles release = program.continued_release(a.period);
      if (release <= now) {
        program.begin_jobs(now, a.period, a.cycles, a.count, true);  // the first job is released now
        return Feedback{};
      }
      program.begin_jobs(release, a.period, a.cycles, a.count, false);  // the period goes on
      v.timer_pending = true;
      add_timer(release, kIoDone, static_cast<std::uint64_t>(id));
      return decide_on(RequestKind::Block, cpu, id, now);
    }
    default:  // Exit (the program ended)
      return decide_on(RequestKind::Exit, cpu, id, now);
  }
}

// A hypercall that completes at once: counted, feedback Done, no decision.
Feedback Vmm::completed(RequestKind kind) {
  ++m_requests[static_cast<std::size_t>(kind)];
  ++m_statuses[static_cast<std::size_t>(Status::Done)];
  return Feedback{};
}

Feedback Vmm::console_write(int cpu, Vcpu& v) {
  Bytes accepted = m_console.write(v.console_left());
  v.set_console_left(v.console_left() - accepted);
  if (v.console_left() == 0) {
    v.write_queued = false;  // woken early, it got its bytes out: its place is void
    return completed(RequestKind::ConsoleWrite);
  }
  if (!v.write_queued) m_blocked_writers.push_back(v.id());
  v.write_queued = true;
  return decide_on(RequestKind::ConsoleWrite, cpu, v.id());
}

// A read takes input already buffered only when no other vCPU of its VM
// waits for input: readers are served in the order they blocked. A reader
// woken early (the service VM, by an interrupt) is still queued: it blocks
// again in its place, or takes what was handed to it while it was awake.
Feedback Vmm::console_read(int cpu, Vcpu& v) {
  Vm& vm = m_vms[v.vm()];
  if (v.read_queued) return decide_on(RequestKind::ConsoleRead, cpu, v.id());
  if (!v.read_handed) {
    if (!vm.readers.empty() || vm.rx_buffer < v.read_wanted) {
      vm.readers.push_back(v.id());
      v.read_queued = true;
      return decide_on(RequestKind::ConsoleRead, cpu, v.id());
    }
    vm.rx_buffer -= v.read_wanted;
  }
  // Handed while it was on a pCPU: it gets to the input now.
  if (v.input_pending) input_served(v, m_clock.now());
  v.read_handed = false;
  v.read_wanted = 0;
  return completed(RequestKind::ConsoleRead);
}

// sched-load / sched-stage / sched-unload from the service VM: the loader answers when the
// replacement has run (or was refused); the service vCPU blocks until then.
Feedback Vmm::control(int cpu, Vcpu& v, const workload::Step& step) {
  const workload::TraceProgram& programs = *m_config.vms[v.vm()].program;
  ControlOp op;
  op.request = programs.controls[step.control];
  op.kind = control_op_kind(op.request.kind);
  op.requester = "service";
  op.service_vcpu = v.id();
  op.requested_at = m_clock.now();
  v.control_pending = true;
  if (op.kind == ControlOp::Kind::Load) promote_shadow(op.request);
  m_replacement.submit(std::move(op));
  return decide_on(control_request_kind(op.kind), cpu, v.id());
}

void Vmm::control_done(const ControlOp& op, bool ok) {
  if (op.kind == ControlOp::Kind::Eject) m_eject_pending = m_zero_slices = false;
  if (m_observers.wants(kAfterReplacement)) m_observers.after_replacement(m_replacement.results().back());
  if (op.counted && !ok) {  // the command line's request was refused: its feedback is that
    --m_statuses[static_cast<std::size_t>(*op.counted)];
    ++m_statuses[static_cast<std::size_t>(Status::Rejected)];
  }
  if (m_controller && op.requester == kControllerRequester) m_controller->answered(m_replacement.results().size() - 1);
  if (op.service_vcpu == kNone) return;
  Vcpu& v = m_vcpus[static_cast<std::size_t>(op.service_vcpu)];
  v.control_pending = false;
  v.control_ok = ok;
  handle(Request{RequestKind::ControlDone, v.id()});
}

// A guest fault halts the faulting vCPU at once; the service VM is told and
// takes the rest of the VM off the run queues (the VMM does it if there is
// no service VM).
Feedback Vmm::fault(int cpu, Vcpu& v) {
  report::FaultResult f;
  f.vm = m_vms[v.vm()].name;
  f.vcpu = v.index();
  f.at = m_clock.now();
  m_faults.push_back(f);
  if (!m_vms[v.vm()].service && v.state != RunState::Halted) --m_guests_left;
  Feedback fb = decide_on(RequestKind::Fault, cpu, v.id());
  // Nobody left to react (no service VM, or it ended or faulted itself): the
  // VMM halts the VM at once.
  const bool service_gone =
      m_service_vcpu == kNone || m_vcpus[static_cast<std::size_t>(m_service_vcpu)].state == RunState::Exited ||
      m_vcpus[static_cast<std::size_t>(m_service_vcpu)].state == RunState::Halted;
  if (service_gone || m_vms[v.vm()].service) {
    halt_vm(v.vm());
  } else {
    m_fault_queue.push_back(v.vm());
    handle(Request{RequestKind::ServiceIrq, m_service_vcpu});
    // A running service vCPU takes the notification at its next VM entry.
    for (std::size_t c = 0; c < m_dispatch.size(); ++c)
      if (m_dispatch[c].owner == m_service_vcpu) m_processors[c]->request_reschedule(f.at);
  }
  if (m_guests_left == 0) m_loop.stop();
  return fb;
}

void Vmm::halt_vm(std::size_t vm_index) {
  const Cycles now = m_clock.now();
  const Vm& vm = m_vms[vm_index];
  const EntryPoints s = m_manager.entry(static_cast<unsigned>(m_processors.size()));
  unsigned halted = 0;
  for (unsigned i = 0; i < vm.vcpu_count; ++i) {
    Vcpu& v = m_vcpus[static_cast<std::size_t>(vm.first_vcpu) + i];
    if (v.state == RunState::Exited || v.state == RunState::Halted) continue;
    RunState was = v.state;
    set_state(v, RunState::Halted);
    ++halted;
    if (!vm.service) --m_guests_left;
    if (!m_offline) guarded("remove", 0, [&] { return s.ops->remove(s.self, v.id(), now), 0; });
    if (!m_offline && m_shadow.on()) m_shadow.remove(v.id(), now);
    // A vCPU on a pCPU leaves it at once.
    if (was == RunState::Running)
      for (std::size_t c = 0; c < m_dispatch.size(); ++c)
        if (m_dispatch[c].owner == v.id()) m_processors[c]->request_reschedule(now);
  }
  for (report::FaultResult& f : m_faults)
    if (f.vm == vm.name && f.halted_at == 0) f.halted_at = now, f.vcpus_halted = halted;
  if (m_guests_left == 0) m_loop.stop();
}

}  // namespace vmmsim::vmm
