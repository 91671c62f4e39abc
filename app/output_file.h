// Outputs are written whole or not at all: to a temporary name beside the
// target, then renamed, so an interrupted run never leaves half a file.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace vmmsim::app {

// Throws InputError if the file cannot be written.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace vmmsim::app
