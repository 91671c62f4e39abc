// html_page OUT.html FROM_MS TO_MS NAME RESULTS.json TIMELINE.json [NAME RESULTS TIMELINE]...
// Writes the compare page of the given runs' files with render_compare_html,
// the Gantt window FROM_MS..TO_MS (TO_MS <= FROM_MS: none chosen), for the
// browser tests (tests/html_chromium_test.cmake): compare itself always passes
// its --window.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "report/html_report.h"

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "html_page: " << path << ": cannot read\n";
    std::exit(2);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7 || (argc - 4) % 3 != 0) {
    std::cerr << "usage: html_page OUT.html FROM_MS TO_MS NAME RESULTS TIMELINE [NAME RESULTS TIMELINE]...\n";
    return 2;
  }
  vmmsim::report::HtmlOptions options;
  options.title = "html_page";
  options.window_from_ms = std::atof(argv[2]);
  options.window_to_ms = std::atof(argv[3]);
  std::vector<vmmsim::report::HtmlRun> runs;
  for (int i = 4; i < argc; i += 3) runs.push_back({argv[i], read(argv[i + 1]), read(argv[i + 2])});
  std::ofstream out(argv[1], std::ios::binary);
  out << vmmsim::report::render_compare_html(runs, options);
  return out.flush() ? 0 : 1;
}
