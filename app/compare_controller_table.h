// The switching controller in `vmmsim compare` (docs/compare.md
// "Switching controllers"): a line per run that had one, with its decisions
// and what its switches cost, beside the per-VM table that says who won.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "app/compare_runs.h"

namespace vmmsim::app {

// Whether any run with results had a switching controller.
bool any_controller(const std::vector<CompareRun>& runs);

// Writes the controller table of the runs that have results to `table`;
// returns the text of compare-controller.csv.
std::string write_controller_table(const std::vector<CompareRun>& runs, std::ostream& table);

}  // namespace vmmsim::app
