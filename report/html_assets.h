// The compare page's skeleton, style sheet and script: files of their own in
// report/html/ (linted by tests/html_lint_test.cmake), embedded byte for byte
// at build time (scripts/embed_files.cmake writes the definitions into the
// build tree), so that the page stays one self-contained file.
#pragma once

#include <string_view>

namespace vmmsim::report {

extern const std::string_view kHtmlPage;    // report/html/page.html, with @NAME@ markers
extern const std::string_view kHtmlStyle;   // report/html/report.css
extern const std::string_view kHtmlScript;  // report/html/report.js

}  // namespace vmmsim::report
