// The switching controller that `vmmsim trace gen phases --controller`
// writes into the phases' config (docs/generators.md "phases",
// docs/controller.md "On a phase-changing workload"): a service VM to run it
// in, and two rules on the run queue that tell a batch phase from the
// others: rtds while a batch phase's CPU-bound vCPUs queue up (it ends them
// sooner), credit once the queue has emptied (it serves the shell at once
// and meets the periodic jobs' deadlines).
#pragma once

#include <ostream>
#include <string>

#include "workload/phase_generator.h"

namespace vmmsim::app {

struct PhasesController {
  unsigned cpus = 0;
  unsigned batch_vcpus = 0;  // a batch phase's vCPUs; it queues those beyond the pCPUs
};

// The controller for workload `w` of `spec`. InputError naming --controller
// when no batch phase queues a vCPU (the rules could not tell it).
PhasesController phases_controller(const workload::PhaseWorkload& w,
                                   const workload::GeneratorSpec& spec);

// The config's [service] and [controller] sections, with comments that say
// what the rules do; `service_trace` is the service VM's trace as the config
// names it.
void write_controller_sections(const PhasesController& c, const std::string& service_trace,
                               std::ostream& out);

// "the switching controller: rtds while the run queue averages above 1.5 vCPUs, ..."
std::string controller_summary(const PhasesController& c);

}  // namespace vmmsim::app
