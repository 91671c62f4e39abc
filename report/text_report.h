// The report a run prints on stdout: fmt tables.
#pragma once

#include <ostream>

#include "report/results.h"

namespace vmmsim::report {

void write_text_report(const Results& results, std::ostream& out);

}  // namespace vmmsim::report
