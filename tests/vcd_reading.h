// Reading back a VCD file in tests: a signal's changes, by its scope and name.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"

namespace vmmsim::testing {

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// (time, value) of every value of signal `scope`.`name` (the scope's last
// part, e.g. "console" for console.focus) in the VCD text, $dumpvars included.
inline std::vector<std::pair<Cycles, std::uint64_t>> vcd_changes(const std::string& vcd, const std::string& scope,
                                                                  const std::string& name) {
  std::istringstream in(vcd);
  std::string line, current_scope, code;
  while (std::getline(in, line) && line.rfind("$enddefinitions", 0) != 0) {
    std::istringstream words(line);
    std::string w, kind, width, c, n;
    words >> w;
    if (w == "$scope") words >> kind >> current_scope;
    if (w == "$var" && (words >> kind >> width >> c >> n) && current_scope == scope && n == name) code = c;
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
