#include "report/html_report.h"

#include "report/html_script.h"
#include "report/json_report.h"
#include "report/json_value.h"

#include <cctype>
#include <charconv>
#include <cstdint>
#include <functional>
#include <utility>

#include <fmt/format.h>

namespace vmmsim::report {
namespace {

// ---------------------------------------------------------------------------
// The page; fill() replaces its @NAME@ markers. Everything the browser needs
// is in this file.
constexpr const char* kPage = R"HTML(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="vmmsim compare">
<title>@TITLE@</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;padding:0 16px;color:#222;max-width:1240px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:30px 0 6px;border-bottom:1px solid #ddd;padding-bottom:3px}
h3{font-size:15px;margin:16px 0 4px}
table{border-collapse:collapse;margin:6px 0 10px}
th,td{padding:3px 9px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}
th{background:#f6f6f6;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#666;font-size:13px;margin:2px 0 8px}
.keys{margin:4px 0}
.key{display:inline-block;margin-right:14px;font-size:12px;white-space:nowrap}
.key i{display:inline-block;width:11px;height:11px;margin-right:4px;vertical-align:-1px;border:1px solid rgba(0,0,0,.25)}
svg{display:block;max-width:100%;height:auto;font-size:11px}
svg text{fill:#333}
.grid{stroke:#e6e6e6}
.axis{stroke:#888}
#render-error{color:#900;background:#fee;border:1px solid #e99;padding:8px;white-space:pre-wrap}
</style>
</head>
<body>
<h1>@TITLE@</h1>
@INTRO@
<noscript>@NOSCRIPT@</noscript>
<section><h2>Summary</h2>
<p class="note">Per run: the scheduler (and the ones it was replaced by), the activation mechanism, the simulated time,
Jain's fairness index over guest VMs, VMM overhead = &Sigma; vmm cycles / &Sigma; (guest + vmm + idle + ceased) cycles over all pCPUs,
and context switches summed over all vCPUs.</p>
<div id="summary"></div></section>
<section><h2>Per VM</h2>
<p class="note">Per run and VM: its share of all pCPUs and its weight-proportional entitlement, wait p99, input latency p99
(keystroke to the reader's dispatch), and what scheduler swaps cost it: the swap stall summed over its vCPUs (from a swap's
cease, or a wake held during one, until the vCPU ran again) and the worst of one vCPU.</p>
<div id="pervm"></div></section>
<section><h2>CPU share vs entitled share</h2>
<p class="note">Per run, each VM's share of all pCPU capacity (solid) next to its weight-proportional entitlement (pale).</p>
<div id="shares"></div></section>
<section><h2>Wait time CDF</h2>
<p class="note">Fraction of a VM's waits (runnable but not running) no longer than x; one line per run, log x axis in ms.</p>
<div id="cdf"></div></section>
<section><h2>Dispatch Gantt chart</h2>
<p class="note">One row per pCPU, a bar per dispatch coloured by VM; the vmm row shows replacement phases, the strip below the number of runnable vCPUs waiting.</p>
<div id="gantt"></div></section>
<section><h2>Scheduler replacements</h2>
<p class="note">Phases of each replacement that ran its sequence (each bar is that replacement's downtime) and every control request served.</p>
<div id="replacements"></div></section>
@DATA@
<script>
@SCRIPT@
</script>
</body>
</html>
)HTML";


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
  const std::string& scheduler = r["scheduler"].string();
  std::string chain = scheduler;
  std::string current = scheduler;
  std::size_t done = 0;
  const std::vector<JsonValue> reps = r["replacements"].array();
  for (const JsonValue& x : reps) {
    if (!x["ok"].boolean()) continue;
    ++done;
    const std::string& to = x["to"].string();
    if (!to.empty() && to != current) chain += " → " + to, current = to;
  }
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
std::string fill(const std::string& page, const std::vector<std::pair<std::string, std::string>>& values) {
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

  return fill(kPage, {{"TITLE", title},
                       {"INTRO", intro},
                       {"NOSCRIPT", noscript},
                       {"DATA", script_block("vmmsim-manifest", manifest) + blocks},
                       {"SCRIPT", kHtmlScript}});
}

}  // namespace vmmsim::report
