// The --json document of a run's results, parsed back: tests check field
// names and values as a user's script reads them.
#pragma once

#include <sstream>

#include "report/json_report.h"
#include "report/json_value.h"

namespace vmmsim::testing {

inline report::JsonValue json_of(const report::Results& r) {
  std::ostringstream out;
  report::write_json_report(r, out);
  return report::JsonValue::parse(out.str());
}

}  // namespace vmmsim::testing
