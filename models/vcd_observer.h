// The VCD's view of the VMM, as a vmm::Observer: vm.NAME.vm_NAME_running, high while
// at least one of the VM's vCPUs is on a pCPU. (The processors, the
// scheduler-ID register, the slots and the replacement phase are traced by
// their own models' VcdSignals.) It watches no request: a VCD makes no PIT
// tick simulated.
#pragma once

#include <vector>

#include "report/vcd_writer.h"
#include "vmm/observer.h"
#include "vmm/vm.h"

namespace vmmsim::models {

class VcdObserver final : public vmm::Observer {
 public:
  // Declares vm.NAME.vm_NAME_running for every VM of `vms` in `vcd` (low at first).
  VcdObserver(report::VcdWriter& vcd, const std::vector<vmm::Vm>& vms);

  // Told only when the count crosses zero (vmm::Observer::vm_running): a VM
  // of many vCPUs dispatches one after another at 1 all along, and each
  // set() was a line the writer had to consider for nothing.
  void vm_running(std::size_t vm, unsigned running, Cycles at) override { m_running[vm].set(running > 0, at); }

 private:
  std::vector<report::VcdSignal> m_running;  // per VM; bound by declare, never moved
};

}  // namespace vmmsim::models
