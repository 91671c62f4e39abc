// `vmmsim compare`: the same workload under several schedulers or parameter
// sweeps, each run in its own process (SystemC elaborates once per process).
#pragma once

#include <string>
#include <vector>

namespace vmmsim::app {

// Returns the exit code; bad input throws InputError (exit 2).
int compare_command(const std::vector<std::string>& args);

}  // namespace vmmsim::app
