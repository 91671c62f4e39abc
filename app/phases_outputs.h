// What `vmmsim trace gen phases` writes (docs/generators.md "phases"): a
// trace per VM, and with --config FILE the config that runs them: the
// platform's pCPUs, the console typing the shell's keystrokes, a [vm.NAME]
// per trace with the rtds parameters that fit it, and an `until` that
// covers the phases.
#pragma once

#include <string>

#include "workload/phase_generator.h"

namespace vmmsim::app {

// Writes the traces of `spec` to `output` (OUTPUT-VM.trace for each VM when
// there are several) and, unless `config_file` is empty, the config; all or
// nothing (base/output_plan.h). Says what it wrote on standard output
// (standard error when a trace goes to standard output). InputError for bad
// outputs; returns the exit code.
int write_phases(const workload::GeneratorSpec& spec, const std::string& output,
                 const std::string& config_file);

}  // namespace vmmsim::app
