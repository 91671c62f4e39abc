// The config that runs what `vmmsim trace import --config FILE` imported
// (docs/importers.md "A config to run the import"): one [vm.NAME] per
// imported VM with its trace, the platform sized from the trace, a
// scheduler and a [run] until that covers the trace. Plain C++.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "base/units.h"
#include "workload/importers.h"

namespace vmmsim::config {

struct ImportedConfig {
  std::vector<std::string> comments;  // '#' lines at the top: the command, how it was sized
  unsigned cpus = 1;
  Hertz clock = 1000000000;
  std::string scheduler = "credit";
  struct Vm {
    std::string name;
    std::string trace;  // as written: relative to the config's folder
  };
  std::vector<Vm> vms;
  Cycles until = 0;
};

// The config for `imported`, whose VM i was written to trace_files[i], to be
// written to `config_file`; `command` is the import's command line. Sizing
// (docs/importers.md): pCPUs = the traced machine's CPU count where the
// format records it, else the most vCPUs computing at once when each
// replays its trace alone (1..4096); until = twice the latest end of a
// vCPU replayed alone, rounded up to a millisecond (a guest that waits for
// a pCPU ends later; the run stops once every guest has ended).
ImportedConfig imported_config(const workload::ImportResult& imported, const std::vector<std::string>& trace_files,
                               const std::string& config_file, Hertz clock, const std::string& command);

// The INI text; values quoted where they need it (config/ini_syntax.h).
void write_imported_config(const ImportedConfig& config, std::ostream& out);

// `trace` as a path relative to the folder of `config_file` (both as given
// on the command line; "-" = standard output: the working directory).
std::string trace_path_for(const std::string& trace, const std::string& config_file);

}  // namespace vmmsim::config
