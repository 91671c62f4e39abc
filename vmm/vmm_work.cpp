// VMM work on one pCPU while the guests run (docs/replacement.md "Unload
// cost"): an image's unload costs [vmm] unload cycles of VMM time on one
// pCPU, not downtime. The processor takes a VM exit for it (the guest is
// kicked as by an IPI) and the owner goes on after the work, so the cycle
// accounts still add up: guest + vmm + idle + ceased = elapsed.
#include <algorithm>

#include "vmm/vmm.h"

namespace vmmsim::vmm {

void Vmm::run_vmm_work(unsigned cpu, Cycles cycles, std::function<void(Cycles)> done) {
  m_vmm_work[cpu].push_back(VmmWork{cycles, std::move(done)});
  m_processors[cpu]->request_vmm_work(m_clock.now());
}

Cycles Vmm::take_queued_work(unsigned cpu, Cycles at) {
  std::vector<VmmWork>& queued = m_vmm_work[cpu];
  std::vector<VmmWork> doing;
  doing.swap(queued);
  Cycles total = 0;
  for (VmmWork& w : doing) {
    total = saturating_add(total, w.cycles);
    if (w.done) w.done(saturating_add(at, total));
  }
  return total;
}

cpu::Resume Vmm::after_vmm_work(unsigned cpu, cpu::VcpuId owner, Cycles cost, Cycles work, bool from_guest) {
  const Dispatch& d = m_dispatch[cpu];
  const Cycles now = m_clock.now();
  if (owner == kNone) {  // the idle slice goes on from the decision that made it
    const Cycles left = d.slice == kForever ? kForever : d.slice - std::min(d.slice, now - d.decided);
    return cpu::Resume{cpu::kNoOwner, 0, left, cost};
  }
  // Work already done at an earlier exit: nothing to do, no entry to charge.
  const Cycles entry = work > 0 || from_guest ? m_costs.vm_entry : 0;
  const Cycles slice_left = d.slice == kForever ? kForever : d.slice - std::min(d.slice, d.ran);
  return cpu::Resume{owner, burst_of(m_vcpus[static_cast<std::size_t>(owner)]), slice_left, cost + entry};
}

}  // namespace vmmsim::vmm
