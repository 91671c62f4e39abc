// The summary of a comparison (docs/compare.md "Outputs"): the table on
// stdout, compare.csv, compare.json and compare.html, from the runs'
// folders. One code path for `vmmsim compare` and `vmmsim sweep collect`,
// so that the same runs give the same bytes.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "app/compare_runs.h"

namespace vmmsim::app {

// "done", "stopped", "failed", "not run", "missing": a run's status in
// compare.json and in the table's list of runs without results.
const char* state_name(CompareRun::State state);

// Reads the run's results.json into `run.results` (a run that has results).
void load_results(CompareRun& run);

// The Gantt chart's window in ms (compare --window), or none: the page then
// opens it around the first replacement.
struct WindowMs {
  double from = 0, to = 0;
};
// `window` in cycles of the clock `hz`, in ms.
WindowMs window_ms(const TimeWindow& window, double hz);

// Writes the table to `table` and compare.csv, compare.json and
// compare.html into `out`, all or nothing (base/output_plan.h), from the
// runs that have results. `partial`: why some runs have none, or stopped
// early ("" if none), which every output then says; `title` is the page's.
void write_compare_summary(const std::vector<CompareRun>& runs, const std::filesystem::path& out,
                           const std::string& title, std::ostream& table,
                           const std::optional<WindowMs>& window, const std::string& partial);

}  // namespace vmmsim::app
