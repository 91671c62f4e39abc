// The periodic-job step `every PERIOD run WORK [count N]`.
#include <gtest/gtest.h>

#include "base/input_error.h"
#include "workload/trace_parser.h"

using namespace vmmsim;
using workload::StepKind;

namespace {

std::string error_of(const std::string& text) {
  try {
    workload::parse_trace(text, "p.trace", 1000000000);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(TraceEvery, PeriodWorkAndCount) {
  auto t = workload::parse_trace("vcpu 0\n  every 10ms run 3ms count 5\n  run 1ms\n", "p.trace", 1000000000);
  const auto& s = t.vcpus[0].steps.at(0);
  EXPECT_EQ(s.kind, StepKind::Periodic);
  EXPECT_EQ(s.period, 10000000u);
  EXPECT_EQ(s.cycles, 3000000u);
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.line, 2u);
}

TEST(TraceEvery, WithoutCountRepeatsForever) {
  auto t = workload::parse_trace("vcpu 0\n  every 1ms run 100us\n", "p.trace", 1000000000);
  EXPECT_EQ(t.vcpus[0].steps.at(0).count, workload::kRepeatForever);
}

TEST(TraceEvery, ErrorsNameTheLineAndTheForm) {
  EXPECT_NE(error_of("vcpu 0\n  every 10ms 3ms\n").find("p.trace:2: every with 3 words; expected every PERIOD run WORK"),
            std::string::npos);
  EXPECT_NE(error_of("vcpu 0\n  every 10ms walk 3ms\n").find("p.trace:2: every ... 'walk'"), std::string::npos);
  EXPECT_NE(error_of("vcpu 0\n  every 0 run 3ms\n").find("expected a period above 0"), std::string::npos);
  EXPECT_NE(error_of("vcpu 0\n  every 10ms run 3ms count 0\n").find("expected a job count from 1"),
            std::string::npos);
}

}  // namespace
