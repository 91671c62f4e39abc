// Feedback (patent Fig. 4 block 404, [0023]): every request's status is done,
// rejected, invalid or deferred, and the active scheduler's priority of the
// vCPU is reported (docs/replacement.md "Feedback").
#include "tests/results_json.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::json_of;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";

class SwapFeedbackTest : public vmmsim::testing::SimTest {};

TEST_F(SwapFeedbackTest, WakesWhileCeasedAreDeferredAndTicksRejected) {
  // One pCPU. s (vCPU 0) runs first and sleeps at once; h (vCPU 1) runs.
  // rr -> fifo at 100 us; fifo's load takes 1 ms: s's wake at 500 us and the
  // PIT's first tick (~999,847 cycles) come while the processors are ceased.
  file("hog.trace", kHog);
  file("sleeper.trace", "vcpu 0\n  sleep 500us\n  run 1ms\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[memory]\nload_latency = 1ms\n[vm.s]\ntrace = sleeper.trace\n[vm.h]\ntrace = hog.trace\n"
                  "[run]\nswap = 100us:fifo\n");
  p.run(ms(2));
  report::Results r = p.results();
  ASSERT_TRUE(r.replacements.at(0).ok);
  EXPECT_EQ(r.feedback_deferred, 1u) << "s's wake was held: no scheduler ran for it";
  EXPECT_EQ(r.feedback_rejected, 1u) << "the tick while ceased reached no scheduler";
  EXPECT_EQ(r.feedback_invalid, 0u);
  EXPECT_EQ(r.replacements[0].wakes_held, 1u);
  EXPECT_EQ(r.replacements[0].ticks_while_ceased, 1u);
  report::JsonValue j = json_of(r);
  EXPECT_EQ(j["feedback"]["deferred"].integer(), 1u);
  EXPECT_EQ(j["feedback"]["rejected"].integer(), 1u);
}

TEST_F(SwapFeedbackTest, AnInvalidDecisionIsTheRequestsFeedback) {
  // broken makes 3 good decisions, then returns an unknown vCPU: the pCPU's
  // request that got it is answered `invalid` (and broken is ejected).
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) + "[vmm]\nwatchdog = 20ms\n[sched.rr]\nquantum = 1ms\n" +
                  "[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n[run]\nswap = 500us:" + VMMSIM_PLUGIN_DIR +
                  "/vmmsim_broken.so,quantum=1ms,fault=1,after=3\n");
  p.run(ms(10));
  report::Results r = p.results();
  ASSERT_EQ(r.replacements.size(), 2u);
  EXPECT_EQ(r.replacements[1].kind, "eject");
  EXPECT_EQ(r.feedback_invalid, 1u);
  EXPECT_EQ(json_of(r)["feedback"]["invalid"].integer(), 1u);
}

TEST_F(SwapFeedbackTest, PriorityOfEachVcpuIsReportedLastMinMax) {
  // rr, 1 ms quantum, one pCPU, hogs a and b: rr's priority is minus the
  // tail sequence number at which the vCPU was queued. a: arrival 0 (queued
  // 0), dispatched at 0 (0), requeued at 1 ms (2), dispatched at 2 ms (-2).
  // b: arrival (queued 1: -1), dispatched at 1 ms (-1), requeued at 2 ms
  // (3), dispatched at 3 ms (-3).
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[sched.rr]\nquantum = 1ms\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n");
  p.run(ms(3.5));
  report::Results r = p.results();
  ASSERT_TRUE(r.vcpus[0].priority && r.vcpus[1].priority);
  EXPECT_EQ(r.vcpus[0].priority->last, -2);
  EXPECT_EQ(r.vcpus[0].priority->min, -2);
  EXPECT_EQ(r.vcpus[0].priority->max, 0);
  EXPECT_EQ(r.vcpus[1].priority->last, -3);
  EXPECT_EQ(r.vcpus[1].priority->min, -3);
  EXPECT_EQ(r.vcpus[1].priority->max, -1);
  report::JsonValue j = json_of(r);
  EXPECT_EQ(j["vcpus"][1]["priority"]["last"].number(), -3);
  EXPECT_EQ(j["vcpus"][1]["priority"]["min"].number(), -3);
  EXPECT_EQ(j["vcpus"][1]["priority"]["max"].number(), -1);
}

// Each scheduler has a scale of its own (credit: 0 over .. 2 boost; eevdf:
// a negated virtual deadline): after a swap the reported priorities are the
// new scheduler's only, not credit's 2 beside eevdf's -97,500,000.
TEST_F(SwapFeedbackTest, PrioritiesAreTheLastActivatedSchedulersOnly) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) + "[vmm]\nscheduler = credit\n[vm.h]\ntrace = hog.trace\nvcpus = 2\n"
                  "[run]\nswap = 5ms:eevdf\n");
  p.run(ms(30));
  report::Results r = p.results();
  ASSERT_TRUE(r.replacements.at(0).ok);
  for (const report::VcpuResult& v : r.vcpus) {
    ASSERT_TRUE(v.priority) << "eevdf gave each a priority";
    EXPECT_LT(v.priority->max, 0) << "h." << v.index << ": eevdf's negated deadlines, no credit level";
  }
}

// A refused --swap / [run] swap request's feedback is rejected, as a refused
// service-VM request's is, although nobody waits for its answer.
TEST_F(SwapFeedbackTest, RefusedCommandLineSwapsAreRejected) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[vm.h]\ntrace = hog.trace\n[run]\nswap = 100us:unload 200us:rr\n");
  p.run(ms(1));
  report::Results r = p.results();
  ASSERT_EQ(r.replacements.size(), 2u);
  ASSERT_FALSE(r.replacements[0].ok);  // the default cannot be unloaded
  ASSERT_FALSE(r.replacements[1].ok);  // rr is already active
  EXPECT_EQ(r.feedback_rejected, 2u) << "both refusals are feedback `rejected` (no PIT tick in 1 ms)";
}

}  // namespace
