// The vCPUs' wait histograms (runnable-not-running intervals, one per vCPU).
// On a platform of many vCPUs they are added to in batches: a dispatch
// appends its vCPU's wait to a short log, and the log is added into the
// histograms when it is full or before any histogram is read. There a
// histogram's two lines (its counts, then the counter) are seldom in cache:
// added at each dispatch, their misses came one after the other in its
// path; added together, many are in flight at once. On a smaller platform
// the log would only add instructions (docs/performance/ninth-round.md).
// Either way every read sees every wait. Single-threaded: of() writes.
#pragma once

#include <cstddef>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"
#include "vmm/request.h"

namespace vmmsim::vmm {

class VcpuWaits {
 public:
  explicit VcpuWaits(std::size_t vcpus)
      : m_histograms(vcpus), m_batched(vcpus >= kBatchedFrom), m_log(m_batched ? kLog : 0) {}

  // A wait of `id` ended (inline: every dispatch).
  void add(VcpuId id, Cycles wait) {
    if (__builtin_expect(m_batched, 0)) return log(id, wait);
    m_histograms[static_cast<std::size_t>(id)].add(wait);
  }
  // Its waits so far, every one of them.
  const Histogram& of(VcpuId id) const {
    add_logged();
    return m_histograms[static_cast<std::size_t>(id)];
  }

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

  mutable std::vector<Histogram> m_histograms;
  const bool m_batched;  // !m_log.empty(), one load where every dispatch asks
  mutable std::size_t m_logged = 0;  // beside m_batched: an add reads one line of this object
  // On the heap: 4 KiB inside the VMM would part the members its requests read.
  mutable std::vector<Logged> m_log;
};

}  // namespace vmmsim::vmm
