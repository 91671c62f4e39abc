// One simulation, from a resolved config to its outputs: what `run` does,
// and what each of `compare`'s child processes does.
#pragma once

#include <csignal>
#include <ostream>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_parser.h"

namespace vmmsim::app {

struct Outputs {
  std::string json, vcd, timeline, config_out;  // empty = not written
  Cycles timeline_from = 0, timeline_to = kForever;
  // The text report as one more output of the plan (a compare run's
  // report.txt), written and committed with the others; empty = on `report`.
  std::string report{};
  bool summary = false;  // the printed report's per-VM lines only (run --summary)
  bool progress = false;  // a progress line on standard error, a terminal (app/run_progress.h)
  bool host_cost = false;  // host ns per shadow call in the reports (run --host-cost)
  // > 0: the timeline also keeps the first replacement's neighbourhood,
  // this much before it and at least this much after (compare without
  // --window; report/timeline.h).
  Cycles timeline_replacement_pad = 0;
};

// Checks the outputs and creates their files (base/output_plan.h),
// elaborates the platform (once per process), runs it, writes the outputs
// all or nothing, then prints the report on `report` (on std::cerr instead
// if an output is standard output), unless `outputs.report` names its file. Throws InputError on bad input (before
// anything runs), OutputError if a write fails. With `stop`
// (app/interrupt.h), a signal ends the run early: the report and outputs
// cover the simulated time so far, marked partial, and the result is true.
bool simulate(const config::Config& config, const Outputs& outputs, std::ostream& report,
              const volatile std::sig_atomic_t* stop = nullptr);

// "SECTION.KEY=VALUE" -> Override; InputError naming the option otherwise.
config::Override parse_override(const std::string& text);
// Every input of a config, which no output may replace: the file, its
// traces and the plugin files its swaps and service VM load.
std::vector<std::string> inputs_of(const config::Config& config);

}  // namespace vmmsim::app
