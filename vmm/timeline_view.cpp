// What the VMM streams into the --timeline (report/timeline.*): a slice per
// dispatch, labelled with the scheduler that made it and ended at a cease;
// a `ceased` slice per pCPU for each downtime; the replacements' phases.
// Observes the VMM from outside its decisions. Part of vmm::Vmm.
#include <fmt/format.h>

#include "vmm/vmm.h"

namespace vmmsim::vmm {

// A dispatch slice is labelled with the scheduler that made it, which may
// no longer be active when it ends.
void Vmm::open_slice(unsigned cpu, std::int64_t priority, Cycles now) {
  Dispatch& d = m_dispatch[cpu];
  d.slice_open = true;
  d.slice_since = now;
  d.slot = m_manager.active_id();
  d.scheduler = m_manager.active().image.name;
  d.priority = priority;
}

void Vmm::end_slice(unsigned cpu, Cycles now) {
  Dispatch& d = m_dispatch[cpu];
  if (d.owner == kNone || !d.slice_open) return;
  d.slice_open = false;
  const Vcpu& v = m_vcpus[static_cast<std::size_t>(d.owner)];
  const std::string& vm = m_vms[v.vm()].name;
  m_timeline->dispatch(cpu, {fmt::format("{}.{}", vm, v.index()), vm, v.index(), d.slot, d.scheduler, d.priority},
                       d.slice_since, now);
}

void Vmm::record_timeline(report::Timeline* timeline) { m_timeline = timeline; }

void Vmm::finish_timeline() {
  if (!m_timeline) return;
  const Cycles now = m_clock.now();
  for (unsigned c = 0; c < m_dispatch.size(); ++c) end_slice(c, now);
  if (m_offline)  // the run ends while the processors are ceased
    for (unsigned c = 0; c < m_dispatch.size(); ++c) m_timeline->ceased(c, m_swaps.back().ceased_at, now);
  for (const report::ReplacementResult& x : replacement_results()) {
    if (!x.sequence) continue;
    m_timeline->replacement(fmt::format("{} {} -> {}", x.kind, x.from, x.to), x.started_at);
    Cycles t = x.started_at;
    for (auto [name, cycles] : {std::pair{"cease", x.cease}, {"drain", x.drain}, {"unload", x.unload},
                                {"load", x.load}, {"migrate", x.migrate}, {"activate", x.activate}}) {
      m_timeline->phase(name, t, t + cycles);
      t += cycles;
    }
    if (x.unload_after) m_timeline->phase("unload_after", t, t + x.unload_after);  // after the resume
  }
}

}  // namespace vmmsim::vmm
