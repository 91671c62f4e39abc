#include "models/timeline_observer.h"

#include <fmt/format.h>

#include "report/controller_report.h"
#include "vmm/vmm.h"

namespace vmmsim::models {

TimelineObserver::TimelineObserver(report::Timeline& timeline, unsigned cpus, const std::vector<vmm::Vm>& vms,
                                   const std::vector<vmm::Vcpu>& vcpus)
    : vmm::Observer(false, vmm::overridden_hooks<TimelineObserver>()), m_timeline(timeline), m_open(cpus) {
  for (const vmm::Vcpu& v : vcpus) {
    report::Timeline::Slice s;
    s.vm = vms[v.vm()].name;
    s.vcpu = v.index();
    s.name = fmt::format("{}.{}", s.vm, s.vcpu);
    m_vcpus.push_back(std::move(s));
  }
}

// A decision that keeps the owner goes on with its slice; one that keeps
// it after its pCPU ceased (the slice ended there) opens a new one.
void TimelineObserver::dispatched(unsigned cpu, vmm::VcpuId next, std::uint32_t slot, const std::string& scheduler,
                                  std::int64_t priority, Cycles at) {
  Open& o = m_open[cpu];
  if (o.open && o.vcpu == next) return;
  end(cpu, at);
  if (next == vmm::kNone) return;
  const report::Timeline::Slice& v = m_vcpus[static_cast<std::size_t>(next)];
  o.open = true;
  o.vcpu = next;
  o.since = at;
  o.slice.name = v.name;
  o.slice.vm = v.vm;
  o.slice.vcpu = v.vcpu;
  o.slice.slot = slot;
  o.slice.scheduler = scheduler;
  o.slice.priority = priority;
}

void TimelineObserver::end(unsigned cpu, Cycles at) {
  Open& o = m_open[cpu];
  if (!o.open) return;
  o.open = false;
  m_timeline.dispatch(cpu, o.slice, o.since, at);
}

void TimelineObserver::shadow_disagreed(const std::string& target, const char* kind, int cpu, Cycles at) {
  m_timeline.shadow_disagreement(
      cpu < 0 ? fmt::format("{} disagrees: {}", target, kind) : fmt::format("{} disagrees: {} cpu{}", target, kind, cpu),
      at);
}

void TimelineObserver::after_replacement(const report::ReplacementResult& r) {
  if (r.sequence) m_timeline.replacement_ended(r.started_at, r.started_at + r.downtime + r.unload_after);
}

void TimelineObserver::finish(const vmm::Vmm& vmm, Cycles now) {
  for (unsigned c = 0; c < m_open.size(); ++c) end(c, now);
  if (vmm.offline())  // the run ends while the processors are ceased
    for (unsigned c = 0; c < m_open.size(); ++c) m_timeline.ceased(c, vmm.ceased_at(), now);
  const std::vector<report::ReplacementResult> replacements = vmm.replacement_results();
  for (const report::ReplacementResult& x : replacements) {
    if (!x.sequence) continue;
    m_timeline.replacement(fmt::format("{} {} -> {}", x.kind, x.from, x.to), x.started_at);
    Cycles t = x.started_at;
    for (auto [name, cycles] : {std::pair{"cease", x.cease}, {"drain", x.drain}, {"unload", x.unload},
                                {"load", x.load}, {"migrate", x.migrate}, {"activate", x.activate}}) {
      m_timeline.phase(name, t, t + cycles);
      t += cycles;
    }
    if (x.unload_after) m_timeline.phase("unload_after", t, t + x.unload_after);  // after the resume
  }
  if (auto controller = vmm.controller_result(replacements))
    for (const report::ControllerDecision& d : controller->decisions)
      m_timeline.controller_decision("controller " + report::decision_label(d, m_timeline.clock()), d.status, d.decided_at);
}

}  // namespace vmmsim::models
