// The switching controller's results (report::ControllerResult) in the JSON
// and text reports, and each decision's label (the timeline's instants):
// written only with a [controller], so that other runs' outputs do not change.
#pragma once

#include <ostream>
#include <string>

#include "report/results.h"

namespace vmmsim::report {

// `,\n  "controller": {...}` (docs/results.md); nothing without a controller.
void write_controller_json(const Results& r, std::ostream& out);
// The "Controller" section of the text report; nothing without a controller.
void write_controller_text(const Results& r, std::ostream& out);
// "fast: input_p99 of web 7.200 ms > 5.000 ms: load bvt (done, downtime 0.021 ms)".
std::string decision_label(const ControllerDecision& d, Hertz clock);
// A metric's value or threshold as it reads: milliseconds for a duration, else a decimal.
std::string metric_text(const std::string& metric, double value, Hertz clock);

}  // namespace vmmsim::report
