// Review of issue 12 (guestcost merge): failing tests that show what the
// binary does not yet do as the issue and docs say.
#include "tests/results_json.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";

class Review2SwapTest : public vmmsim::testing::SimTest {};

// docs/replacement.md "Feedback": rejected = "a sched-load/sched-unload the
// loader refused or that failed". A refused --swap / [run] swap request is
// counted `done` (it gets Done at submission and no ControlDone follows).
TEST_F(Review2SwapTest, RefusedCommandLineSwapsAreRejected) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[vm.h]\ntrace = hog.trace\n[run]\nswap = 100us:unload 200us:rr\n");
  p.run(ms(1));
  report::Results r = p.results();
  ASSERT_EQ(r.replacements.size(), 2u);
  ASSERT_FALSE(r.replacements[0].ok);  // the default cannot be unloaded
  ASSERT_FALSE(r.replacements[1].ok);  // rr is already active
  EXPECT_EQ(r.feedback_rejected, 2u) << "both refusals should be feedback `rejected` (no PIT tick in 1 ms)";
}

// docs/results.md: the swap stall is "counted in its wait too. An open stall
// counts to the end of the run." With --until inside a long drain, h's stall
// is 4.9 ms but its wait max stays 0 -- the very symptom the issue names
// ("today its wait max is 0 through an 8.65 ms stall").
TEST_F(Review2SwapTest, AnOpenStallAtTheEndAlsoCountsInWait) {
  file("writer.trace", "vcpu 0\n  console 16\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[console]\nbaud = 9600\nfifo = 16\n[vm.a]\ntrace = writer.trace\n[run]\nswap = 100us:bvt\n");
  p.run(ms(5));
  report::Results r = p.results();
  ASSERT_TRUE(r.replacements.at(0).in_progress);
  const report::VcpuResult& a = r.vcpus[0];
  ASSERT_EQ(a.swap_stall, ms(5) - ms(0.1));
  EXPECT_GE(a.wait.max(), a.swap_stall) << "the open stall is wait too";
}

}  // namespace
