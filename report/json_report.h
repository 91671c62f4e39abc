// --json: everything in the report, machine-readable (docs/results.md).
// No host times: the same inputs give the same bytes.
#pragma once

#include <ostream>
#include <string>

#include "report/results.h"

namespace vmmsim::report {

void write_json_report(const Results& results, std::ostream& out);

// A string as a JSON string literal, quotes and escapes included.
std::string json_quoted(const std::string& s);

}  // namespace vmmsim::report
