// A benchmark case's configuration from the command line: the config file,
// its --set overrides, --each-vm (vm.NAME.KEY for every guest VM) and
// --until, and the host time they measure, shared by `vmmsim_bench case` and
// `vmmsim_bench policy`.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "config/config.h"

namespace vmmsim::bench {

struct CaseOptions {
  std::string command;  // "case" or "policy": the errors' prefix
  std::string config_path;
  std::string until;  // the measured window after any warm-up; empty: the config's [run] until
  std::vector<std::string> sets, each_vm;
};

// Takes args[*i] (and its value, advancing *i) if it is CONFIG, --until,
// --set or --each-vm; false if it is none of them.
bool parse_case_option(const std::vector<std::string>& args, std::size_t* i, CaseOptions* opts);

// The config with the overrides applied; InputError on bad input.
config::Config load_case_config(const CaseOptions& opts);

// CPU time of this process (user + system), seconds. On a shared, loaded host
// it is the better measure of what a run costs: wall time also counts the
// time other processes held the CPU.
double cpu_seconds();
// Its system part (getrusage's ru_stime): in a traced run mostly the VCD's
// writes into the page cache. Sampled at the clock tick, a few ms a sample:
// a difference of a few percent needs repeated runs.
double system_cpu_seconds();

}  // namespace vmmsim::bench
