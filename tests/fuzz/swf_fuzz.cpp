// libFuzzer target: the Standard Workload Format importer (workload/importers.h)
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
    vmmsim::CappedInput buffer(text, "fuzz.swf", vmmsim::workload::kImportInput);
    std::istream in(&buffer);
    return vmmsim::workload::import_swf(in, "fuzz.swf", options);
  };
  vmmsim::fuzz::import_and_check(plain, import);
  // The options that take other paths: skipping, a window, job selection, a slow clock.
  vmmsim::workload::ImportOptions narrow;
  narrow.clock = 1193182;
  narrow.skip_bad = true;
  narrow.from_s = 1;
  narrow.to_s = 100000;
  narrow.first_job = 1;
  narrow.max_jobs = 50;
  narrow.max_vms = 1;
  vmmsim::fuzz::import_and_check(narrow, import);
  return 0;
}
