// The words of a scheduler control request: `sched-load` and `sched-unload`
// in a trace, and the CLI's --swap (docs/trace-format.md). Plain C++.
#pragma once

#include <string>
#include <string_view>

#include "workload/trace_program.h"

namespace vmmsim::workload {

// Parses the words after `sched-load` / `sched-unload` (shared by the trace
// format and the CLI's --swap). `base_dir` resolves relative image paths.
// Returns an empty string and fills *out, or the reason it is malformed
// ("expected ...") for the caller to place in its own message.
std::string parse_control(ControlRequest::Kind kind, std::string_view words,
                          const std::string& base_dir, ControlRequest* out);

}  // namespace vmmsim::workload
