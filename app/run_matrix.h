// The runs of a comparison or a sweep (docs/compare.md, docs/sweeps.md):
// every combination of the configs, the --schedulers, each --set value
// list and the seeds, each run's config read and checked before any runs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "app/compare_runs.h"
#include "config/config.h"
#include "config/config_parser.h"

namespace vmmsim::app {

struct RunMatrix {
  std::vector<std::string> configs;
  std::string schedulers;         // a comma list; "" = each config's own
  std::vector<std::string> sets;  // SECTION.KEY=V1,V2,...: a list sweeps
  std::string until;              // "" = each config's [run] until
  unsigned seeds = 0;             // sweep --seeds N: 0 = no seed dimension
  // With seeds: the overrides that give a run of `config` its seed k >= 1
  // (app/sweep_seeds.h); InputError where the config has none to vary.
  std::function<std::vector<config::Override>(const config::Config& config, unsigned k)> reseed;
  // compare --shadow: each a run of its own with that candidate in shadow from 0.
  std::vector<std::string> shadows;
};

// The runs, in order: per config, the first --schedulers value varying
// fastest, then each --set's, then the seed. Each has its config loaded
// with its overrides and --until, and its name (name_runs). InputError
// for bad input of any run.
std::vector<CompareRun> expand_runs(const RunMatrix& matrix);

// Sets `config.until` to --until's value; InputError for a bad one.
void apply_until(config::Config& config, const std::string& until);

}  // namespace vmmsim::app
