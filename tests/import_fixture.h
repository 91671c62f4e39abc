// What the importer tests share (tests/import_*_test.cpp): the steps of a
// trace's text, that every imported VM parses, CPU time by vCPU label, and
// each format's importer on text in memory.
#pragma once

#include "workload/importers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/input_error.h"
#include "workload/trace_parser.h"

namespace vmmsim::workload::import_test {

inline constexpr Hertz k1GHz = 1000000000;
inline const std::string kData = VMMSIM_TEST_DATA_DIR;

// The steps of trace text without comments, indentation or blank lines.
inline std::string body(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    line = line.substr(first, line.find_last_not_of(' ') + 1 - first);
    out += line + "\n";
  }
  return out;
}

// Every VM's text starts with the header and parses; one label per vCPU.
inline void expect_parses(const ImportResult& r, Hertz clock = k1GHz) {
  ASSERT_FALSE(r.vms.empty());
  for (const ImportedVm& vm : r.vms) {
    EXPECT_EQ(vm.trace_text.rfind("# vmmsim-trace 1\n", 0), 0u) << vm.name;
    TraceProgram t;
    ASSERT_NO_THROW(t = parse_trace(vm.trace_text, vm.name + ".trace", clock)) << vm.trace_text;
    EXPECT_EQ(t.vcpus.size(), vm.vcpu_labels.size()) << vm.name;
  }
}

// CPU time (run cycles at 1 GHz = ns) of each vCPU, by label.
inline std::map<std::string, std::uint64_t> cpu_by_label(const ImportResult& r) {
  std::map<std::string, std::uint64_t> cpu;
  for (const ImportedVm& vm : r.vms) {
    TraceProgram t = parse_trace(vm.trace_text, vm.name, k1GHz);
    for (std::size_t i = 0; i < t.vcpus.size(); ++i) {
      std::vector<std::uint64_t> times = {1};  // iterations of the enclosing loops
      for (const Step& s : t.vcpus[i].steps) {
        if (s.kind == StepKind::LoopBegin) times.push_back(times.back() * s.count);
        if (s.kind == StepKind::LoopEnd) times.pop_back();
        if (s.kind == StepKind::Run) cpu[vm.vcpu_labels[i]] += s.cycles * times.back();
      }
    }
  }
  return cpu;
}

inline ImportResult ftrace(const std::string& text, const ImportOptions& o = {},
                    const std::string& file = "snip.txt") {
  std::istringstream in(text);
  return import_ftrace(in, file, o);
}

inline ImportResult swf(const std::string& text, const ImportOptions& o = {}) {
  std::istringstream in(text);
  return import_swf(in, "j.swf", o);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

template <typename F>
inline std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_STARTS_WITH(text, prefix) EXPECT_EQ((text).rfind(prefix, 0), 0u) << (text)
#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

}  // namespace vmmsim::workload::import_test
