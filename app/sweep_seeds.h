// `vmmsim sweep plan --seeds N` (docs/sweeps.md "Seeds"). A config has no
// seed of its own: what is random in a run is its workload, and a trace
// that `vmmsim trace gen` wrote records the spec that made it ("# spec:
// ... --seed S"). Seed k of a run (k = 0..N-1) is the config as written for
// k = 0, and for k >= 1 every such trace made again from its spec with
// --seed S + k, into the sweep's traces/ folder, and named by an override of
// the VM's trace. Hand-written traces stay as they are.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_parser.h"

namespace vmmsim::app {

class TraceReseeder {
 public:
  // `seeds`: N, for messages; `traces`: the (absolute) folder the traces go to.
  TraceReseeder(unsigned seeds, std::filesystem::path traces);

  // The overrides that give `config` its seed k >= 1. Writes each trace once.
  // InputError when no VM of the config has a generated trace (no seed to
  // vary), or a spec that no longer reads.
  std::vector<config::Override> operator()(const config::Config& config, unsigned k);

 private:
  std::string reseeded(const std::string& trace, unsigned k);

  unsigned m_seeds;
  std::filesystem::path m_traces;
  std::map<std::string, std::string> m_spec;     // trace path -> its spec line ("" = none)
  std::map<std::string, std::string> m_written;  // trace path and seed -> the new trace
};

}  // namespace vmmsim::app
