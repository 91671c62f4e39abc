// The report a run prints on stdout: fmt tables.
#pragma once

#include <ostream>

#include "report/results.h"

namespace vmmsim::report {

// Summary: the header and the per-VM lines only (a run of thousands of
// vCPUs prints a line per VM, not per vCPU and pCPU).
enum class TextDetail { Full, Summary };
void write_text_report(const Results& results, std::ostream& out, TextDetail detail = TextDetail::Full);

}  // namespace vmmsim::report
