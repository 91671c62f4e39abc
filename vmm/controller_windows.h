// The controller's windowed metrics (docs/controller.md "Metrics"): per
// window length, what has happened since its current window began — the
// waits and input latencies that ended, the run queue's time-weighted
// length — and, at its end, the snapshot its rules read, computed with the
// same definitions as the end-of-run results (report/fair_share.h) over
// [from, to) instead of the whole run. Part of the VMM's controller.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"
#include "controllers/metric.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

namespace vmmsim::vmm {

// Cumulative counts at one cycle: a window's figures are their differences.
struct MetricCounters {
  std::vector<Cycles> cpu;                  // per vCPU: guest cycles, a burst under way included
  std::vector<Cycles> waited;               // per vCPU: wait, one under way included
  std::vector<std::uint64_t> misses, jobs;  // per vCPU: deadline misses, periodic jobs
  Cycles guest = 0, vmm = 0, idle = 0;      // all pCPUs together
};

class MetricWindows {
 public:
  MetricWindows(const std::vector<Cycles>& lengths, const std::vector<Vm>& vms, std::size_t vcpus,
                unsigned cpus);

  // What ends during a window (observer hooks of the controller).
  void waited(std::size_t vm, Cycles wait);
  void input_served(std::size_t vm, Cycles latency);
  void runqueue(Cycles at, std::uint64_t waiting);

  // Window `w` ends at `now` (counters as of now): its snapshot, and the next
  // window of that length begins. `last_downtime`: of the last sequence.
  controllers::Snapshot close(std::size_t w, Cycles now, const MetricCounters& counters,
                              const std::vector<Vcpu>& vcpus, std::optional<double> last_downtime);

 private:
  struct Open {
    Cycles from = 0;
    MetricCounters start;
    std::vector<Histogram> input, wait;   // per VM: those that ended in the window
    unsigned __int128 runqueue_area = 0;  // runnable-waiting vCPUs × cycles
    std::uint64_t runqueue_max = 0;
  };
  void begin(Open& o, Cycles now, const MetricCounters& counters) const;

  const std::vector<Vm>& m_vms;
  unsigned m_cpus;
  std::vector<Open> m_open;  // per window length
  std::uint64_t m_runqueue = 0;
  Cycles m_runqueue_since = 0;
};

}  // namespace vmmsim::vmm
