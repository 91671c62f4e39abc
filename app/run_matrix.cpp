#include "app/run_matrix.h"

#include <fmt/format.h>

#include <sstream>
#include <utility>

#include "app/out_of_memory.h"
#include "app/simulation.h"
#include "base/input_error.h"
#include "base/text.h"

namespace vmmsim::app {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

}  // namespace

void apply_until(config::Config& config, const std::string& until) {
  if (until.empty()) return;
  std::string why;
  auto cycles = parse_simulated_duration(until, config.platform.clock, &why);
  if (!cycles || *cycles == 0)
    throw InputError(
        fmt::format("--until {}: expected {}", until, cycles ? "a duration above 0" : why));
  config.until = *cycles;
}

std::vector<CompareRun> expand_runs(const RunMatrix& matrix) {
  // The sweeps: every --set with its values; --schedulers is one more.
  std::vector<std::pair<std::string, std::vector<std::string>>> sweeps;
  if (!matrix.schedulers.empty())
    sweeps.push_back({"vmm.scheduler", split(matrix.schedulers, ',')});
  // --shadow is [run] shadow from cycle 0; a spec keeps its commas (parameters).
  if (!matrix.shadows.empty()) {
    std::vector<std::string> values;
    for (const std::string& spec : matrix.shadows) values.push_back(shadow_override(spec));
    sweeps.push_back({"run.shadow", values});
  }
  for (const std::string& s : matrix.sets) {
    config::Override o = parse_override(s);
    auto values = split(o.value, ',');
    if (values.empty()) throw InputError(fmt::format("--set {}: expected at least one value", s));
    sweeps.push_back({o.key, values});
  }

  std::vector<CompareRun> runs;
  std::vector<std::vector<config::Override>> swept;  // per run: the values that name it
  for (const std::string& config : matrix.configs) {
    for (unsigned seed = 0; seed < std::max(matrix.seeds, 1u); ++seed) {
      std::vector<std::size_t> at(sweeps.size(), 0);
      for (;;) {
        CompareRun run;
        run.config_path = config;
        std::vector<config::Override> named;
        for (std::size_t i = 0; i < sweeps.size(); ++i) {
          run.overrides.push_back({sweeps[i].first, sweeps[i].second[at[i]]});
          if (sweeps[i].second.size() > 1 || sweeps[i].first == "vmm.scheduler")
            named.push_back(run.overrides.back());
        }
        // Every run is checked before any starts: bad input stops it all.
        set_activity(fmt::format("reading {} and its traces", shown(config, 200)));
        run.config = config::load_config(config, run.overrides);
        if (matrix.seeds > 0) {
          run.seed = seed;
          if (matrix.seeds > 1) named.push_back({"seed", std::to_string(seed)});
          if (seed > 0) {
            for (config::Override& o : matrix.reseed(run.config, seed))
              run.overrides.push_back(std::move(o));
            run.config = config::load_config(config, run.overrides);
          }
        }
        apply_until(run.config, matrix.until);
        swept.push_back(named);
        runs.push_back(std::move(run));
        std::size_t i = 0;
        while (i < at.size() && ++at[i] == sweeps[i].second.size()) at[i++] = 0;
        if (i == at.size()) break;
      }
    }
  }
  name_runs(runs, swept);
  return runs;
}

}  // namespace vmmsim::app
