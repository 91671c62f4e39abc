// The vCPUs' wait histograms (runnable-not-running intervals, one per vCPU).
// On a platform of many vCPUs they are added to in batches: a dispatch
// appends its vCPU's wait to a short log, and the log is added into the
// histograms when it is full or before any histogram is read. There a
// histogram's two lines (its counts, then the counter) are seldom in cache:
// added at each dispatch, their misses came one after the other in its
// path; added together, many are in flight at once. On a smaller platform
// the log would only add instructions (docs/performance/ninth-round.md).
// Either way every read sees every wait. Single-threaded: a read writes.
//
// The waits are also results by epoch (vmm/epochs.h: by VM, under each
// scheduler). A dispatch adds its wait to its vCPU's histogram of the open
// epoch alone; the VMs' histograms of an epoch are made from those when it
// ends or is read, and the vCPU's whole run is its closed epochs' and the
// open one's. One add per dispatch, not two (a vCPU's and its VM's epoch's):
// some 30 instructions (docs/performance/sixteenth-round.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"
#include "vmm/request.h"

namespace vmmsim::vmm {

class VcpuWaits {
 public:
  // `vm_of[v]`: vCPU v's VM, below `vms`.
  VcpuWaits(std::vector<std::size_t> vm_of, std::size_t vms)
      : m_histograms(vm_of.size()),
        m_batched(vm_of.size() >= kBatchedFrom),
        m_log(m_batched ? kLog : 0),
        m_vm_of(std::move(vm_of)),
        m_vms(vms) {}

  // A wait of `id` ended (inline: every dispatch).
  void add(VcpuId id, Cycles wait) {
    if (__builtin_expect(m_batched, 0)) return log(id, wait);
    m_histograms[static_cast<std::size_t>(id)].add(wait);
  }
  // Its waits so far, every one of them.
  Histogram of(VcpuId id) const;
  // Their sum, as of(id).sum() without the copy.
  std::uint64_t sum_of(VcpuId id) const;
  // The open epoch's waits by VM.
  std::vector<Histogram> open_by_vm() const;
  // Ends the open epoch: its waits by VM (as open_by_vm()); a new one opens.
  std::vector<Histogram> close_epoch();

 private:
  struct Logged {
    std::size_t vcpu;
    Cycles wait;
  };
  static constexpr std::size_t kLog = 256;  // 4 KiB: stays in the first-level cache
  // From runs: medium's 128 vCPUs gain nothing from the log, huge's 4,096
  // gain 6-10 % (with 2.5-5 KiB of histogram each, 1 MiB of second-level
  // cache holds some 200-400 vCPUs'); large has 1,024.
  static constexpr std::size_t kBatchedFrom = 512;
  // Out of line: kept out of the dispatch's registers where it is not used.
  void log(VcpuId id, Cycles wait);
  // Once per 256 dispatches, and before a read. Const: what a reader sees
  // does not change, only where the samples wait.
  void add_logged() const;

  mutable std::vector<Histogram> m_histograms;  // per vCPU, the open epoch's waits
  std::vector<Histogram> m_closed;               // per vCPU, the earlier epochs'; empty until one with a wait ends
  const bool m_batched;  // !m_log.empty(), one load where every dispatch asks
  mutable std::size_t m_logged = 0;  // beside m_batched: an add reads one line of this object
  // On the heap: 4 KiB inside the VMM would part the members its requests read.
  mutable std::vector<Logged> m_log;
  std::vector<std::size_t> m_vm_of;  // by vCPU id
  std::size_t m_vms;
};

}  // namespace vmmsim::vmm
