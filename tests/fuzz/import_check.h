// What every importer's fuzz target checks: bad input ends in InputError, and
// what an import writes is trace text the trace parser accepts (the
// importers promise it). Anything else is a finding: an abort here, or any
// other exception escaping to libFuzzer.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "base/input_error.h"
#include "workload/importers.h"
#include "workload/trace_parser.h"

namespace vmmsim::fuzz {

// `import` maps the options to an ImportResult (reading the fuzzer's bytes).
template <typename Import>
void import_and_check(const workload::ImportOptions& options, Import import) {
  workload::ImportResult result;
  try {
    result = import(options);
  } catch (const InputError&) {
    return;
  }
  for (const auto& vm : result.vms) {
    try {
      workload::parse_trace(vm.trace_text, "imported.trace", options.clock);
    } catch (const InputError& e) {
      std::fprintf(stderr, "import made a trace the parser refuses: %s\n", e.what());
      std::abort();
    }
  }
}

}  // namespace vmmsim::fuzz
