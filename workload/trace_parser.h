// Reads the vmmsim trace format (docs/trace-format.md).
#pragma once

#include <string>
#include <string_view>

#include "workload/control_request.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {

// Parses trace text. `file` names it in messages; `clock` converts time units
// to cycles. Throws InputError "FILE:LINE: what was expected" on bad input.
TraceProgram parse_trace(std::string_view text, const std::string& file, Hertz clock);

// Reads and parses a trace file; a missing or unreadable file is an InputError.
TraceProgram load_trace(const std::string& path, Hertz clock);

}  // namespace vmmsim::workload
