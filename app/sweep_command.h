// `vmmsim sweep`: plan thousands of runs, run them on the engines a cluster
// has (Slurm job arrays, GNU parallel over ssh, or this machine), and
// collect what finished into compare's table, CSV, JSON and HTML
// (docs/sweeps.md). Each subcommand returns its exit code; bad input throws
// InputError (exit 2).
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/sweep_manifest.h"

namespace vmmsim::app {

int sweep_command(const std::vector<std::string>& args);

int sweep_plan_command(const std::vector<std::string>& args);
int sweep_run_command(const std::vector<std::string>& args);
int sweep_collect_command(const std::vector<std::string>& args);
int sweep_status_command(const std::vector<std::string>& args);

// A subcommand of a planned sweep (run, status, collect): parses `args` with
// `options` and DIR into `vm` and reads DIR's sweep; with --help, prints
// `options` and `more` and gives none.
std::optional<Sweep> sweep_of(const char* command, const std::vector<std::string>& args,
                              const boost::program_options::options_description& options,
                              const char* more, boost::program_options::variables_map* vm);

}  // namespace vmmsim::app
