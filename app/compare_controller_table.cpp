#include "app/compare_controller_table.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.h"
#include "report/json_report.h"
#include "report/json_value.h"

namespace vmmsim::app {
namespace {

using report::JsonValue;

bool has_controller(const CompareRun& run) { return run.has_results() && !run.results["controller"].is_null(); }

// One run's controller, summed over its decisions.
struct Summary {
  std::uint64_t decisions = 0, switched = 0, failed = 0, refused = 0;
  double downtime_cycles = 0;  // of the replacements its decisions caused
};

// Whether decision `d` of a run's `results` made a replacement sequence (a
// stage's transfer switches nothing).
bool switched(const JsonValue& results, const JsonValue& d) {
  const JsonValue index = d["replacement"];
  const JsonValue replacements = results["replacements"];
  return !index.is_null() && index.integer() < replacements.size() &&
         replacements[index.integer()]["sequence"].boolean();
}

Summary summary_of(const JsonValue& results) {
  Summary s;
  for (const JsonValue& d : results["controller"]["decisions"].array()) {
    ++s.decisions;
    const std::string& status = d["status"].string();
    if (status == "done" && switched(results, d)) ++s.switched;
    if (status == "failed") ++s.failed;
    if (status == "refused") ++s.refused;
    if (!d["downtime_cycles"].is_null()) s.downtime_cycles += d["downtime_cycles"].number();
  }
  return s;
}

}  // namespace

bool any_controller(const std::vector<CompareRun>& runs) {
  return std::any_of(runs.begin(), runs.end(), has_controller);
}

std::string write_controller_table(const std::vector<CompareRun>& runs, std::ostream& table) {
  std::size_t run_width = 40;
  for (const CompareRun& run : runs)
    if (has_controller(run)) run_width = std::max(run_width, printable(run.name).size());
  table << fmt::format(
      "\nSwitching controller (decisions in the service VM; downtime: of the switches they caused)\n"
      "{:<{}} {:>9} {:>8} {:>7} {:>7} {:>11} {:>11} {:>10}\n",
      "run", run_width, "decisions", "switched", "failed", "refused", "downtime ms", "eval ms", "evaluated");
  std::string csv =
      "run,config,scheduler,decisions,switched,failed,refused,downtime_ms,service_ms,evaluations,windows_missed,"
      "plugin_disabled,partial\n";
  for (const CompareRun& run : runs) {
    if (!has_controller(run)) continue;
    const JsonValue& r = run.results;
    const JsonValue c = r["controller"];
    const double hz = r["clock_hz"].number();
    const Summary s = summary_of(r);
    const double downtime_ms = s.downtime_cycles * 1000.0 / hz;
    const double service_ms = c["service_cycles"].number() * 1000.0 / hz;
    table << fmt::format("{:<{}} {:>9} {:>8} {:>7} {:>7} {:>11.3f} {:>11.3f} {:>10}\n", printable(run.name),
                         run_width, s.decisions, s.switched, s.failed, s.refused, downtime_ms, service_ms,
                         c["evaluations"].integer());
    const JsonValue plugin = c["plugin"];
    const std::string disabled = plugin.is_null() || plugin["disabled"].is_null() ? "" : plugin["disabled"].string();
    csv += fmt::format("{},{},{},{},{},{},{},{:.3f},{:.3f},{},{},{},{}\n", csv_field(run.name),
                       csv_field(run.config_path), csv_field(report::starting_scheduler(r)), s.decisions, s.switched,
                       s.failed, s.refused, downtime_ms, service_ms, c["evaluations"].integer(),
                       c["windows_missed"].integer(), csv_field(disabled), r["partial"].boolean());
  }
  return csv;
}

}  // namespace vmmsim::app
