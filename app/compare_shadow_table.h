// `vmmsim compare --shadow` (docs/compare.md "Shadow agreement"): a line per
// run and shadow session with how often the candidate in shadow would have
// decided as the active scheduler did.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "app/compare_runs.h"

namespace vmmsim::app {

// Whether any run with results had a shadow (then the table and the CSV
// are written).
bool any_shadow(const std::vector<CompareRun>& runs);

// Writes the agreement table of the runs that have results to `table`;
// returns the text of compare-shadow.csv.
std::string write_shadow_table(const std::vector<CompareRun>& runs, std::ostream& table);

}  // namespace vmmsim::app
