// Memory running out ends a command with one line that names what vmmsim
// was doing, "vmmsim: out of memory while simulating c.ini (4 pCPUs, 4096
// vCPUs)", and exit code 71 (EX_OSERR: the system could not give what the
// input asks for), never as an internal error (docs/robustness.md, "Memory").
#pragma once

#include <exception>
#include <ostream>
#include <string_view>

namespace vmmsim::app {

inline constexpr int kOutOfMemory = 71;

// What vmmsim is doing now, in words that follow "out of memory while".
// Kept in a fixed buffer, so that reporting it allocates nothing.
void set_activity(std::string_view what);
// A std::bad_alloc, or SystemC's report of one thrown inside a process
// (the kernel hands those out as its own exception, E549).
bool is_out_of_memory(const std::exception& e);
// Writes the one line.
void report_out_of_memory(std::ostream& err);

}  // namespace vmmsim::app
