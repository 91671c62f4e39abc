// The words of a scheduler control request: `sched-load`, `sched-stage`,
// `sched-unload`, `sched-shadow` and `sched-unshadow` in a trace, and the
// CLI's --swap, --stage, --shadow and their [run] keys (docs/trace-format.md).
// Plain C++.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workload/trace_program.h"

namespace vmmsim::workload {

// Whether a load's target names a shared object (it holds a '/' or ends in
// ".so"), not a built-in; the same rule as vmm::open_image.
bool is_image_path(std::string_view target);

// The trace keyword of a request: "sched-load", "sched-stage", "sched-unload",
// "sched-shadow" or "sched-unshadow".
const char* control_keyword(ControlRequest::Kind kind);

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
