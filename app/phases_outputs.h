// What `vmmsim trace gen phases` writes (docs/generators.md "phases"): a
// trace per VM, and with --config FILE the config that runs them: the
// platform's pCPUs, the console typing the shell's keystrokes, a [vm.NAME]
// per trace with the rtds parameters that fit it, and an `until` that
// covers the phases; with --controller also a service VM's trace and the
// config's switching controller (app/phases_controller.h).
#pragma once

#include <string>

#include "workload/phase_generator.h"

namespace vmmsim::app {

// Writes the traces of `spec` to `output` (OUTPUT-VM.trace for each VM when
// there are several) and, unless `config_file` is empty, the config; with
// `controller`, also OUTPUT-service.trace and the config's [service] and
// [controller] (the config without them is a prefix of the one with them).
// All or nothing (base/output_plan.h). Says what it wrote on standard output
// (standard error when a trace goes to standard output). InputError for bad
// outputs; returns the exit code.
int write_phases(const workload::GeneratorSpec& spec, const std::string& output,
                 const std::string& config_file, bool controller);

}  // namespace vmmsim::app
