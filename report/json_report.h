// --json: everything in the report, machine-readable (docs/results.md).
// No host times: the same inputs give the same bytes.
#pragma once

#include <ostream>
#include <string>

#include "base/text.h"  // json_quoted
#include "report/results.h"

namespace vmmsim::report {

void write_json_report(const Results& results, std::ostream& out);

}  // namespace vmmsim::report
