// What the VMM does when what it runs misbehaves: a scheduler's invalid
// decision, exception or starvation of a vCPU (the watchdog, as sched_ext's),
// and time that stands still (vmm/stall_guard.h). Part of vmm::Vmm.
#include <stdexcept>

#include <fmt/format.h>

#include "base/text.h"
#include "vmm/vmm.h"

namespace vmmsim::vmm {


// As sched_ext's watchdog: a runnable vCPU that the active (non-default)
// scheduler leaves waiting longer than vmm.watchdog gets it ejected.
void Vmm::check_watchdog() {
  if (m_offline || m_eject_pending || m_manager.active_id() == m_replacement.default_slot()) return;
  const Cycles now = m_clock.now();
  const EntryPoints s = m_manager.entry(static_cast<unsigned>(m_processors.size()));
  for (const Vcpu& v : m_vcpus) {
    if (v.state != RunState::Runnable) continue;
    const std::int64_t priority = guarded("priority", std::int64_t{0}, [&] { return s.ops->priority(s.self, v.id()); });
    if (m_shadow.on()) m_shadow.priority(v.id(), priority);
    if (m_eject_pending) return;  // it threw
    if (priority == VMM_PRIORITY_HELD) continue;  // held back on purpose (a cap)
    Cycles waited = now - std::max(v.wait_since, m_activated_at);
    if (waited > m_config.vmm.watchdog) {
      eject(fmt::format("{}.{} runnable but not run for {} cycles (watchdog {})", m_vms[v.vm()].name, v.index(),
                        waited, m_config.vmm.watchdog));
      return;
    }
  }
}

void Vmm::eject(std::string reason) {
  if (m_eject_pending) return;
  m_eject_pending = true;
  ControlOp op;
  op.kind = ControlOp::Kind::Eject;
  op.requester = "watchdog";
  op.request.target = m_manager.active().image.name;  // not whoever is active when it is served
  op.requested_at = m_clock.now();
  op.reason = std::move(reason);
  m_replacement.submit(std::move(op));
}

void Vmm::scheduler_threw(const char* op, const char* what) {
  ++m_scheduler_faults;
  const std::string& name = m_manager.active().image.name;
  // The default is never ejected: its exception is a bug, as its invalid decisions are.
  if (m_manager.active_id() == m_replacement.default_slot())
    throw std::logic_error(fmt::format("the default scheduler {} threw from {}: {}", name, op, what));
  eject(fmt::format("{} threw from {}: {}", name, op, what));
}

bool Vmm::reject_decision(VcpuId next, VcpuId prev, int cpu) {
  const std::string invalid = invalid_decision(next, prev);
  if (invalid.empty()) return false;
  if (m_manager.active_id() == m_replacement.default_slot())
    throw std::logic_error(fmt::format("the default scheduler {} {}", m_manager.active().image.name, invalid));
  ++m_scheduler_faults;
  eject(fmt::format("{} {} on cpu{}", m_manager.active().image.name, invalid, cpu));
  return true;
}

std::string Vmm::invalid_decision(VcpuId next, VcpuId prev) const {
  if (next == kNone) return "";
  if (next < 0 || static_cast<std::size_t>(next) >= m_vcpus.size())
    return fmt::format("chose unknown vCPU {}", next);
  const Vcpu& n = m_vcpus[static_cast<std::size_t>(next)];
  // The hot path: a valid decision formats nothing.
  if (n.state == RunState::Running && next != prev)
    return fmt::format("chose {}.{}, already running elsewhere", m_vms[n.vm()].name, n.index());
  if (n.state != RunState::Runnable && n.state != RunState::Running)
    return fmt::format("chose {}.{}, which is not runnable", m_vms[n.vm()].name, n.index());
  return {};
}

// Past the bound, the loop is named and ended. A non-default scheduler that
// hands out zero-length slices is ejected like one that starves a vCPU (a
// vCPU given no time is starved): the run goes on under the default. Any
// other loop is the user's input (a trace, zero costs): the run stops with
// the reason, which Platform::run reports as bad input.
void Vmm::time_stands_still(const Request& r) {
  const Cycles now = m_clock.now();
  const std::string& scheduler = m_manager.active().image.name;
  if (r.kind == RequestKind::SliceExpiry && m_manager.active_id() != m_replacement.default_slot()) {
    m_zero_slices = true;  // decide() idles its zero-length slices until the ejection
    m_stall.restart();
    eject(fmt::format("{} handed out zero-length slices on cpu{}: more than {} requests at cycle {} without "
                      "simulated time passing",
                      scheduler, r.cpu, m_stall.limit(), now));
    return;
  }
  if (r.kind == RequestKind::SliceExpiry)
    return stop_stalled(fmt::format(
        "{}: [vmm] scheduler = {}: it hands out zero-length slices on cpu{} while every cost is 0: more than {} "
        "requests at cycle {} without simulated time passing; expected a non-zero [vmm] vm_exit, vm_entry or "
        "context_switch",
        m_config.file, scheduler, r.cpu, m_stall.limit(), now));
  if (r.vcpu != kNone && r.kind != RequestKind::HaltVm)
    return program_stands_still(m_vcpus[static_cast<std::size_t>(r.vcpu)]);
  stop_stalled(fmt::format(
      "{}: more than {} requests at cycle {} without simulated time passing, the last {}; expected non-zero [vmm] "
      "costs",
      m_config.file, m_stall.limit(), now, request_name(r.kind)));
}

void Vmm::program_stands_still(const Vcpu& v) {
  const workload::TraceProgram& trace = *m_config.vms[v.vm()].program;
  const std::string where =
      v.program().step_line() ? fmt::format("{}:{}", shown(trace.file, 4096), v.program().step_line())
                              : shown(trace.file, 4096);
  stop_stalled(fmt::format(
      "{}: vCPU {}.{} takes no simulated time: more than {} requests and steps at cycle {}; expected a step that "
      "takes time (run, io or sleep above 0) in each loop, or a non-zero [vmm] vm_exit, vm_entry or hypercall",
      where, m_vms[v.vm()].name, v.index(), m_stall.limit(), m_clock.now()));
}

// No exception through the kernel: every pCPU idles from its next VM exit on
// (on_exit), so the loop drains within this cycle and the run stops there.
void Vmm::stop_stalled(std::string why) {
  if (!m_stalled.empty()) return;
  m_stalled = std::move(why);
  m_loop.stop();
}

}  // namespace vmmsim::vmm
