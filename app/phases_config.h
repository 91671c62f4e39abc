// The config that runs what `vmmsim trace gen phases --config FILE` wrote
// (docs/generators.md "A config to run the phases"): the platform's pCPUs,
// the console typing the shell's keystrokes, a [vm.NAME] per trace with the
// rtds parameters that fit it, and an `until` that covers the phases.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "workload/phase_generator.h"

namespace vmmsim::app {

// `trace_files[i]` is where w.vms[i] was written, `config_file` where this
// goes (both as given on the command line), `command` the command line.
void write_phases_config(const workload::PhaseWorkload& w, const workload::GeneratorSpec& spec,
                         const std::vector<std::string>& trace_files,
                         const std::string& config_file, const std::string& command,
                         std::ostream& out);

}  // namespace vmmsim::app
