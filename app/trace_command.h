// `vmmsim trace`: make workload traces. `trace gen` writes a synthetic trace
// (workload/generators.h, docs/generators.md); `trace import` turns real
// traces into vmmsim traces (workload/importers.h).
#pragma once

#include <string>
#include <vector>

namespace vmmsim::app {

// `args` are the words after "trace". Returns the exit code; bad input throws
// InputError with a one-line message naming the option (exit 2 in main).
// Every output is written whole or not at all (base/output_plan.h).
int trace_command(const std::vector<std::string>& args);

}  // namespace vmmsim::app
