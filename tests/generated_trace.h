// What the generator tests read back from a generated trace: a vCPU's steps
// as executed, and the options its "# spec:" comment records.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "workload/trace_program.h"

namespace vmmsim::workload {

// A vCPU's steps as executed, loops unrolled (programs in these tests are finite and small).
inline std::vector<Step> unrolled(const VcpuProgram& p) {
  std::vector<Step> out;
  std::vector<std::pair<std::size_t, std::uint64_t>> loops;  // begin index, iterations left
  for (std::size_t pc = 0; pc < p.steps.size(); ++pc) {
    const Step& s = p.steps[pc];
    if (s.kind == StepKind::LoopBegin) {
      loops.push_back({pc, s.count});
    } else if (s.kind == StepKind::LoopEnd) {
      if (--loops.back().second > 0)
        pc = loops.back().first;
      else
        loops.pop_back();
    } else {
      out.push_back(s);
    }
  }
  return out;
}

// The "# spec: KIND --name value ..." comment of `text`: KIND in *kind, the
// options as (name, value) pairs ("" for the --yield flag).
inline std::vector<std::pair<std::string, std::string>> spec_options(const std::string& text,
                                                                     std::string* kind) {
  std::vector<std::pair<std::string, std::string>> options;
  const auto at = text.find("# spec: ");
  EXPECT_NE(at, std::string::npos) << "no spec comment";
  if (at == std::string::npos) return options;
  std::istringstream words(text.substr(at + 8, text.find('\n', at) - at - 8));
  words >> *kind;
  for (std::string word; words >> word;) {
    EXPECT_EQ(word.rfind("--", 0), 0u) << word;
    std::string name = word.substr(2), value;
    if (name != "yield") words >> value;
    options.push_back({name, value});
  }
  return options;
}

}  // namespace vmmsim::workload
