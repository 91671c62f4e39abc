// Demand-aware fairness on the whole platform (docs/results.md "Fairness"):
// a VM that asks for little is judged against what it asks for, not against
// its weight's entitlement.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

class DemandFairnessTest : public vmmsim::testing::SimTest {};

TEST_F(DemandFairnessTest, AnIoVmBesideAHogUnderRoundRobin) {
  // One pCPU, no costs, rr with 10 ms quanta. io computes 1 ms, then blocks
  // 9 ms; its wake lands 9 ms into the hog's quantum, so it waits 1 ms: the
  // schedule repeats every 11 ms as hog 10 ms, io 1 ms.
  //   io:  share 1/11 = 9.09 %; not held back 10 of every 11 ms, computing
  //        1 ms of them: demand 10 %; fair share 10 % (it asks for less
  //        than half) -> 0.909 of its fair share.
  //   hog: share 10/11 = 90.9 %; demand 100 %; fair share the 90 % left
  //        -> 1.0101 of it.
  //   Jain over (0.909, 1.0101) = 0.9973. By weight alone both are entitled
  //   to 50 %: (0.1818, 1.818) -> 0.5991, which calls rr unfair to a VM
  //   that never asked for more.
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
  file("io.trace", "vcpu 0\n  repeat forever\n    run 1ms\n    io 9ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[platform]\ncpus = 1\n[vmm]\nscheduler = rr\n[sched.rr]\nquantum = 10ms\n"
                  "[vm.hog]\ntrace = hog.trace\n[vm.io]\ntrace = io.trace\n");
  p.run(ms(1100));
  report::Results r = p.results();
  const report::VmResult& hog = r.vms[0];
  const report::VmResult& io = r.vms[1];
  ASSERT_EQ(io.name, "io");
  EXPECT_NEAR(r.fair_capacity, 1.0, 1e-12) << "no VMM cycles, nothing ceased";
  EXPECT_NEAR(io.share, 1.0 / 11, 1e-3);
  EXPECT_NEAR(io.demand, 0.10, 1e-3);
  EXPECT_NEAR(io.fair, io.demand, 1e-12) << "a demand below its weighted portion is met whole";
  EXPECT_NEAR(hog.demand, 1.0, 1e-3);
  EXPECT_NEAR(hog.fair, 1.0 - io.demand, 1e-12);
  EXPECT_NEAR(io.entitled, 0.5, 1e-12);
  EXPECT_NEAR(hog.entitled, 0.5, 1e-12);
  EXPECT_NEAR(r.jain_fairness, 0.9973, 1e-3);
  EXPECT_NEAR(r.jain_entitled, 0.5991, 1e-3);
}

TEST_F(DemandFairnessTest, VmsThatTogetherAskForLessThanTheMachineGetWhatTheyAsk) {
  // 20 % and 10 % of one pCPU, b's bursts 5 ms after a's: no one waits,
  // each gets its demand, Jain 1; by weight each was "entitled" to 50 %.
  file("a.trace", "vcpu 0\n  repeat forever\n    run 2ms\n    io 8ms\n  end\n");
  file("b.trace", "vcpu 0\n  arrive 5ms\n  repeat forever\n    run 1ms\n    io 9ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[platform]\ncpus = 1\n[vmm]\nscheduler = rr\n"
                  "[vm.a]\ntrace = a.trace\n[vm.b]\ntrace = b.trace\n");
  p.run(ms(1000));
  report::Results r = p.results();
  EXPECT_NEAR(r.vms[0].demand, 0.20, 1e-3);
  EXPECT_NEAR(r.vms[1].demand, 0.10 * 995 / 1000, 1e-3) << "arrives at 5 ms";
  EXPECT_NEAR(r.vms[0].fair, r.vms[0].demand, 1e-12);
  EXPECT_NEAR(r.vms[1].fair, r.vms[1].demand, 1e-12);
  EXPECT_NEAR(r.vms[0].share, r.vms[0].demand, 1e-3);
  EXPECT_NEAR(r.jain_fairness, 1.0, 1e-4);
  // By weight: 0.2 / 0.5 and 0.1 / 0.5 -> (0.4 + 0.2)^2 / (2 (0.16 + 0.04)) = 0.9.
  EXPECT_NEAR(r.jain_entitled, 0.9, 2e-3);
}

}  // namespace
