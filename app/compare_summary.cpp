#include "app/compare_summary.h"

#include <fmt/format.h>

#include "app/compare_shadow_table.h"
#include "app/compare_table.h"
#include "base/file_text.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "report/html_report.h"

namespace vmmsim::app {
namespace {

namespace fs = std::filesystem;
using State = CompareRun::State;

// compare.json: each run's own results embedded verbatim.
void write_json(const std::vector<CompareRun>& runs, const std::vector<std::string>& results,
                std::ostream& o, const std::string& partial) {
  o << "{\n  \"format\": \"vmmsim-compare 1\",\n";
  o << fmt::format("  \"partial\": {},\n", partial.empty() ? "false" : "true");
  if (!partial.empty()) o << fmt::format("  \"partial_reason\": {},\n", json_quoted(partial));
  o << "  \"runs\": [\n";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::string overrides;
    for (const config::Override& ov : runs[i].overrides)
      overrides += fmt::format("{}{}: {}", overrides.empty() ? "" : ", ", json_quoted(ov.key),
                               json_quoted(ov.value));
    o << fmt::format(
        "    {{\"name\": {}, \"config\": {}, \"overrides\": {{{}}}, \"dir\": {}, \"status\": {},\n "
        "    "
        "\"results\": {}}}{}\n",
        json_quoted(runs[i].name), json_quoted(runs[i].config_path), overrides,
        json_quoted(runs[i].dir.filename().string()), json_quoted(state_name(runs[i].state)),
        runs[i].has_results() ? results[i] : "null", i + 1 < runs.size() ? "," : "");
  }
  o << "  ]\n}\n";
}

}  // namespace

const char* state_name(State state) {
  switch (state) {
    case State::Done:
      return "done";
    case State::Stopped:
      return "stopped";
    case State::Failed:
      return "failed";
    case State::Missing:
      return "missing";
    case State::NotRun:
      break;
  }
  return "not run";
}

void load_results(CompareRun& run) {
  run.results = report::JsonValue::parse(file_text(run.dir / "results.json"),
                                         (run.dir / "results.json").string());
}

WindowMs window_ms(const TimeWindow& window, double hz) {
  return {static_cast<double>(window.from) * 1000.0 / hz,
          static_cast<double>(window.to) * 1000.0 / hz};
}

void write_compare_summary(const std::vector<CompareRun>& runs, const fs::path& out,
                           const std::string& title, std::ostream& table,
                           const std::optional<WindowMs>& window, const std::string& partial) {
  if (!partial.empty()) table << "PARTIAL: " << partial << "\n\n";
  const std::string csv = write_compare_table(runs, table);
  const bool shadowed = any_shadow(runs);
  const std::string shadow_csv = shadowed ? write_shadow_table(runs, table) : "";
  bool listed = false;  // the runs without results, by what became of them
  for (const CompareRun& run : runs)
    if (!run.has_results() || run.state == State::Stopped)
      table << (listed ? "" : "\n")
            << fmt::format("{:<40} {}\n", run.name,
                           run.state == State::Stopped ? "stopped early (partial results)"
                                                       : state_name(run.state)),
          listed = true;
  // The three files are written all or nothing (base/output_plan.h).
  OutputPlan plan;
  std::ostream& csv_file = plan.add((out / "compare.csv").string(), "--out").stream();
  std::ostream& json_file = plan.add((out / "compare.json").string(), "--out").stream();
  std::ostream& html_file = plan.add((out / "compare.html").string(), "--out").stream();
  std::ostream* shadow_file = shadowed ? &plan.add((out / "compare-shadow.csv").string(), "--out").stream() : nullptr;
  plan.open();
  csv_file << csv;
  if (shadow_file) *shadow_file << shadow_csv;

  std::vector<std::string> results(runs.size());
  std::vector<report::HtmlRun> html_runs;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::string timeline;
    if (runs[i].has_results()) {
      results[i] = file_text(runs[i].dir / "results.json");
      timeline = file_text(runs[i].dir / "timeline.json");
    }
    html_runs.push_back({runs[i].name, results[i], timeline});
  }
  write_json(runs, results, json_file, partial);
  report::HtmlOptions options;
  options.title = title;
  options.note = partial.empty() ? "" : "PARTIAL: " + partial;
  if (window) {
    options.window_from_ms = window->from;
    options.window_to_ms = window->to;
  }
  html_file << report::render_compare_html(html_runs, options);
  plan.commit();
}

}  // namespace vmmsim::app
