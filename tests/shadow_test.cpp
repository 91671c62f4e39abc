// Shadow evaluation (docs/replacement.md "Shadow evaluation"): a candidate
// hears every call the active scheduler hears; its answers are compared,
// never applied. Textbook job sets on one pCPU make the agreement exact.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

std::string plugin(const char* name) { return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_" + name + ".so"; }

// Three jobs arriving at 0 on one pCPU, running 30, 20 and 10 ms, then exiting.
constexpr const char* kJobs = "vcpu 0\n  run 30ms\nvcpu 1\n  run 20ms\nvcpu 2\n  run 10ms\n";

const report::ShadowResult::Kind& kind(const report::ShadowResult& s, const std::string& name) {
  for (const auto& k : s.kinds)
    if (k.name == name) return k;
  throw std::logic_error("no kind " + name);
}

class ShadowTest : public vmmsim::testing::SimTest {
 protected:
  report::Results run_jobs(const std::string& active, const std::string& run_section, Cycles until = 0) {
    file("jobs.trace", kJobs);
    auto& p = build(std::string(kZeroCosts) + "[platform]\ncpus = 1\n[vmm]\nscheduler = " + active +
                    "\n[vm.a]\ntrace = jobs.trace\nvcpus = 3\n[run]\n" + run_section);
    p.run(until ? until : ms(100));
    return p.results();
  }
  // rr active, fifo in shadow from 0 and loaded at 15 ms: the load promoted the
  // shadow, and fifo is active.
  void expect_promoted_at_15ms(const report::Results& r) const {
    const report::ShadowResult& s = r.shadows.at(0);
    EXPECT_EQ(s.status, "promoted");
    EXPECT_EQ(s.to, ms(15));
    ASSERT_FALSE(r.replacements.empty());
    EXPECT_EQ(r.replacements.back().kind, "load");
    EXPECT_TRUE(r.replacements.back().ok) << r.replacements.back().reason;
    EXPECT_EQ(r.scheduler, "fifo");
  }
};

TEST_F(ShadowTest, AShadowIdenticalToTheActiveSchedulerAgreesOnEverything) {
  file("chatty.trace", "vcpu 0\n  repeat 20\n    run 3ms\n    io 1ms\n    yield\n  end\nvcpu 1\n  run 50ms\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[platform]\ncpus = 2\n[vmm]\nscheduler = credit\n[vm.a]\ntrace = chatty.trace\nvcpus = 2\n"
                  "[vm.b]\ntrace = chatty.trace\nvcpus = 2\n[run]\nshadow = 0:credit\n");
  p.run(ms(200));
  report::Results r = p.results();
  ASSERT_EQ(r.shadows.size(), 1u);
  const report::ShadowResult& s = r.shadows[0];
  EXPECT_EQ(s.status, "running");
  EXPECT_FALSE(s.diverged) << s.first_kind << " at " << s.first_divergence;
  for (const auto& k : s.kinds) {
    if (k.answered) {
      EXPECT_EQ(k.agreed, k.compared) << k.name;
    }
  }
  EXPECT_GT(kind(s, "pick_next").calls, 20u);
  EXPECT_GT(kind(s, "tick").calls, 0u) << "credit ticks";
  EXPECT_GT(kind(s, "yield").calls, 0u);
  EXPECT_GT(kind(s, "block").calls, 0u);
  EXPECT_EQ(kind(s, "insert").calls, 4u) << "every vCPU, inserted at 0";
  EXPECT_EQ(s.same_next, kind(s, "pick_next").calls);
}

// fifo active, rr in shadow. fifo gives each job the pCPU until it exits, so
// the VMM asks again only at 0 (A), 30 ms (A exits: B), 50 ms (B exits: C)
// and 60 ms (C exits: idle); fifo's slice expiries never come, so rr is never
// asked to preempt. rr answers the same next vCPU at each of these picks (the
// same queue order) but with its quantum instead of forever: the three
// dispatches disagree on the slice, the idle pick agrees (both answer idle,
// forever). rr's own textbook schedule (A B C A B A at 10 ms quanta) is never
// seen: the shadow is conditioned on fifo's request stream.
TEST_F(ShadowTest, RrShadowingFifoDisagreesOnlyOnTheSliceOfEachDispatch) {
  report::Results r = run_jobs("fifo", "shadow = 0:rr,quantum=10ms\n");
  ASSERT_EQ(r.shadows.size(), 1u);
  const report::ShadowResult& s = r.shadows[0];
  const auto& picks = kind(s, "pick_next");
  EXPECT_EQ(picks.calls, 4u);
  EXPECT_EQ(s.same_next, 4u);
  EXPECT_EQ(picks.agreed, 1u) << "only the idle pick at 60 ms";
  ASSERT_TRUE(s.diverged);
  EXPECT_EQ(s.first_divergence, 0u);
  EXPECT_EQ(s.first_kind, "pick_next");
  EXPECT_EQ(s.first_cpu, 0);
  EXPECT_EQ(s.waited_longer + s.waited_shorter + s.waited_equal, 0u) << "never a different vCPU";
  EXPECT_EQ(kind(s, "wake").agreed, kind(s, "wake").calls) << "both kick the idle pCPU for the first arrival only";
  EXPECT_EQ(kind(s, "remove").calls, 3u);
}

// A tolerance as large as the gap (forever - 10 ms) makes the slices agree.
TEST_F(ShadowTest, ATolerantShadowCountsSlicesWithinItAsAgreeing) {
  report::Results r = run_jobs("fifo", "shadow = 0:rr,quantum=10ms,tolerance=" + std::to_string(kForever) + "\n");
  const report::ShadowResult& s = r.shadows.at(0);
  EXPECT_EQ(kind(s, "pick_next").agreed, 4u);
  EXPECT_EQ(s.tolerance, kForever);
}

// rr active (10 ms quanta), fifo in shadow: rr's schedule is A 0-10, B 10-20,
// C 20-30 (exits), A 30-40, B 40-50 (exits), A 50-60 (exits). fifo keeps
// answering A, the vCPU it believes still runs (its own last pick), wherever
// rr moves on: at 10 and 20 ms it picks A against B and C (A is on the
// pCPU: it waited 0, shorter than B's and C's 10 and 20 ms). At 30 ms both
// pick A (fifo: still A; rr: A next in its queue); at 40 ms rr's quantum
// ends and rr picks B, fifo A again; at 50 ms B exits and both pick A; at
// 60 ms A exits and both idle.
TEST_F(ShadowTest, FifoShadowingRrKeepsItsFirstPick) {
  report::Results r = run_jobs("rr", "shadow = 0:fifo\n", ms(100));
  const report::ShadowResult& s = r.shadows.at(0);
  const auto& picks = kind(s, "pick_next");
  // 0 (A), 10 (B), 20 (C), 30 (A), 40 (B), 50 (A), 60 (idle).
  EXPECT_EQ(picks.calls, 7u);
  EXPECT_EQ(s.same_next, 4u) << "0, 30, 50 and 60 ms";
  EXPECT_EQ(picks.agreed, 1u) << "the idle pick only: rr's quanta are not forever";
  EXPECT_EQ(s.waited_shorter, 3u) << "A (running) against B, C and B";
  EXPECT_EQ(s.waited_longer + s.waited_equal, 0u);
  EXPECT_EQ(s.first_divergence, 0u) << "the slice of the first pick";
}

TEST_F(ShadowTest, ASecondShadowIsRejectedAndUnshadowEndsTheFirst) {
  report::Results r = run_jobs("rr", "shadow = 0:fifo 5ms:credit 8ms:unshadow 9ms:unshadow\n");
  ASSERT_EQ(r.shadows.size(), 3u);
  EXPECT_EQ(r.shadows[0].status, "rejected");
  EXPECT_EQ(r.shadows[0].target, "credit");
  EXPECT_EQ(r.shadows[0].from, ms(5));
  EXPECT_NE(r.shadows[0].reason.find("fifo is already in shadow"), std::string::npos) << r.shadows[0].reason;
  EXPECT_EQ(r.shadows[1].status, "ended");
  EXPECT_EQ(r.shadows[1].target, "fifo");
  EXPECT_EQ(r.shadows[1].to, ms(8));
  EXPECT_EQ(r.shadows[2].status, "rejected") << "nothing left to end at 9 ms";
  EXPECT_NE(r.shadows[2].reason.find("no shadow is on"), std::string::npos);
}

TEST_F(ShadowTest, BadParametersRejectTheShadow) {
  report::Results r = run_jobs("rr", "shadow = 0:rr,nosuch=1 1ms:rr,quantum=0 2ms:rr,tolerance=soon\n");
  ASSERT_EQ(r.shadows.size(), 3u);
  for (const auto& s : r.shadows) EXPECT_EQ(s.status, "rejected");
  EXPECT_NE(r.shadows[0].reason.find("rr has no parameter 'nosuch'"), std::string::npos) << r.shadows[0].reason;
  EXPECT_NE(r.shadows[1].reason.find("quantum=0: expected"), std::string::npos) << r.shadows[1].reason;
  EXPECT_NE(r.shadows[2].reason.find("tolerance=soon: expected"), std::string::npos) << r.shadows[2].reason;
}

TEST_F(ShadowTest, AShadowThatThrowsIsDroppedAndTheActiveGoesOn) {
  report::Results r = run_jobs("rr", "shadow = 0:\"" + plugin("throwing") + "\",op=7,at=15ms\n");
  const report::ShadowResult& s = r.shadows.at(0);
  EXPECT_EQ(s.status, "dropped");
  EXPECT_NE(s.reason.find("threw from pick_next"), std::string::npos) << s.reason;
  EXPECT_EQ(s.to, ms(20)) << "the first pick at or after 15 ms: rr's quantum ends at 20 ms";
  EXPECT_EQ(r.scheduler, "rr");
  EXPECT_TRUE(r.replacements.empty()) << "the active scheduler is never ejected for its shadow";
  EXPECT_EQ(r.feedback_invalid, 0u);
  EXPECT_TRUE(r.all_finished);
}

TEST_F(ShadowTest, AShadowThatAnswersInvalidlyIsDropped) {
  // broken fault 1: from its 2nd decision on, an unknown vCPU id.
  report::Results r = run_jobs("rr", "shadow = 0:\"" + plugin("broken") + "\",fault=1,after=1\n");
  const report::ShadowResult& s = r.shadows.at(0);
  EXPECT_EQ(s.status, "dropped");
  EXPECT_NE(s.reason.find("chose unknown vCPU"), std::string::npos) << s.reason;
  EXPECT_EQ(r.feedback_invalid, 0u);
  EXPECT_TRUE(r.all_finished);
}

TEST_F(ShadowTest, AShadowOverItsHostBudgetIsDropped) {
  // No call of a plugin returns within a nanosecond of host time.
  report::Results r = run_jobs("rr", "shadow = 0:fifo,host_budget=1ns\n");
  const report::ShadowResult& s = r.shadows.at(0);
  EXPECT_EQ(s.status, "dropped");
  EXPECT_NE(s.reason.find("over its budget of 1 ns"), std::string::npos) << s.reason;
}

TEST_F(ShadowTest, LoadingTheShadowsTargetPromotesIt) {
  report::Results r = run_jobs("rr", "shadow = 0:fifo\nswap = 15ms:fifo\n");
  expect_promoted_at_15ms(r);
  EXPECT_EQ(r.replacements.size(), 1u);
}

// A stage of the shadow's target creates an instance of its own (the
// shadow's is never loaded into a slot) and leaves the shadow on; the load
// that activates the staged image promotes it, as any load of its target.
TEST_F(ShadowTest, StagingTheShadowsTargetLeavesItOnAndTheStagedLoadPromotesIt) {
  report::Results r = run_jobs("rr", "shadow = 0:fifo\nstage = 5ms:fifo\nswap = 15ms:fifo\n");
  expect_promoted_at_15ms(r);
  ASSERT_EQ(r.replacements.size(), 2u);
  EXPECT_EQ(r.replacements[0].kind, "stage");
  EXPECT_TRUE(r.replacements[0].ok) << r.replacements[0].reason;
  EXPECT_TRUE(r.replacements[1].staged) << "the load took the staged instance";
}

TEST_F(ShadowTest, TheServiceVmStartsAndEndsAShadowAtOnce) {
  file("jobs.trace", kJobs);
  file("service.trace", "vcpu 0\n  sleep 1ms\n  sched-shadow fifo\n  sched-shadow bvt\n  sleep 1ms\n  sched-unshadow\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[platform]\ncpus = 1\n[vm.a]\ntrace = jobs.trace\nvcpus = 3\n[service]\ntrace = service.trace\n");
  p.run(ms(100));
  report::Results r = p.results();
  ASSERT_EQ(r.shadows.size(), 2u);
  EXPECT_EQ(r.shadows[0].status, "rejected");
  EXPECT_EQ(r.shadows[0].target, "bvt");
  EXPECT_EQ(r.shadows[1].status, "ended");
  EXPECT_EQ(r.shadows[1].requester, "service");
  EXPECT_EQ(r.shadows[0].from, r.shadows[1].from) << "answered at once: the next step runs at the same cycle";
  EXPECT_GE(r.shadows[1].to - r.shadows[1].from, ms(1)) << "then the sleep";
  EXPECT_GE(r.shadows[1].from, ms(1)) << "after the first sleep";
  EXPECT_GE(kind(r.shadows[1], "insert").calls, 2u) << "the live vCPUs then: the service vCPU and at least one job";
}

}  // namespace
