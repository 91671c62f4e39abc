// One output written whole or not at all (base/output_plan.h): to a
// temporary file beside the target, then renamed; a device, a FIFO or "-"
// (standard output) is written directly.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace vmmsim::app {

// Throws InputError if `path` cannot be an output, OutputError if a write fails.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace vmmsim::app
