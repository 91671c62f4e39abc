// One "[section] key = value" of a config as the resolver reads it, and the
// value parsers every section shares: each fails with the one-line
// "ORIGIN: [SECTION] KEY = 'VALUE': what; expected ..." (docs/config.md).
// Plain C++.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/units.h"

namespace vmmsim::config {

struct Entry {
  std::string section;
  std::string key;
  std::string value;   // quoting undone
  std::string raw;     // as written, for list keys that undo quoting per word
  std::string origin;  // "file:line" or "--set"
  unsigned line = 0;   // 0 for --set
};

// Config text as quoted in a message: printable, and long enough for a path.
std::string text_of(std::string_view text);

// Throws InputError naming the entry and `what` (which says what is expected).
[[noreturn]] void fail(const Entry& e, const std::string& what);

// Every duration is a time the simulation schedules: at most max_duration(clock).
Cycles duration_of(const Entry& e, Hertz clock);
Bytes size_of(const Entry& e, Bytes min = 0);
std::uint64_t count_of(const Entry& e, std::uint64_t min, std::uint64_t max);

}  // namespace vmmsim::config
