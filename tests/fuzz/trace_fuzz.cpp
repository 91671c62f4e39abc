// libFuzzer target: the trace parser (workload/trace_parser.h) on arbitrary
// text. Bad input must end in InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "base/input_error.h"
#include "workload/trace_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    // A slow clock and a fast one: unit conversion overflows differently.
    vmmsim::workload::parse_trace(text, "fuzz.trace", 1000000000);
    vmmsim::workload::parse_trace(text, "fuzz.trace", 1000000000000ULL);
  } catch (const vmmsim::InputError&) {
  }
  return 0;
}
