// Traces and the simulated clock (docs/robustness.md, "Runs that cannot
// hang"): a repeat that does nothing is dropped, so it cannot keep the host
// busy at one simulated cycle, and no step reaches past the end of SystemC
// time at a low clock.
#include <gtest/gtest.h>

#include <string>

#include "base/input_error.h"
#include "workload/trace_parser.h"

using namespace vmmsim;
using workload::StepKind;

namespace {

// The InputError parsing `text` at `clock` throws ("" if none).
std::string error_at(const std::string& text, Hertz clock = 1000000000) {
  try {
    workload::parse_trace(text, "t.trace", clock);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::vector<workload::Step> steps_of(const std::string& text) {
  return workload::parse_trace(text, "t.trace", 1000000000).vcpus.at(0).steps;
}

// A repeat of nothing but `run 0` (nested ones included) does nothing: it is
// dropped, so 10^9 x 10^9 passes of it cannot keep the host busy at one cycle.
TEST(TraceTime, ARepeatOfNothingButRunZeroIsDropped) {
  auto s = steps_of("vcpu 0\nrun 1\nrepeat 1000000000\n  repeat 1000000000\n    run 0\n  end\n  run 0\nend\nyield\n");
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].cycles, 1u);
  EXPECT_EQ(s[1].kind, StepKind::Yield);
  EXPECT_EQ(s[1].line, 9u);

  auto t = steps_of("vcpu 0\nrepeat 3\n  repeat 5\n    run 0\n  end\n  yield\nend\n");
  ASSERT_EQ(t.size(), 3u) << "the outer repeat yields: only the inner one goes";
  EXPECT_EQ(t[0].kind, StepKind::LoopBegin);
  EXPECT_EQ(t[0].jump, 2u);
  EXPECT_EQ(t[1].kind, StepKind::Yield);
  EXPECT_EQ(t[2].jump, 0u);

  EXPECT_NE(error_at("vcpu 0\nrepeat forever\n  repeat 2\n    run 0\n  end\nend\n")
                .find("t.trace:2: repeat forever whose body takes no time"),
            std::string::npos);
  EXPECT_NE(error_at("vcpu 0\nrepeat 2\n  run 0\nend\narrive 1ms\n")
                .find("t.trace:5: arrive after the first step of vcpu 0 (line 2)"),
            std::string::npos)
      << "a dropped repeat is still a step before arrive";
}

// Below about 488 MHz SystemC's 1 ps time (2^64 ps) ends before 2^50
// cycles: a step or an arrival stops at max_duration(clock) there.
TEST(TraceTime, StepsStopWhereSimulatedTimeEndsAtLowClocks) {
  const Hertz clock = 1193182;
  EXPECT_EQ(error_at("vcpu 0\narrive 2305843s\nsleep 2305843s\n", clock), "");
  for (const char* text :
       {"vcpu 0\nsleep 2305844s\n", "vcpu 0\narrive 2305844s\n", "vcpu 0\nevery 2400000s run 1 count 2\n"})
    EXPECT_NE(error_at(text, clock).find("cycles; expected at most 2751290735792 cycles"), std::string::npos) << text;
}

}  // namespace
