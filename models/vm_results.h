// The per-VM part of a run's results: totals over each VM's vCPUs, its
// demand, its entitled and fair shares, and Jain's indexes over them
// (docs/results.md "Fairness"). Built from the VMM's state at the end of a run.
#pragma once

#include "report/results.h"
#include "vmm/vmm.h"

namespace vmmsim::models {

// Fills r.vms, r.jain_fairness, r.jain_entitled and r.fair_capacity; needs
// r.vcpus, r.pcpus, r.faults, r.cpus and r.elapsed filled first.
void add_vm_results(report::Results& r, const vmm::Vmm& vmm);

}  // namespace vmmsim::models
