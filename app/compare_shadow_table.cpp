#include "app/compare_shadow_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "base/text.h"
#include "report/json_report.h"
#include "report/json_value.h"

namespace vmmsim::app {
namespace {

using report::JsonValue;

// The answered request kinds, in the order of the table's columns.
constexpr const char* kKinds[] = {"pick_next", "wake", "tick", "priority"};

// agreed / compared of one kind; none where the kind was never compared.
std::optional<double> agreement(const JsonValue& shadow, const char* kind) {
  const JsonValue k = shadow["requests"][kind];
  if (k.is_null() || k["compared"].is_null() || k["compared"].integer() == 0) return std::nullopt;
  return static_cast<double>(k["agreed"].integer()) / static_cast<double>(k["compared"].integer());
}

std::optional<double> same_next(const JsonValue& shadow) {
  const std::uint64_t picks = shadow["requests"]["pick_next"]["calls"].integer();
  if (picks == 0) return std::nullopt;
  return static_cast<double>(shadow["same_next"].integer()) / static_cast<double>(picks);
}

std::string percent(const std::optional<double>& x) { return x ? fmt::format("{:.2f}%", 100 * *x) : "-"; }
std::string fraction(const std::optional<double>& x) { return x ? fmt::format("{:.6f}", *x) : ""; }

std::vector<JsonValue> shadows_of(const CompareRun& run) {
  return run.has_results() ? run.results["shadows"].array() : std::vector<JsonValue>{};
}

}  // namespace

bool any_shadow(const std::vector<CompareRun>& runs) {
  return std::any_of(runs.begin(), runs.end(), [](const CompareRun& run) { return !shadows_of(run).empty(); });
}

std::string write_shadow_table(const std::vector<CompareRun>& runs, std::ostream& table) {
  std::size_t run_width = 40, target_width = 10;
  for (const CompareRun& run : runs)
    for (const JsonValue& s : shadows_of(run)) {
      run_width = std::max(run_width, printable(run.name).size());
      target_width = std::max(target_width, printable(s["target"].string()).size());
    }
  table << fmt::format(
      "\nShadow agreement (the candidate's answers beside the active scheduler's; its later state is "
      "counterfactual)\n{:<{}} {:<{}} {:<9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>14} {:>7} {:>7}\n",
      "run", run_width, "shadow", target_width, "status", "same next", "pick_next", "wake", "tick", "priority",
      "first diff ms", "longer", "shorter");
  std::string csv =
      "run,config,scheduler,shadow,status,reason,from_ms,to_ms,same_next,pick_next_agreement,wake_agreement,"
      "tick_agreement,priority_agreement,first_divergence_ms,first_divergence_kind,picks_waited_longer,"
      "picks_waited_shorter,picks_waited_equal,partial\n";
  for (const CompareRun& run : runs) {
    const JsonValue& r = run.results;
    const double hz = r["clock_hz"].number();
    auto ms = [hz](const JsonValue& cycles) { return cycles.number() * 1000.0 / hz; };
    for (const JsonValue& s : shadows_of(run)) {
      const JsonValue first = s["first_divergence"];
      const std::string diverged = first.is_null() ? "-" : fmt::format("{:.3f}", ms(first["at_cycles"]));
      std::string line = fmt::format("{:<{}} {:<{}} {:<9} {:>9}", printable(run.name), run_width,
                                     printable(s["target"].string()), target_width, s["status"].string(),
                                     percent(same_next(s)));
      for (const char* kind : kKinds) line += fmt::format(" {:>9}", percent(agreement(s, kind)));
      line += fmt::format(" {:>14} {:>7} {:>7}", diverged, s["picks_waited"]["longer"].integer(),
                          s["picks_waited"]["shorter"].integer());
      table << line << '\n';
      csv += fmt::format("{},{},{},{},{},{},{:.3f},{:.3f},{}", csv_field(run.name), csv_field(run.config_path),
                         csv_field(report::starting_scheduler(r)), csv_field(s["target"].string()),
                         csv_field(s["status"].string()), csv_field(s["reason"].string()), ms(s["from_cycles"]),
                         ms(s["to_cycles"]), fraction(same_next(s)));
      for (const char* kind : kKinds) csv += "," + fraction(agreement(s, kind));
      csv += fmt::format(",{},{},{},{},{},{}\n", first.is_null() ? "" : fmt::format("{:.3f}", ms(first["at_cycles"])),
                         first.is_null() ? "" : csv_field(first["kind"].string()), s["picks_waited"]["longer"].integer(),
                         s["picks_waited"]["shorter"].integer(), s["picks_waited"]["equal"].integer(),
                         r["partial"].boolean());
    }
  }
  return csv;
}

}  // namespace vmmsim::app
