// `vmmsim sweep`: plan thousands of runs, run them on the engines a cluster
// has (Slurm job arrays, GNU parallel over ssh, or this machine), and
// collect what finished into compare's table, CSV, JSON and HTML
// (docs/sweeps.md). Each subcommand returns its exit code; bad input throws
// InputError (exit 2).
#pragma once

#include <string>
#include <vector>

namespace vmmsim::app {

int sweep_command(const std::vector<std::string>& args);

int sweep_plan_command(const std::vector<std::string>& args);
int sweep_run_command(const std::vector<std::string>& args);
int sweep_collect_command(const std::vector<std::string>& args);
int sweep_status_command(const std::vector<std::string>& args);

}  // namespace vmmsim::app
