// libFuzzer target: the CPU-utilisation importer (workload/importers.h) on
// arbitrary bytes, gunzipped first as the CLI does, then its output through
// the trace parser, which every import must satisfy. Bad input must end in
// InputError; anything else is a finding.
#include <cstddef>
#include <cstdint>
#include <string>

#include "tests/fuzz/import_check.h"
#include "workload/importers.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  vmmsim::workload::ImportOptions plain;
  auto import = [&bytes](const vmmsim::workload::ImportOptions& options) {
    std::string text = vmmsim::workload::gunzip_if_gzip(bytes, "planetlab/vm-1");  // as the CLI reads
    return vmmsim::workload::import_utilization_series({{"planetlab/vm-1", text}}, "planetlab", options);
  };
  vmmsim::fuzz::import_and_check(plain, import);
  // Skipping, a window, a slow clock and a short interval.
  vmmsim::workload::ImportOptions narrow;
  narrow.clock = 1193182;
  narrow.skip_bad = true;
  narrow.interval = 1193;  // ~1 ms
  narrow.from_s = 0.002;
  narrow.to_s = 10;
  vmmsim::fuzz::import_and_check(narrow, import);
  // A vast interval (16 steps of the format's largest per sample): sample
  // times reach the 64-bit limit after 1024 samples.
  vmmsim::workload::ImportOptions vast;
  vast.skip_bad = true;
  vast.interval = vmmsim::Cycles{1} << 54;
  vmmsim::fuzz::import_and_check(vast, import);
  return 0;
}
