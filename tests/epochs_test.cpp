// Results by the scheduler that was active (docs/replacement.md "Epochs"):
// one run with a swap shows each VM's share and waits under each scheduler.
#include <sstream>

#include "report/text_report.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

class EpochsTest : public vmmsim::testing::SimTest {
 protected:
  // Two CPU-bound VMs on one pCPU: rr alternates them, fifo runs one forever.
  report::Results run(const std::string& run_section) {
    file("spin.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
    auto& p = build(std::string(kZeroCosts) + "[vmm]\nscheduler = rr\n[sched.rr]\nquantum = 1ms\n" +
                    "[vm.a]\ntrace = spin.trace\n[vm.b]\ntrace = spin.trace\n" + run_section);
    p.run(ms(100));
    return p.results();
  }
};

TEST_F(EpochsTest, OneEpochPerActivationWithTheSharesUnderEach) {
  report::Results r = run("[run]\nswap = 40ms:fifo\n");
  ASSERT_EQ(r.replacements.size(), 1u);
  const report::ReplacementResult& x = r.replacements[0];
  ASSERT_TRUE(x.ok) << x.reason;
  ASSERT_EQ(r.epochs.size(), 2u);
  const report::EpochResult& rr = r.epochs[0];
  const report::EpochResult& fifo = r.epochs[1];
  EXPECT_EQ(rr.scheduler, "rr");
  EXPECT_EQ(rr.slot, 0u);
  EXPECT_EQ(rr.from, 0u);
  EXPECT_EQ(rr.to, x.started_at + x.downtime) << "an epoch ends at the next activation";
  EXPECT_EQ(fifo.scheduler, "fifo");
  EXPECT_EQ(fifo.slot, 1u);
  EXPECT_EQ(fifo.from, rr.to);
  EXPECT_EQ(fifo.to, r.elapsed);
  // rr alternates 1 ms slices: half each while it was active (the downtime
  // is the end of its epoch, so the two halves fall short of 100 %).
  const double rr_busy = static_cast<double>(x.started_at) / static_cast<double>(rr.to);
  EXPECT_NEAR(rr.vms[0].share, rr_busy / 2, 0.01);
  EXPECT_NEAR(rr.vms[1].share, rr_busy / 2, 0.01);
  // fifo runs whoever it picks first to completion: one VM has the pCPU.
  EXPECT_DOUBLE_EQ(std::max(fifo.vms[0].share, fifo.vms[1].share), 1.0);
  EXPECT_EQ(std::min(fifo.vms[0].cpu, fifo.vms[1].cpu), 0u);
  // Every guest cycle belongs to exactly one epoch; every wait too.
  for (std::size_t vm = 0; vm < 2; ++vm) {
    EXPECT_EQ(rr.vms[vm].cpu + fifo.vms[vm].cpu, r.vms[vm].cpu);
    EXPECT_EQ(rr.vms[vm].wait.count() + fifo.vms[vm].wait.count(), r.vms[vm].wait.count());
  }
  EXPECT_EQ(rr.vms[0].wait.max(), ms(1)) << "each waits out the other's 1 ms slice";
}

TEST_F(EpochsTest, TheTextReportShowsEachScheduler) {
  report::Results r = run("[run]\nswap = 40ms:fifo\n");
  std::ostringstream out;
  report::write_text_report(r, out);
  const std::string text = out.str();
  EXPECT_NE(text.find("under rr (slot 0), 0.000 .. "), std::string::npos) << text;
  EXPECT_NE(text.find("under fifo (slot 1), "), std::string::npos) << text;
}

TEST_F(EpochsTest, AFailedLoadStartsNoEpoch) {
  report::Results r = run("[run]\nswap = 40ms:rr\n");  // already active: refused
  ASSERT_EQ(r.replacements.size(), 1u);
  EXPECT_FALSE(r.replacements[0].ok);
  ASSERT_EQ(r.epochs.size(), 1u);
  EXPECT_EQ(r.epochs[0].to, r.elapsed);
  EXPECT_EQ(r.epochs[0].vms[0].cpu, r.vms[0].cpu);
}

}  // namespace
