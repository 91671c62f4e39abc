// Results split by the scheduler that was active (docs/replacement.md
// "Epochs"): an epoch runs from one activation to the next, so one run with
// a swap shows "under credit ... / under bvt ...". A wait or an input
// latency counts in the epoch in which it ends (at the dispatch that ends
// it); CPU time in the epoch in which it ran (every processor is parked at
// an activation, so no burst spans two epochs). Plain C++.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"
#include "report/results.h"

namespace vmmsim::vmm {

class EpochLog {
 public:
  explicit EpochLog(unsigned cpus) : m_cpus(cpus) {}
  // A scheduler became active at `now`; `vm_cpu` is each VM's CPU cycles so
  // far, `vm_waits` each VM's waits in the epoch that ends (the VMM keeps
  // them by vCPU: vmm/vcpu_waits.h).
  void begin(Cycles now, std::uint32_t slot, std::string scheduler, std::vector<Cycles> vm_cpu,
             std::vector<Histogram> vm_waits);
  void add_input_latency(std::size_t vm, Cycles latency) { m_open.input[vm].add(latency); }
  // Every epoch, the open one ending at `now`; `vm_cpu` and `vm_waits` as for begin().
  std::vector<report::EpochResult> results(Cycles now, const std::vector<Cycles>& vm_cpu,
                                           std::vector<Histogram> vm_waits) const;

 private:
  struct Epoch {
    report::EpochResult result;  // vms' cpu/share are filled when it ends
    std::vector<Cycles> cpu_at_start;
    std::vector<Histogram> input;
  };
  report::EpochResult finished(const Epoch& e, Cycles end, const std::vector<Cycles>& vm_cpu,
                               std::vector<Histogram> vm_waits) const;

  unsigned m_cpus;
  std::vector<report::EpochResult> m_done;
  Epoch m_open;
  bool m_started = false;
};

}  // namespace vmmsim::vmm
