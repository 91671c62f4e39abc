// Live replacement's downtime, phase by phase, to the cycle (docs/replacement.md):
// cease + drain + unload + load + migrate + activate, each as the model says.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

// A byte takes ceil(1e9 * 10 / 1e7) = 1000 cycles on this console.
constexpr const char* kFastConsole = "[console]\nbaud = 10000000\nfifo = 16\n";
constexpr Cycles kBvtLoad = 12 * 1024 / 8 + 10000;  // image / 8 B per cycle + latency
constexpr Cycles kRrLoad = 6 * 1024 / 8 + 10000;
constexpr Cycles kMigrate = 300;                    // per vCPU
constexpr Cycles kUnload = 2000;

class ReplacementTest : public vmmsim::testing::SimTest {
 protected:
  // A guest that writes `bytes` to the console at 0, then computes.
  report::Results run(const std::string& extra, unsigned vcpus = 1, Bytes bytes = 8, unsigned cpus = 1,
                      std::string costs = kZeroCosts) {
    file("writer.trace", "vcpu 0\n  console " + std::to_string(bytes) + "\n  repeat forever\n    run 10ms\n  end\n");
    auto& p = build(costs + kFastConsole + "[platform]\ncpus = " + std::to_string(cpus) +
                    "\n[vm.a]\ntrace = writer.trace\nvcpus = " + std::to_string(vcpus) + "\n" + extra);
    p.run(ms(100));
    return p.results();
  }
};

TEST_F(ReplacementTest, DowntimeIsTheSumOfItsPhases) {
  report::Results r = run("[run]\nswap = 2000:bvt\n");
  ASSERT_EQ(r.replacements.size(), 1u);
  const auto& x = r.replacements[0];
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_EQ(x.from, "rr");
  EXPECT_EQ(x.to, "bvt");
  EXPECT_EQ(x.started_at, 2000u);
  EXPECT_EQ(x.cease, 0u) << "no VM-exit cost: the kicked guest parks at once";
  EXPECT_EQ(x.tx_retired, 6u) << "8 bytes written at 0, 2 sent by 2000";
  EXPECT_EQ(x.drain, 6000u);
  EXPECT_EQ(x.unload, 0u) << "auto with room keeps rr loaded";
  EXPECT_EQ(x.load, kBvtLoad);
  EXPECT_EQ(x.migrate, kMigrate);
  EXPECT_EQ(x.activate, 50u) << "one write of the ID register";
  EXPECT_EQ(x.downtime, 6000 + kBvtLoad + kMigrate + 50);
  EXPECT_EQ(x.vcpus_migrated, 1u);
  EXPECT_EQ(r.pcpus[0].ceased, x.downtime) << "parked from the kick to the resume";
  EXPECT_EQ(r.scheduler, "bvt");
}

TEST_F(ReplacementTest, DowntimeGrowsWithVcpusAndConsoleBytesInFlight) {
  // 12 bytes: 10 still in the FIFO at 2000; three vCPUs to migrate.
  report::Results r = run("[run]\nswap = 2000:bvt\n", 3, 12);
  const auto& x = r.replacements.at(0);
  EXPECT_EQ(x.tx_retired, 10u);
  EXPECT_EQ(x.drain, 10000u);
  EXPECT_EQ(x.migrate, 3 * kMigrate);
  EXPECT_EQ(x.downtime, 10000 + kBvtLoad + 3 * kMigrate + 50);
}

TEST_F(ReplacementTest, CeaseWaitsForTheVmExit) {
  std::string costs = kZeroCosts;
  costs.replace(costs.find("vm_exit = 0"), 11, "vm_exit = 700");
  report::Results r = run("[run]\nswap = 2000:bvt\n", 1, 8, 1, costs);
  const auto& x = r.replacements.at(0);
  EXPECT_EQ(x.cease, 700u);
  EXPECT_EQ(x.drain, 5300u) << "the drain starts after the cease: 6000 - 700";
}

TEST_F(ReplacementTest, UnloadOldUnloadsFirstAndTheRevertReloads) {
  report::Results r = run("[run]\nswap = 2000:bvt,policy=unload-old 50ms:unload\n");
  ASSERT_EQ(r.replacements.size(), 2u);
  const auto& load = r.replacements[0];
  EXPECT_EQ(load.unload, kUnload) << "rr's image leaves before bvt's comes in";
  EXPECT_EQ(load.load, kBvtLoad);
  const auto& back = r.replacements[1];
  EXPECT_TRUE(back.ok) << back.reason;
  EXPECT_EQ(back.kind, "unload");
  EXPECT_EQ(back.to, "rr") << "unloading the active scheduler brings the previous one back";
  EXPECT_EQ(back.drain, 0u);
  EXPECT_EQ(back.unload, kUnload);
  EXPECT_EQ(back.load, kRrLoad) << "rr had been unloaded: it is loaded again";
  EXPECT_EQ(back.downtime, kUnload + kRrLoad + kMigrate + 50);
  EXPECT_EQ(r.scheduler, "rr");
}

TEST_F(ReplacementTest, KeepOldRevertsWithoutLoading) {
  report::Results r = run("[run]\nswap = 2000:bvt,policy=keep-old 50ms:unload\n");
  const auto& back = r.replacements.at(1);
  EXPECT_EQ(back.load, 0u) << "rr stayed loaded";
  EXPECT_EQ(back.downtime, kUnload + kMigrate + 50);
}

TEST_F(ReplacementTest, RevertWalksBackThroughKeptSchedulers) {
  report::Results r = run("[run]\nswap = 2000:bvt,policy=keep-old 20ms:fifo,policy=keep-old 40ms:unload 60ms:unload\n");
  ASSERT_EQ(r.replacements.size(), 4u);
  EXPECT_EQ(r.replacements[1].to, "fifo");
  EXPECT_EQ(r.replacements[2].to, "bvt");
  EXPECT_EQ(r.replacements[3].to, "rr");
  EXPECT_EQ(m_platform->manager().active_id(), 0u) << "the ID register names the default's slot again";
}

TEST_F(ReplacementTest, ServiceVmIsAnsweredAfterTheSequence) {
  file("svc.trace", "vcpu 0\n  sleep 1ms\n  sched-load bvt\n  run 1ms\n");
  report::Results r = run("[service]\ntrace = svc.trace\n", 1, 0, 2);
  const auto& x = r.replacements.at(0);
  EXPECT_EQ(x.requester, "service");
  EXPECT_EQ(x.requested_at, ms(1));
  const Cycles downtime = kBvtLoad + 2 * kMigrate + 50;
  EXPECT_EQ(x.downtime, downtime);
  // Blocked in its hypercall until the answer, then 1 ms of work.
  EXPECT_EQ(*r.vcpus[1].turnaround, ms(2) + downtime);
  EXPECT_EQ(r.requests[static_cast<std::size_t>(vmm::RequestKind::ControlDone)].second, 1u);
}

class ActivationCostTest : public vmmsim::testing::SimTest,
                           public ::testing::WithParamInterface<std::pair<const char*, Cycles>> {};

TEST_P(ActivationCostTest, EachMechanismChargesItsActivation) {
  auto [mechanism, cost] = GetParam();
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) + "[vmm]\nactivation = " + mechanism +
                  "\n[vm.a]\ntrace = hog.trace\n[run]\nswap = 2000:bvt\n");
  p.run(ms(10));
  report::Results r = p.results();
  EXPECT_EQ(r.activation, mechanism);
  EXPECT_EQ(r.replacements.at(0).activate, cost);
  EXPECT_EQ(r.scheduler, "bvt");
}

// id-register writes one register; function-table overwrites the table;
// patch patches 10 entry points at each of 2 call sites (1 pCPU + the VMM).
INSTANTIATE_TEST_SUITE_P(Mechanisms, ActivationCostTest,
                         ::testing::Values(std::make_pair("id-register", Cycles{50}),
                                           std::make_pair("function-table", Cycles{500}),
                                           std::make_pair("patch", Cycles{200 * 10 * 2})));

}  // namespace
