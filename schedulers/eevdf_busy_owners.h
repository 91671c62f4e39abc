// EEVDF's busy pCPUs, for the wake's preemption check: the pCPUs whose owner
// is runnable and not asked to reschedule, by the owner's deadline (latest
// first, ties to the lowest pCPU), and the same per owner weight with the
// subtree maxima that let a wake skip owners it cannot preempt.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "schedulers/cpu_heap.h"
#include "schedulers/cpu_tree.h"
#include "schedulers/eevdf_deadline_trees.h"

namespace vmmsim::sched::eevdf {

// An owner of weight w charged up to t with vruntime v and remainder r has,
// at any time T >= t, the vruntime floor((key + 1024 T) / w) where
// key = v w + r - 1024 t: charging (in any steps) leaves the key unchanged.
// So "not eligible at T" is key >= (V + 1) w - 1024 T and "not protected"
// (vruntime >= vprot) is key - vprot w >= -1024 T: thresholds the owners of
// one weight share, which each weight's tree keeps subtree maxima of.
using OwnerKey = __int128;
constexpr OwnerKey kAlways = OwnerKey{1} << 120;  // passes every threshold

// What the search needs of one busy owner.
struct OwnerKeys {
  std::int64_t weight;
  VirtualTime deadline;
  OwnerKey key;          // as above
  OwnerKey unprotected;  // key - vprot w, or kAlways when not protected at all
};

class BusyOwners {
 public:
  // The owners of one weight, by deadline; a = key, b = unprotected.
  struct Weight {
    std::int64_t weight;
    CpuTree<VirtualTime, OwnerKey> by_deadline;
  };

  explicit BusyOwners(unsigned cpus)
      : m_by_deadline(cpus), m_weight_of(cpus, -1), m_stale(cpus, false), m_cpus(cpus) {}

  // cpu's owner, or its keys, changed: `busy` with `deadline`, or not busy.
  // The deadline order is kept at once (cheap); the per-weight trees at the
  // next wake that searches them (owners change at every pick, such wakes
  // are fewer; a pCPU that changed owner several times costs once).
  void place(unsigned cpu, bool busy, VirtualTime deadline) {
    if (busy)
      m_by_deadline.set(cpu, deadline);
    else
      m_by_deadline.erase(cpu);
    touch(cpu);
  }

  // cpu's owner's keys changed, not whether it is busy or its deadline.
  void touch(unsigned cpu) {
    if (m_stale[cpu]) return;
    m_stale[cpu] = true;
    m_stale_cpus.push_back(cpu);
  }

  // Brings the per-weight trees up to date; keys(cpu, &out) says whether cpu
  // is busy and, if so, fills its owner's keys.
  template <class Keys>
  void refresh(Keys keys) {
    for (unsigned cpu : m_stale_cpus) {
      m_stale[cpu] = false;
      refresh_one(cpu, keys);
    }
    m_stale_cpus.clear();
  }

  const CpuHeap<VirtualTime, std::greater<VirtualTime>>& by_deadline() const {
    return m_by_deadline;
  }
  const std::vector<Weight>& weights() const { return m_weights; }

 private:
  template <class Keys>
  void refresh_one(unsigned cpu, Keys& keys) {
    OwnerKeys k;
    const bool busy = keys(cpu, &k);
    int to = -1;
    if (busy) {
      auto it = std::find_if(m_weights.begin(), m_weights.end(),
                             [&](const Weight& w) { return w.weight == k.weight; });
      if (it == m_weights.end())
        it = m_weights.insert(m_weights.end(),
                              Weight{k.weight, CpuTree<VirtualTime, OwnerKey>(m_cpus)});
      to = static_cast<int>(it - m_weights.begin());
    }
    // An owner of the same weight is moved in place (one path of its tree).
    if (m_weight_of[cpu] >= 0 && m_weight_of[cpu] != to)
      m_weights[m_weight_of[cpu]].by_deadline.erase(cpu);
    m_weight_of[cpu] = to;
    if (busy) m_weights[to].by_deadline.set(cpu, k.deadline, k.key, k.unprotected);
  }

  CpuHeap<VirtualTime, std::greater<VirtualTime>> m_by_deadline;
  std::vector<Weight> m_weights;       // few
  std::vector<int> m_weight_of;        // per pCPU: index in m_weights, -1 none
  std::vector<bool> m_stale;           // per pCPU: in m_stale_cpus
  std::vector<unsigned> m_stale_cpus;  // pCPUs whose place in m_weights is out of date
  unsigned m_cpus;
};

}  // namespace vmmsim::sched::eevdf
