// Periodic jobs on the platform: releases at period starts, deadlines at
// period ends, misses and lateness to the cycle.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

class PeriodicTest : public vmmsim::testing::SimTest {
 protected:
  report::Results run(const std::string& trace) {
    file("rt.trace", trace);
    auto& p = build(std::string(kZeroCosts) + "[vm.rt]\ntrace = rt.trace\n");
    p.run(ms(1000));
    return p.results();
  }
};

TEST_F(PeriodicTest, JobsAloneMeetEveryDeadline) {
  // Jobs released at 0, 10, ..., 40 ms; the last ends at 43 ms, then the program.
  report::Results r = run("vcpu 0\n  every 10ms run 3ms count 5\n");
  const auto& v = r.vcpus.at(0);
  EXPECT_EQ(v.jobs, 5u);
  EXPECT_EQ(v.deadline_misses, 0u);
  EXPECT_EQ(v.lateness.max(), 0u);
  EXPECT_EQ(*v.turnaround, ms(43));
  EXPECT_EQ(v.cpu, ms(15));
}

TEST_F(PeriodicTest, OverloadMissesWithGrowingLateness) {
  // 12 ms of work every 10 ms: finishes at 12, 24, 36 ms against deadlines
  // 10, 20, 30 ms: late by 2, 4 and 6 ms.
  report::Results r = run("vcpu 0\n  every 10ms run 12ms count 3\n  run 1ms\n");
  const auto& v = r.vcpus.at(0);
  EXPECT_EQ(v.jobs, 3u);
  EXPECT_EQ(v.deadline_misses, 3u);
  EXPECT_EQ(v.lateness.max(), ms(6));
  EXPECT_EQ(v.lateness.sum(), ms(12));
  EXPECT_EQ(*v.turnaround, ms(37)) << "the step after `every` runs once the jobs are done";
}

}  // namespace

namespace {

TEST_F(PeriodicTest, ConsecutiveEveryStepsOfOnePeriodKeepTheReleaseTrain) {
  // Per-job steps (as `trace gen periodic --jitter` writes them): jobs at 0,
  // 10 and 20 ms, not back to back.
  report::Results r = run("vcpu 0\n  every 10ms run 2ms count 1\n  every 10ms run 3ms count 1\n"
                          "  every 10ms run 1ms count 1\n");
  const auto& v = r.vcpus.at(0);
  EXPECT_EQ(v.jobs, 3u);
  EXPECT_EQ(v.deadline_misses, 0u);
  EXPECT_EQ(*v.turnaround, ms(21)) << "the third job is released at 20 ms";
  EXPECT_EQ(v.cpu, ms(6));
}

}  // namespace
