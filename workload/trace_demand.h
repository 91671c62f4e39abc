// What a set of traces asks of a platform, each vCPU replayed alone as if it
// never waited for a pCPU: when the last one ends, and how many compute at
// once at most. Sizes the config `vmmsim trace import --config` writes
// (docs/importers.md "A config to run the import"). Plain C++.
#pragma once

#include <vector>

#include "base/units.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {

struct TraceDemand {
  Cycles span = 0;            // the latest end of a vCPU's program (arrival + every step)
  unsigned peak_vcpus = 0;    // the most vCPUs in a `run` step at one time
  bool peak_estimated = false;  // too many steps to replay: peak = every vCPU with work
};

// Programs with `repeat forever` or `every ... count forever` never end:
// their span is kForever. Replays at most `max_steps` run steps in all; past
// that the peak is the count of vCPUs with any run step.
TraceDemand demand_of(const std::vector<const TraceProgram*>& traces, std::size_t max_steps = 20000000);

}  // namespace vmmsim::workload
