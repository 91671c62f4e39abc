// Reads the vmmsim trace format (docs/trace-format.md).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workload/trace_program.h"

namespace vmmsim::workload {

// Parses trace text. `file` names it in messages; `clock` converts time units
// to cycles. Throws InputError "FILE:LINE: what was expected" on bad input.
TraceProgram parse_trace(std::string_view text, const std::string& file, Hertz clock);

// Whether a load's target names a shared object (it holds a '/' or ends in
// ".so"), not a built-in; the same rule as vmm::open_image.
bool is_image_path(std::string_view target);

// Reads and parses a trace file; a missing or unreadable file is an InputError.
TraceProgram load_trace(const std::string& path, Hertz clock);

// Parses the words after `sched-load` / `sched-unload` (shared by the trace
// format and the CLI's --swap). `base_dir` resolves relative image paths.
// Returns an empty string and fills *out, or the reason it is malformed
// ("expected ...") for the caller to place in its own message.
std::string parse_control(ControlRequest::Kind kind, std::string_view words,
                          const std::string& base_dir, ControlRequest* out);
// The same for words already split (the first may hold blanks: --swap and
// [run] swap take a quoted plugin path).
std::string parse_control(ControlRequest::Kind kind, const std::vector<std::string_view>& words,
                          const std::string& base_dir, ControlRequest* out);

}  // namespace vmmsim::workload
