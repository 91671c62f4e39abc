// What a live replacement costs each guest (docs/replacement.md): a vCPU
// stalls from its pCPU ceasing under it, or from its wake being held while
// the VMM is offline, until it runs again. Per replacement: the vCPUs it
// stalled, the longest of their stalls, the wakes held and the PIT ticks
// dropped while the processors were ceased. Part of vmm::Vmm.
#include <algorithm>

#include "vmm/vmm.h"

namespace vmmsim::vmm {

void Vmm::begin_stall(Vcpu& v, Cycles at) {
  if (v.stalled()) return;  // not run since an earlier replacement: that one stalled it
  v.begin_stall(at, m_swaps.size() - 1);
  ++m_swaps.back().vcpus_stalled;
}

void Vmm::close_stall(Vcpu& v, Cycles now) {
  const std::size_t swap = v.stalled_by();
  const Cycles stall = v.end_stall(now);
  m_swaps[swap].stall_max = std::max(m_swaps[swap].stall_max, stall);
}

std::vector<report::ReplacementResult> Vmm::replacement_results() const {
  std::vector<report::ReplacementResult> results = m_replacement.results();
  if (auto current = m_replacement.in_progress()) results.push_back(*current);
  // Stalls still open at the end of the run count up to now.
  std::vector<Cycles> open_max(m_swaps.size(), 0);
  const Cycles now = m_clock.now();
  for (const Vcpu& v : m_vcpus)
    if (v.stalled()) open_max[v.stalled_by()] = std::max(open_max[v.stalled_by()], now - v.stalled_since());
  // Every sequence went offline once, in order (one still ceasing has not yet).
  std::size_t k = 0;
  for (report::ReplacementResult& x : results) {
    if (!x.sequence || k >= m_swaps.size()) continue;
    const SwapCost& c = m_swaps[k];
    x.vcpus_stalled = c.vcpus_stalled;
    x.stall_max = std::max(c.stall_max, open_max[k]);
    x.wakes_held = c.wakes_held;
    x.ticks_while_ceased = c.ticks_ceased;
    if (m_offline && k + 1 == m_swaps.size()) x.ticks_while_ceased += elided_ticks();  // counted when asked
    ++k;
  }
  return results;
}

}  // namespace vmmsim::vmm
