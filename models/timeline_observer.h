// The --timeline's view of the VMM (report/timeline.h), as a vmm::Observer:
// a slice per dispatch, labelled with the scheduler that made it (which may
// no longer be active when it ends) and ended where its pCPU ceased; a
// `ceased` slice per pCPU for each downtime; the run-queue counter; at the
// end, each replacement's phases; each disagreement of a shadow scheduler;
// and when each replacement sequence starts and ends, for the neighbourhood
// of the first one. It watches no request: a timeline makes no PIT tick
// simulated.
#pragma once

#include <string>
#include <vector>

#include "report/timeline.h"
#include "vmm/observer.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

namespace vmmsim::vmm {
class Vmm;
}

namespace vmmsim::models {

class TimelineObserver final : public vmm::Observer {
 public:
  TimelineObserver(report::Timeline& timeline, unsigned cpus, const std::vector<vmm::Vm>& vms,
                   const std::vector<vmm::Vcpu>& vcpus);

  void dispatched(unsigned cpu, vmm::VcpuId next, std::uint32_t slot, const std::string& scheduler,
                  std::int64_t priority, Cycles at) override;
  void parked(unsigned cpu, Cycles at) override { end(cpu, at); }
  void ceased(unsigned cpu, Cycles from, Cycles to) override { m_timeline.ceased(cpu, from, to); }
  void runqueue(Cycles at, std::uint64_t waiting) override { m_timeline.runqueue(at, waiting); }
  void shadow_disagreed(const std::string& target, const char* kind, int cpu, Cycles at) override;
  // A replacement's neighbourhood (report::Timeline's replacement_pad) opens
  // once the processors have ceased and is sized when the replacement is done.
  void went_offline(Cycles first_cease) override { m_timeline.replacement_began(first_cease); }
  void after_replacement(const report::ReplacementResult& r) override;

  // The run ends at `now`: the open slices end, a downtime still under way
  // ends, and the replacements' phases follow.
  void finish(const vmm::Vmm& vmm, Cycles now);

 private:
  // The slice running on a pCPU, written when it ends.
  struct Open {
    bool open = false;
    vmm::VcpuId vcpu = vmm::kNone;
    Cycles since = 0;
    report::Timeline::Slice slice;
  };
  void end(unsigned cpu, Cycles at);

  report::Timeline& m_timeline;
  std::vector<Open> m_open;                       // per pCPU
  std::vector<report::Timeline::Slice> m_vcpus;  // per vCPU: its name, VM and index
};

}  // namespace vmmsim::models
