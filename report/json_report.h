// --json: everything in the report, machine-readable (docs/results.md).
// No host times: the same inputs give the same bytes.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "base/text.h"  // json_quoted
#include "report/results.h"

namespace vmmsim::report {

class JsonValue;  // report/json_value.h: only its users pay for nlohmann/json.hpp

void write_json_report(const Results& results, std::ostream& out);

// Reading one back: the schedulers of the run in the order they were
// active, each change once — its epochs', or, in results without epochs, the
// first successful replacement's `from` and each one's `to`. `scheduler`
// names only the one active at the end (report/html/report.js reads it alike).
std::vector<std::string> schedulers_in_order(const JsonValue& results);
// The first of them: the scheduler the run started with.
std::string starting_scheduler(const JsonValue& results);

}  // namespace vmmsim::report
