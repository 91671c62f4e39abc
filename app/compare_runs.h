// The runs of one `vmmsim compare` (docs/compare.md): what each run is, the
// folder it gets inside --out, and the checks of every output before any
// run starts.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_parser.h"
#include "report/json_value.h"

namespace vmmsim::app {

struct CompareRun {
  std::string name;  // also its folder's name inside --out
  std::string config_path;
  std::vector<config::Override> overrides;
  std::optional<unsigned> seed;  // sweep --seeds: which seed of the config (app/sweep_seeds.h)
  config::Config config;
  std::filesystem::path dir;
  // Missing: a sweep's run that has no result yet (docs/sweeps.md).
  enum class State { NotRun, Done, Stopped, Failed, Missing } state = State::NotRun;
  int status = -1;    // the child's exit code, if it exited
  int killed_by = 0;  // the signal it died of, if one killed it
  report::JsonValue results;
  bool has_results() const { return state == State::Done || state == State::Stopped; }
};

// Gives each run a folder name of its own, the same for the same inputs:
// the config's stem and `swept[i]` (the values that differ); where two
// collide (d1/a.ini and d2/a.ini), the config's folder too; where that is
// not enough, a short hash of the run's canonical config path and
// overrides. InputError if one run is named twice.
void name_runs(std::vector<CompareRun>& runs,
               const std::vector<std::vector<config::Override>>& swept);

// The [run] shadow value of `compare --shadow SPEC` (TARGET[,KEY=VALUE...]):
// "0:SPEC", a relative plugin path made absolute (the option's paths are the
// working folder's; [run] shadow's are the config's). InputError naming
// --shadow for a spec that --shadow of `vmmsim run` would refuse.
std::string shadow_override(const std::string& spec);

// No output may replace an input of any run (a config, a trace, a plugin),
// nor two outputs share a file (checked before any folder is made); with
// `writable`, the folders must also take files. Before any run starts.
void check_compare_outputs(const std::vector<CompareRun>& runs, const std::filesystem::path& out,
                           bool writable);

}  // namespace vmmsim::app
