// [0027] The switch devices keep their state across a live replacement: each
// vCPU parked on a pCPU is inserted into the new scheduler as running there
// (running_on), and the first pick_next on that pCPU has it as prev with the
// guest cycles of its slot, so a policy that keeps it lets it continue
// (docs/replacement.md "Switch devices keep their state").
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
constexpr Cycles kMigrate = 300, kActivate = 50;
constexpr Cycles kFifoLoad = 4 * 1024 / 8 + 10000;
constexpr Cycles kRrLoad = 6 * 1024 / 8 + 10000;

class SwapStateTest : public vmmsim::testing::SimTest {
 protected:
  // One pCPU, hogs a (vCPU 0) and b (vCPU 1).
  report::Results run(const std::string& scheduler, const std::string& swap, Cycles until) {
    file("hog.trace", kHog);
    auto& p = build(std::string(kZeroCosts) + "[platform]\ncpus = 1\n[vmm]\nscheduler = " + scheduler +
                    "\n[sched.rr]\nquantum = 1ms\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n[run]\nswap = " +
                    swap + "\n");
    p.run(until);
    return p.results();
  }
};

TEST_F(SwapStateTest, ParkedOwnerResumesOnItsPcpuUnderAPolicyThatKeepsIt) {
  // rr runs a for 1 ms, then b; at 1.5 ms fifo replaces rr. fifo is told b
  // runs on cpu0 and puts a descheduled, not yielding vCPU back first in
  // line: b goes on where it was, with no context switch.
  report::Results r = run("rr", "1500us:fifo", ms(10));
  const auto& x = r.replacements.at(0);
  ASSERT_TRUE(x.ok) << x.reason;
  const Cycles downtime = kFifoLoad + 2 * kMigrate + kActivate;
  EXPECT_EQ(x.downtime, downtime);
  EXPECT_EQ(r.vcpus[0].cpu, ms(1)) << "a never ran again: fifo kept b";
  EXPECT_EQ(r.vcpus[1].cpu, ms(10) - ms(1) - downtime);
  EXPECT_EQ(r.vcpus[1].dispatches, 1u) << "b kept its pCPU: no new dispatch";
  EXPECT_EQ(r.vcpus[1].context_switches, 1u) << "only the one at 1 ms";
  EXPECT_EQ(r.vcpus[0].context_switches, 1u);
}

TEST_F(SwapStateTest, PolicyThatRotatesQueuesTheParkedOwnerBehindTheOthers) {
  // fifo runs a for ever; at 1.5 ms rr (1 ms quantum) takes over, told that
  // a runs on cpu0 with 1.5 ms in its slot: rr queues it behind b.
  report::Results r = run("fifo", "1500us:rr", ms(5));
  const auto& x = r.replacements.at(0);
  ASSERT_TRUE(x.ok) << x.reason;
  const Cycles resumed = ms(1.5) + kRrLoad + 2 * kMigrate + kActivate;
  // b from the resume for 1 ms, then a, b, a.
  EXPECT_EQ(r.vcpus[1].response.value_or(0), resumed);
  EXPECT_EQ(r.vcpus[0].cpu, ms(1.5) + ms(1) + (ms(5) - resumed - ms(3)));
  // a waited from its pCPU ceasing until rr ran it, 1 ms after the resume.
  EXPECT_EQ(r.vcpus[0].wait.max(), resumed + ms(1) - ms(1.5));
}

}  // namespace
