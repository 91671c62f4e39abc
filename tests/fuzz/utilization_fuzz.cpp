// libFuzzer target: the CPU-utilisation importer (workload/importers.h) on
// arbitrary bytes, gunzipped first as the CLI does, then its output through
// the trace parser, which every import must satisfy. Bad input must end in
// InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/input_error.h"
#include "workload/importers.h"
#include "workload/trace_parser.h"

namespace {

void import_and_check(const std::string& bytes, const vmmsim::workload::ImportOptions& options) {
  vmmsim::workload::ImportResult result;
  try {
    std::string text = vmmsim::workload::gunzip_if_gzip(bytes, "planetlab/vm-1");
    result = vmmsim::workload::import_utilization_series({{"planetlab/vm-1", text}}, "planetlab",
                                                         options);
  } catch (const vmmsim::InputError&) {
    return;
  }
  // The importers promise trace text the parser accepts: a refusal is a finding.
  for (const auto& vm : result.vms) {
    try {
      vmmsim::workload::parse_trace(vm.trace_text, "imported.trace", options.clock);
    } catch (const vmmsim::InputError& e) {
      std::fprintf(stderr, "import made a trace the parser refuses: %s\n", e.what());
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  vmmsim::workload::ImportOptions plain;
  import_and_check(bytes, plain);
  // Skipping, a window, a slow clock and a short interval.
  vmmsim::workload::ImportOptions narrow;
  narrow.clock = 1193182;
  narrow.skip_bad = true;
  narrow.interval = 1193;  // ~1 ms
  narrow.from_s = 0.002;
  narrow.to_s = 10;
  import_and_check(bytes, narrow);
  // A vast interval (16 steps of the format's largest per sample): sample
  // times reach the 64-bit limit after 1024 samples.
  vmmsim::workload::ImportOptions vast;
  vast.skip_bad = true;
  vast.interval = vmmsim::Cycles{1} << 54;
  import_and_check(bytes, vast);
  return 0;
}
