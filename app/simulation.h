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
};

// Elaborates the platform (once per process), runs it, prints the report on
// `report` and writes the outputs whole. Throws InputError on bad input.
// With `stop` (app/interrupt.h), a signal ends the run early: the report
// and outputs cover the simulated time so far, marked partial, and the
// result is true.
bool simulate(const config::Config& config, const Outputs& outputs, std::ostream& report,
              const volatile std::sig_atomic_t* stop = nullptr);
// The files an output is written to before its rename into place.
std::vector<std::string> temporaries_of(const Outputs& outputs);

// "SECTION.KEY=VALUE" -> Override; InputError naming the option otherwise.
config::Override parse_override(const std::string& text);
// Throws InputError if `output` is `input` (an output never overwrites an input).
void refuse_overwrite(const std::string& output, const std::string& input);
// Every input of a config: the file and its traces.
std::vector<std::string> inputs_of(const config::Config& config);

}  // namespace vmmsim::app
