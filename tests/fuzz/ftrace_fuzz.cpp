// libFuzzer target: the ftrace / trace-cmd importer (workload/importers.h)
// on arbitrary bytes, gunzipped first as the CLI does, then its output through the trace parser, which every
// import must satisfy. Bad input must end in InputError; anything else is a
// finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "base/input_error.h"
#include "workload/importers.h"
#include "workload/trace_parser.h"

namespace {

void import_and_check(const std::string& text, const vmmsim::workload::ImportOptions& options) {
  vmmsim::workload::ImportResult result;
  try {
    std::istringstream in(vmmsim::workload::gunzip_if_gzip(text, "fuzz.ftrace"));  // as the CLI reads
    result = vmmsim::workload::import_ftrace(in, "fuzz.ftrace", options);
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
  std::string text(reinterpret_cast<const char*>(data), size);
  vmmsim::workload::ImportOptions plain;
  import_and_check(text, plain);
  // The options that take other paths: skipping, top N, VM patterns, a window, a slow clock.
  vmmsim::workload::ImportOptions narrow;
  narrow.clock = 1193182;
  narrow.skip_bad = true;
  narrow.top = 2;
  narrow.vm_patterns = {{"kworker*", "kernel"}, {"[a-m]*", "early"}};
  narrow.from_s = 0.0001;
  narrow.to_s = 30;
  narrow.max_vms = 2;
  import_and_check(text, narrow);
  return 0;
}
