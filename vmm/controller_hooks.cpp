// The VMM's side of the switching controller (docs/controller.md): the
// windows' timers, interrupting the service VM at a window's end, the
// service vCPU's evaluation as its own guest work, and a decision's request
// to the loader. Part of vmm::Vmm; the controller itself is vmm/controller.h.
#include "vmm/vmm.h"

namespace vmmsim::vmm {

// The controller and the first end of each of its windows (a rank of their
// own: adding them now or at the start orders nothing differently).
void Vmm::make_controller() {
  if (!m_config.controller) return;
  m_controller = std::make_unique<Controller>(*this, m_config);
  add_observer(m_controller.get());  // watches no request: no tick becomes simulated
  for (std::size_t w = 0; w < m_controller->windows().size(); ++w)
    add_timer(m_controller->windows()[w], kController, w);
}

MetricCounters Vmm::metric_counters() const {
  const Cycles now = m_clock.now();
  MetricCounters c;
  for (const Vcpu& v : m_vcpus) {
    c.cpu.push_back(v.cpu_cycles);
    // A wait under way counts up to now, as the window's open waits do.
    Cycles open = 0;
    if (v.stalled())
      open = now - v.stalled_since();
    else if (v.state == RunState::Runnable)
      open = now - v.wait_since;
    c.waited.push_back(m_waits.sum_of(v.id()) + open);
    c.misses.push_back(v.deadline_misses);
    c.jobs.push_back(v.jobs);
  }
  for (const cpu::Processor* p : m_processors) {
    c.guest += p->cycles_in(cpu::State::Guest);
    c.vmm += p->cycles_in(cpu::State::Vmm);
    c.idle += p->cycles_in(cpu::State::Idle);
    // A burst under way: its cycles so far are its owner's.
    if (const Cycles ran = p->unreported_guest())
      c.cpu[static_cast<std::size_t>(p->owner())] += ran;
  }
  return c;
}

// A window ends: its metrics close, and the service VM gets an interrupt
// (the `service_irq` request a fault notification also makes): a blocked
// service vCPU is woken; a running one takes a VM exit as for an IPI, with
// no decision, and goes into the controller; a runnable one finds the work
// when it is dispatched.
void Vmm::controller_window_ended(std::size_t window) {
  const Cycles now = m_clock.now();
  add_timer(now + m_controller->windows()[window], kController, window);
  const RunState service = m_vcpus[static_cast<std::size_t>(m_service_vcpu)].state;
  const bool readable =
      service != RunState::NotArrived && service != RunState::Exited && service != RunState::Halted;
  if (!m_controller->window_ended(window, now, metric_counters(), readable)) return;
  handle(Request{RequestKind::ServiceIrq, m_service_vcpu});
  for (std::size_t c = 0; c < m_dispatch.size(); ++c)
    if (m_dispatch[c].owner == m_service_vcpu) m_processors[c]->request_vmm_work(now);
}

// The service vCPU at a program step for the controller: the first reads
// the window's metrics (a hypercall) and runs the evaluation as its own
// guest work; the second, when that work is done, answers with the action.
// Neither is a request; the vCPU then goes on with its program.
Feedback Vmm::controller_step(int cpu, Vcpu& v) {
  if (!m_controller->evaluating()) {
    v.add_handler_work(m_controller->begin());
    return Feedback{};
  }
  if (std::optional<ControlOp> op = m_controller->decide(m_clock.now(), cpu))
    submit_controller_op(std::move(*op));
  return Feedback{};
}

// As a command-line request: counted when made, turned rejected if the
// loader refuses it; the controller does not block for the answer.
void Vmm::submit_controller_op(ControlOp op) {
  if (op.kind == ControlOp::Kind::Load) promote_shadow(op.request);
  op.counted = handle(Request{control_request_kind(op.kind)}).status;
  m_replacement.submit(std::move(op));
}

std::optional<report::ControllerResult> Vmm::controller_result(
    const std::vector<report::ReplacementResult>& replacements) const {
  if (!m_controller) return std::nullopt;
  return m_controller->result(replacements,
                              m_vcpus[static_cast<std::size_t>(m_service_vcpu)].handler_left());
}

}  // namespace vmmsim::vmm
