// What `vmmsim compare` prints and puts in compare.csv (docs/compare.md
// "The table and compare.csv"): a line per run, a line per run and VM with
// the best run per VM and metric marked.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "app/compare_runs.h"

namespace vmmsim::app {

// Writes the table of the runs that have results to `table`; returns the
// text of compare.csv.
std::string write_compare_table(const std::vector<CompareRun>& runs, std::ostream& table);

}  // namespace vmmsim::app
