// `vmmsim compare` HTML report: one self-contained file (no network, no
// external scripts, fonts or styles) that embeds every run's results.json and
// timeline.json verbatim and draws SVG charts from them with an inline
// script (report/html/, embedded at build time: report/html_assets.h): shares
// vs fair share, wait-time CDFs, a Gantt chart of the chosen window,
// replacement phases, a summary and a per-VM table (docs/compare-report.md).
// Plain C++: no SystemC. The same inputs give the same bytes.
#pragma once

#include <string>
#include <vector>

#include "base/text.h"  // escape_html

namespace vmmsim::report {

struct HtmlRun {
  std::string name;           // shown as the run's label (HTML-escaped)
  std::string results_json;   // results.json text (docs/results.md); empty: the run has no results
  std::string timeline_json;  // timeline.json text (Chrome trace events); may be empty
};

struct HtmlOptions {
  std::string title;  // empty: "vmmsim compare"
  // The Gantt window in ms; to <= from: none chosen, the chart opens around
  // the first replacement in the timelines (else each run's extent).
  double window_from_ms = 0, window_to_ms = 0;
  std::string note;  // a line shown first (escaped), e.g. "PARTIAL: interrupted by SIGINT; ..."
};

std::string render_compare_html(const std::vector<HtmlRun>& runs, const HtmlOptions& options);

// Text to put between <script type="application/json"> and </script>: "</"
// becomes "<\/" and "<!--" becomes "\u003c!--", so the text cannot close the
// element or switch the HTML parser into a comment-like state. Both rewrites
// are only possible inside JSON strings, where they are valid escapes, so
// JSON.parse gives back the original value.
std::string escape_script_json(const std::string& json);

}  // namespace vmmsim::report
