// libFuzzer target: the ftrace / trace-cmd importer (workload/importers.h)
// on arbitrary bytes, streamed through the capped reader as the CLI does, then its output through the trace parser, which every
// import must satisfy. Bad input must end in InputError; anything else is a
// finding.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>

#include "base/capped_input.h"
#include "tests/fuzz/import_check.h"
#include "workload/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  vmmsim::workload::ImportOptions plain;
  auto import = [&text](const vmmsim::workload::ImportOptions& options) {
    // As the CLI reads: a stream inflated and capped while it is read.
    vmmsim::CappedInput buffer(text, "fuzz.ftrace", vmmsim::workload::kImportInput);
    std::istream in(&buffer);
    return vmmsim::workload::import_ftrace(in, "fuzz.ftrace", options);
  };
  vmmsim::fuzz::import_and_check(plain, import);
  // The options that take other paths: skipping, top N, VM patterns, a window, a slow clock.
  vmmsim::workload::ImportOptions narrow;
  narrow.clock = 1193182;
  narrow.skip_bad = true;
  narrow.top = 2;
  narrow.vm_patterns = {{"kworker*", "kernel"}, {"[a-m]*", "early"}};
  narrow.from_s = 0.0001;
  narrow.to_s = 30;
  narrow.max_vms = 2;
  vmmsim::fuzz::import_and_check(narrow, import);
  return 0;
}
