// VCDs in sim tests: a run traced into a file, and a signal's changes read
// back by its scope and name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/output_plan.h"
#include "base/units.h"
#include "models/platform.h"

namespace vmmsim::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `platform` for `until` cycles with --vcd to `file`; the VCD's text.
inline std::string run_traced(models::Platform& platform, Cycles until, const std::filesystem::path& file) {
  OutputPlan outputs;
  OutputFile& vcd = outputs.add(file.string(), "--vcd");
  outputs.open();
  platform.trace_vcd(vcd);
  platform.run(until);
  platform.finish_trace();
  outputs.commit();
  return read_text(file.string());
}

// (time, value) of every value of quantity `name` of top-level scope `scope`
// (its leaf scope_name: "console", "focus" is console.console_focus) in the
// VCD text, $dumpvars included.
inline std::vector<std::pair<Cycles, std::uint64_t>> vcd_changes(const std::string& vcd, const std::string& scope,
                                                                  const std::string& name) {
  std::istringstream in(vcd);
  std::string line, current_scope, code;
  while (std::getline(in, line) && line.rfind("$enddefinitions", 0) != 0) {
    std::istringstream words(line);
    std::string w, kind, width, c, n;
    words >> w;
    if (w == "$scope") words >> kind >> current_scope;
    if (w == "$var" && (words >> kind >> width >> c >> n) && current_scope == scope &&
        n == scope + "_" + name)
      code = c;
  }
  std::vector<std::pair<Cycles, std::uint64_t>> out;
  Cycles t = 0;
  while (!code.empty() && std::getline(in, line)) {
    if (line.empty()) continue;
    if (line[0] == '#') {
      t = std::stoull(line.substr(1));
    } else if (line[0] == 'b') {
      auto sp = line.find(' ');
      if (line.substr(sp + 1) == code) out.emplace_back(t, std::stoull(line.substr(1, sp - 1), nullptr, 2));
    } else if ((line[0] == '0' || line[0] == '1') && line.substr(1) == code) {
      out.emplace_back(t, static_cast<std::uint64_t>(line[0] - '0'));
    }
  }
  return out;
}

}  // namespace vmmsim::testing
