// render_compare_html: a self-contained page with the runs' JSON embedded
// verbatim (but unable to close its <script>), a <noscript> summary, and the
// same bytes for the same inputs. (scripts/check-html.sh checks that it draws
// in a browser.)
#include "report/html_report.h"
#include "report/json_report.h"
#include "report/json_value.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vmmsim::report {
namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
  return n;
}

// A results.json as `vmmsim run --json` writes it (docs/results.md), cut down.
const std::string kResults = R"({
  "format": "vmmsim-results 1",
  "config": "configs/live-swap.ini",
  "scheduler": "bvt",
  "cpus": 2, "clock_hz": 1000000000,
  "elapsed_cycles": 2000000000, "elapsed_s": 2.000000,
  "all_finished": false,
  "jain_fairness": 0.912345,
  "vms": [
    {"name": "web", "service": false, "vcpus": 1, "weight": 256, "cpu_cycles": 1000, "share": 0.250000,
     "entitled_share": 0.500000, "input_latency_cycles": {"count": 0, "mean": 0.000000, "p50": 0, "p99": 0, "max": 0},
     "wait_cycles": {"count": 4, "mean": 2500.000000, "p50": 2000, "p99": 4000, "max": 4000,
                     "cdf": [[1000, 0.250000], [2000, 0.500000], [3000, 0.750000], [4000, 1.000000]]}}
  ],
  "vcpus": [
    {"vm": "web", "index": 0, "arrival_cycles": 0, "cpu_cycles": 1000, "refill_cycles": 0,
     "wait_cycles": {"count": 4, "mean": 2500.000000, "p50": 2000, "p99": 4000, "max": 4000},
     "response_cycles": 0, "turnaround_cycles": null, "dispatches": 5, "context_switches": 7, "migrations": 1,
     "jobs": 0, "deadline_misses": 0, "lateness_cycles": {"count": 0, "mean": 0.000000, "p50": 0, "p99": 0, "max": 0}},
    {"vm": "web", "index": 1, "arrival_cycles": 0, "cpu_cycles": 1000, "refill_cycles": 0,
     "wait_cycles": {"count": 0, "mean": 0.000000, "p50": 0, "p99": 0, "max": 0},
     "response_cycles": null, "turnaround_cycles": null, "dispatches": 0, "context_switches": 5, "migrations": 0,
     "jobs": 0, "deadline_misses": 0, "lateness_cycles": {"count": 0, "mean": 0.000000, "p50": 0, "p99": 0, "max": 0}}
  ],
  "pcpus": [
    {"index": 0, "guest_cycles": 900, "vmm_cycles": 50, "idle_cycles": 50, "ceased_cycles": 0},
    {"index": 1, "guest_cycles": 850, "vmm_cycles": 50, "idle_cycles": 50, "ceased_cycles": 50}
  ],
  "requests": {"tick": 2},
  "feedback": {"done": 0, "rejected": 0, "invalid": 0},
  "pit_ticks": 2,
  "console": {"written_bytes": 0, "transmitted_bytes": 0, "received_bytes": 0},
  "activation": "id-register",
  "replacements": [
    {"kind": "load", "requester": "service", "target": "bvt", "from": "rr", "to": "bvt", "policy": "keep-old",
     "requested_at_cycles": 100, "ok": true, "reason": "", "sequence": true, "started_at_cycles": 100,
     "phases_cycles": {"cease": 1, "drain": 2, "unload": 0, "load": 3, "migrate": 4, "activate": 5},
     "downtime_cycles": 15, "console_tx_retired_bytes": 0, "console_rx_retired_bytes": 0, "vcpus_migrated": 1},
    {"kind": "load", "requester": "cli", "target": "bvt", "from": "bvt", "to": "bvt", "policy": "keep-old",
     "requested_at_cycles": 200, "ok": false, "reason": "bvt is already the active scheduler", "sequence": false,
     "started_at_cycles": 0, "phases_cycles": {"cease": 0, "drain": 0, "unload": 0, "load": 0, "migrate": 0,
     "activate": 0}, "downtime_cycles": 0, "console_tx_retired_bytes": 0, "console_rx_retired_bytes": 0,
     "vcpus_migrated": 0}
  ],
  "faults": []
}
)";

const std::string kTimeline = R"({"displayTimeUnit": "ns", "traceEvents": [
{"name": "process_name", "ph": "M", "pid": 1, "args": {"name": "vmmsim"}},
{"name": "thread_name", "ph": "M", "pid": 1, "tid": 0, "args": {"name": "cpu0"}},
{"name": "web.0", "cat": "dispatch", "ph": "X", "ts": 0.000, "dur": 210.792, "pid": 1, "tid": 0, "args": {"vm": "web", "vcpu": 0, "scheduler": 0}},
{"name": "runqueue", "ph": "C", "ts": 210.792, "pid": 1, "args": {"runnable": 2}}
]}
)";

std::vector<HtmlRun> two_runs() {
  return {{"live-swap--rr", kResults, kTimeline}, {"live-swap--bvt", kResults, kTimeline}};
}

TEST(HtmlReport, IsSelfContained) {
  const std::string html = render_compare_html(two_runs(), {"compare", 0, 50, ""});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<div id=\"pervm\"></div>"), std::string::npos) << "the per-VM table's place";
  EXPECT_NE(html.find("swap_stall_cycles"), std::string::npos) << "the renderer reads each VM's swap stall";
  for (const char* external : {"http://", "https://", "src=", "href=", "<link", "@import", "url("})
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  EXPECT_NE(html.find("<script>"), std::string::npos);  // the inline renderer
  EXPECT_NE(html.find("<noscript>"), std::string::npos);
  EXPECT_NE(html.find("render-error"), std::string::npos);
}

TEST(HtmlReport, EmbedsEveryRunVerbatim) {
  const std::string html = render_compare_html(two_runs(), {});
  EXPECT_NE(html.find("live-swap--rr"), std::string::npos);
  EXPECT_NE(html.find("live-swap--bvt"), std::string::npos);
  EXPECT_EQ(count(html, kResults), 2u);
  EXPECT_EQ(count(html, kTimeline), 2u);
  for (const char* id : {"vmmsim-manifest", "vmmsim-run-0-results", "vmmsim-run-0-timeline", "vmmsim-run-1-results",
                         "vmmsim-run-1-timeline"})
    EXPECT_NE(html.find(std::string("<script type=\"application/json\" id=\"") + id + "\">"), std::string::npos)
        << id;
  EXPECT_NE(html.find("<title>vmmsim compare</title>"), std::string::npos);  // the default title
}

TEST(HtmlReport, EmbeddedJsonCannotCloseItsScript) {
  // A string inside the JSON that would end the element and start a script.
  std::string evil = kResults;
  evil.replace(evil.find("\"configs/live-swap.ini\""), 23, "\"</script><script>alert(1)</script><!--\"");
  const std::string html = render_compare_html({{"evil", evil, ""}}, {});
  EXPECT_EQ(html.find("</script><script>alert(1)"), std::string::npos);
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  EXPECT_NE(html.find(R"("<\/script><script>alert(1)<\/script>\u003c!--")"), std::string::npos);
  // Only the manifest, the results block and the renderer are closed: nothing in the data closed one early.
  EXPECT_EQ(count(html, "</script>"), 3u);
  EXPECT_EQ(escape_script_json(R"({"a": "</b></SCRIPT>"})"), R"({"a": "<\/b><\/SCRIPT>"})");
  EXPECT_EQ(escape_script_json("[1, 2]"), "[1, 2]");
}

TEST(HtmlReport, EscapesNamesAndTitle) {
  const std::string html = render_compare_html({{"<b>&amp\"", kResults, ""}}, {"a <i>title</i>", 0, 0, ""});
  const std::string markup = html.substr(0, html.find("<script"));  // the page before the data
  EXPECT_EQ(markup.find("<b>&amp"), std::string::npos);
  EXPECT_NE(markup.find("&lt;b&gt;&amp;amp&quot;"), std::string::npos);
  EXPECT_NE(html.find(R"("name": "<b>&amp\"")"), std::string::npos);   // in the manifest, JSON-quoted
  EXPECT_NE(html.find("<title>a &lt;i&gt;title&lt;/i&gt;</title>"), std::string::npos);
  // A name that looks like a template marker is left alone.
  const std::string markers = render_compare_html({{"@DATA@ @SCRIPT@", kResults, ""}}, {"@NOSCRIPT@", 0, 0, ""});
  EXPECT_EQ(count(markers, "id=\"vmmsim-manifest\""), 1u);
  EXPECT_EQ(count(markers, "'use strict';"), 1u);
  EXPECT_EQ(count(markers, "<noscript>"), 1u);
}

TEST(HtmlReport, IsDeterministic) {
  const HtmlOptions options{"same", 1.5, 20, ""};
  const std::string a = render_compare_html(two_runs(), options);
  const std::string b = render_compare_html(two_runs(), options);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("\"window_ms\": [1.500000, 20.000000]"), std::string::npos);
  EXPECT_NE(a, render_compare_html(two_runs(), {"same", 1.5, 21, ""}));
}

TEST(HtmlReport, RunWithoutTimeline) {
  const std::string html = render_compare_html({{"with", kResults, kTimeline}, {"without", kResults, ""}}, {});
  EXPECT_NE(html.find("id=\"vmmsim-run-0-timeline\""), std::string::npos);
  EXPECT_NE(html.find("id=\"vmmsim-run-1-results\""), std::string::npos);
  EXPECT_EQ(html.find("id=\"vmmsim-run-1-timeline\""), std::string::npos);
  EXPECT_NE(html.find(R"({"name": "without", "results": "vmmsim-run-1-results", "timeline": null})"),
            std::string::npos);
}

TEST(HtmlReport, RunWithoutResults) {
  const std::string html = render_compare_html({{"failed", "", ""}, {"garbled", "{\"vms\": [", ""}}, {});
  EXPECT_NE(html.find(R"({"name": "failed", "results": null, "timeline": null})"), std::string::npos);
  EXPECT_NE(html.find("<td>failed</td><td colspan=\"7\">no results</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>garbled</td><td colspan=\"7\">unreadable results.json</td>"), std::string::npos);
}

TEST(HtmlReport, SchedulersInTheOrderTheyRan) {
  // "scheduler" is the one active at the end (bvt): the run started with rr.
  const JsonValue r = JsonValue::parse(kResults);
  EXPECT_EQ(schedulers_in_order(r), (std::vector<std::string>{"rr", "bvt"}));
  EXPECT_EQ(starting_scheduler(r), "rr");
  // With epochs, theirs: a run that went rr -> bvt -> rr started with rr and ends with it.
  const JsonValue back = JsonValue::parse(
      R"({"scheduler": "rr", "epochs": [{"scheduler": "rr"}, {"scheduler": "bvt"}, {"scheduler": "rr"}]})");
  EXPECT_EQ(schedulers_in_order(back), (std::vector<std::string>{"rr", "bvt", "rr"}));
  // No replacement: the one scheduler.
  EXPECT_EQ(starting_scheduler(JsonValue::parse(R"({"scheduler": "credit"})")), "credit");
}

TEST(HtmlReport, NoscriptSummary) {
  const std::string html = render_compare_html({{"rr", kResults, ""}}, {});
  const std::string noscript = html.substr(html.find("<noscript>"), html.find("</noscript>") - html.find("<noscript>"));
  // scheduler chain, activation, elapsed ms, Jain, VMM overhead 100/2000, context switches 7+5, replacements
  EXPECT_NE(noscript.find("<tr><td>rr</td><td>rr → bvt</td><td>id-register</td><td>2000.000</td><td>0.9123</td>"
                          "<td>5.000 %</td><td>12</td><td>1 / 2</td></tr>"),
            std::string::npos)
      << noscript;
}

}  // namespace
}  // namespace vmmsim::report
