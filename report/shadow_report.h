// The shadow sessions (report::ShadowResult) in the JSON and text reports:
// written only when a shadow was requested, so that other runs' outputs do
// not change; host time only with run --host-cost (not reproducible).
#pragma once

#include <ostream>

#include "report/results.h"

namespace vmmsim::report {

// `,\n  "shadows": [...]` after the epochs array (docs/results.md); nothing
// when r.shadows is empty.
void write_shadows_json(const Results& r, std::ostream& out);
// The "Shadow evaluation" section of the text report; nothing when empty.
void write_shadows_text(const Results& r, std::ostream& out);

}  // namespace vmmsim::report
