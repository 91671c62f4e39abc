#include "report/html_report.h"

#include "report/html_assets.h"
#include "report/json_report.h"
#include "report/json_value.h"

#include <cstdint>
#include <utility>

#include <fmt/format.h>

namespace vmmsim::report {
namespace {

// One <noscript> row from a results.json; empty cells when it cannot be read.
std::string noscript_row(const HtmlRun& run) {
  std::string name = "<td>" + escape_html(run.name) + "</td>";
  if (run.results_json.empty()) return "<tr>" + name + "<td colspan=\"7\">no results</td></tr>\n";
  JsonValue r;
  try {
    r = JsonValue::parse(run.results_json, "results.json");
  } catch (const std::runtime_error&) {
    return "<tr>" + name + "<td colspan=\"7\">unreadable results.json</td></tr>\n";
  }
  const double clock = r["clock_hz"].number(), elapsed = r["elapsed_cycles"].number();
  double vmm = 0, total = 0, switches = 0;
  for (const JsonValue& p : r["pcpus"].array()) {
    for (const char* key : {"guest_cycles", "vmm_cycles", "idle_cycles", "ceased_cycles"}) total += p[key].number();
    vmm += p["vmm_cycles"].number();
  }
  for (const JsonValue& v : r["vcpus"].array()) switches += v["context_switches"].number();
  std::string chain;
  for (const std::string& name : schedulers_in_order(r)) chain += (chain.empty() ? "" : " → ") + name;
  std::size_t done = 0;
  const std::vector<JsonValue> reps = r["replacements"].array();
  for (const JsonValue& x : reps) done += x["ok"].boolean() ? 1 : 0;
  return fmt::format(
      "<tr>{}<td>{}</td><td>{}</td><td>{}</td><td>{:.4f}</td><td>{}</td><td>{:.0f}</td><td>{} / {}</td></tr>\n", name,
      escape_html(chain), escape_html(r["activation"].string()),
      clock > 0 ? fmt::format("{:.3f}", elapsed / clock * 1e3) : "–", r["jain_fairness"].number(),
      total > 0 ? fmt::format("{:.3f} %", 100 * vmm / total) : "–", switches, done, reps.size());
}

std::string json_quote(const std::string& s) { return json_quoted(s); }

std::string script_block(const std::string& id, const std::string& json) {
  return "<script type=\"application/json\" id=\"" + id + "\">" + escape_script_json(json) + "</script>\n";
}

// Replaces each @NAME@ of `page` with values.at(NAME), in one pass, so that
// a value can never be taken for a marker.
std::string fill(std::string_view page, const std::vector<std::pair<std::string, std::string>>& values) {
  std::string out;
  std::size_t i = 0;
  while (i < page.size()) {
    std::size_t at = page.find('@', i);
    if (at == std::string::npos) break;
    out.append(page, i, at - i);
    i = at + 1;
    for (const auto& [name, value] : values) {
      if (page.compare(at + 1, name.size() + 1, name + "@") == 0) {
        out += value;
        i = at + name.size() + 2;
        break;
      }
    }
    if (i == at + 1) out += '@';
  }
  out.append(page, i, std::string::npos);
  return out;
}

}  // namespace

std::string escape_script_json(const std::string& json) {
  std::string out;
  out.reserve(json.size() + json.size() / 64);
  for (std::size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && json.compare(i, 4, "<!--") == 0)
      out += "\\u003c";
    else if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/')
      out += "<\\", ++i, out += '/';
    else
      out += json[i];
  }
  return out;
}

std::string render_compare_html(const std::vector<HtmlRun>& runs, const HtmlOptions& options) {
  const std::string title = escape_html(options.title.empty() ? "vmmsim compare" : options.title);

  // The data: a manifest naming each run's blocks, then the blocks verbatim.
  std::string manifest = fmt::format("{{\"title\": {}, \"window_ms\": [{:.6f}, {:.6f}], \"runs\": [",
                                     json_quote(options.title), options.window_from_ms, options.window_to_ms);
  std::string blocks;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const HtmlRun& run = runs[i];
    std::string results = run.results_json.empty() ? "" : fmt::format("vmmsim-run-{}-results", i);
    std::string timeline = run.timeline_json.empty() ? "" : fmt::format("vmmsim-run-{}-timeline", i);
    manifest += fmt::format("{}{{\"name\": {}, \"results\": {}, \"timeline\": {}}}", i ? ", " : "",
                            json_quote(run.name), results.empty() ? "null" : json_quote(results),
                            timeline.empty() ? "null" : json_quote(timeline));
    if (!results.empty()) blocks += script_block(results, run.results_json);
    if (!timeline.empty()) blocks += script_block(timeline, run.timeline_json);
  }
  manifest += "]}";

  std::string names;
  for (std::size_t i = 0; i < runs.size(); ++i) names += (i ? ", " : "") + escape_html(runs[i].name);
  std::string intro = options.note.empty() ? "" : "<p><strong>" + escape_html(options.note) + "</strong></p>\n";
  intro += fmt::format("<p class=\"note\">{} run{}: {}.", runs.size(), runs.size() == 1 ? "" : "s", names);
  if (options.window_to_ms > options.window_from_ms)
    intro += fmt::format(" Gantt window {:.3f}–{:.3f} ms.", options.window_from_ms, options.window_to_ms);
  intro += " Self-contained: all data is embedded in this file.</p>";

  std::string noscript =
      "<p><strong>The charts need JavaScript.</strong> Summary:</p>\n<table><tr><th>run</th><th>scheduler</th>"
      "<th>activation</th><th>elapsed (ms)</th><th>Jain's index</th><th>VMM overhead</th><th>context switches</th>"
      "<th>replacements ok / all</th></tr>\n";
  for (const HtmlRun& run : runs) noscript += noscript_row(run);
  noscript += "</table>";

  return fill(kHtmlPage, {{"TITLE", title},
                           {"INTRO", intro},
                           {"NOSCRIPT", noscript},
                           {"DATA", script_block("vmmsim-manifest", manifest) + blocks},
                           {"STYLE", std::string(kHtmlStyle)},
                           {"SCRIPT", std::string(kHtmlScript)}});
}

}  // namespace vmmsim::report
