// credit2 (Xen) driven through its C ops table as the VMM drives it
// (tests/policy_simulator.h). Expected schedules are computed by hand in the
// comments.
#include "tests/policy_simulator.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using namespace policy_sim;

// ===================================================================== credit2

// Defaults: ratelimit 1 ms, min_timer 500 us, max_timer 10 ms, CREDIT_INIT 10 ms.
TEST(Credit2, WeightedPairFollowsXensCreditSchedule) {
  // H (512) and L (256): max_weight 512, H burns 1 credit per cycle, L 2.
  // Both start with 10 ms of credit. Slices (csched2_runtime; the vCPU just
  // descheduled is not yet back in the queue, as in Xen):
  //   0     H (tie, first queued): L waits with 10 > 0, so 0 credit -> min_time
  //         = ratelimit 1 ms. H = 9.
  //   1     L (10 > 9): queue empty -> its 10 ms of credit last 5 ms. L = 0.
  //   6     H (9 > 0): 9 ms. H = 0.
  //   15    H again (L's 0 is not more): top credit 0 -> reset, both 10;
  //         L queued with 10 -> min_timer 0.5 ms (ratelimit long past). H = 9.5.
  //   15.5  L: 5 ms, L = 0.   20.5 H: 9.5 ms, H = 0.   30 reset, as at 15.
  // Every 15 ms from 15: H 0.5 + 9.5 ms, L 5 ms.
  auto r =
      simulate(credit2_ops(), {}, {{hog(), {{"weight", 512}}}, {hog(), {{"weight", 256}}}}, 3 * kS);
  const std::vector<Span> h = {{0, kMs},
                               {6 * kMs, 15 * kMs},
                               {15 * kMs, 15'500 * kUs},
                               {20'500 * kUs, 30 * kMs},
                               {30 * kMs, 30'500 * kUs}};
  const std::vector<Span> l = {
      {kMs, 6 * kMs}, {15'500 * kUs, 20'500 * kUs}, {30'500 * kUs, 35'500 * kUs}};
  EXPECT_EQ(std::vector<Span>(r.vcpus[0].runs.begin(), r.vcpus[0].runs.begin() + 5), h);
  EXPECT_EQ(std::vector<Span>(r.vcpus[1].runs.begin(), r.vcpus[1].runs.begin() + 3), l);
  // 3 s = 200 cycles of 15 ms: exactly 2 : 1, and a reset at every 15 ms but 0.
  EXPECT_EQ(r.vcpus[0].cpu_in(0, 3 * kS), 2000 * kMs);
  EXPECT_EQ(r.vcpus[1].cpu_in(0, 3 * kS), 1000 * kMs);
  RecordProperty("share_ratio", std::to_string(ratio(r.vcpus[0], r.vcpus[1], 0, 3 * kS)));
  EXPECT_TRUE(contains(r.dump, "resets=199")) << r.dump;
}

TEST(Credit2, CreditStaysWithinItsBoundsAcrossResets) {
  // Three hogs of different weights and an I/O vCPU for 3 s: credit never
  // leaves [-CREDIT_INIT, CREDIT_INIT + carry-over (= min_timer)].
  std::vector<Vm> vms = {{hog(), {{"weight", 128}}},
                         {hog(), {{"weight", 256}}},
                         {hog(), {{"weight", 1024}}},
                         {io_loop(300 * kUs, 2 * kMs, 100000), {{"weight", 256}}}};
  std::int64_t lowest = 0, highest = 0;
  Options opt;
  opt.observe = [&](Instance& s, Cycles) {
    for (VcpuId v = 0; v < 4; ++v) {
      lowest = std::min(lowest, s.priority(v));
      highest = std::max(highest, s.priority(v));
    }
  };
  auto r = simulate(credit2_ops(), {}, vms, 3 * kS, opt);
  EXPECT_GE(lowest, -static_cast<std::int64_t>(10 * kMs));
  EXPECT_LE(highest, static_cast<std::int64_t>(10'500 * kUs));
  std::size_t at = r.dump.find("resets=");
  ASSERT_NE(at, std::string::npos);
  long resets = std::stol(r.dump.substr(at + 7));
  RecordProperty("resets", std::to_string(resets));
  EXPECT_GT(resets, 100) << "an epoch lasts at most ~10 ms of the heaviest vCPU's run";
  // Shares of the hogs by weight, 128 : 256 : 1024 (the I/O vCPU takes its ~13%).
  EXPECT_NEAR(ratio(r.vcpus[2], r.vcpus[1], 0, 3 * kS), 4.0, 4.0 * 0.02);
  EXPECT_NEAR(ratio(r.vcpus[1], r.vcpus[0], 0, 3 * kS), 2.0, 2.0 * 0.02);
}

TEST(Credit2, WakingIoVcpuWithMoreCreditPreemptsHog) {
  // A hog and B (0.2 ms of work, 5 ms of I/O), weight 256 each.
  //   0    A, 1 ms (B waits with credit).   1    B: runs 0.2 ms, blocks, B = 9.8.
  //   1.2  A (9): its credit lasts 9 ms, to 10.2.
  //   6.2  B wakes: A burned to 4 < 9.8, A ran 5 ms > ratelimit: B runs at once.
  // Every later wake finds A more than 1 ms into its run: no wait at all.
  auto r = simulate(credit2_ops(), {}, {{hog()}, {io_loop(200 * kUs, 5 * kMs, 300)}}, kS);
  ASSERT_GE(r.wakes.size(), 3u);
  const Wake& second = r.wakes[2];  // A at 0, B at 0, B at 6.2 ms
  EXPECT_EQ(second.vcpu, 1);
  EXPECT_EQ(second.at, 6'200 * kUs);
  EXPECT_EQ(second.dispatched, 6'200 * kUs) << "preempts A, whose slice ran to 10.2 ms";
  EXPECT_EQ(second.owner_slice_end, 10'200 * kUs);
  EXPECT_GT(second.priority, second.owner_priority) << "B has more credit";
  const auto& latency = r.vcpus[1].latency;
  EXPECT_EQ(*std::max_element(latency.begin() + 1, latency.end()), 0u);
  EXPECT_GE(latency.size(), 150u);
}

TEST(Credit2, RatelimitDefersThePreemptionNotTheWake) {
  // B waits only 0.3 ms for I/O, so it wakes 0.3 ms into A's run: A keeps the
  // pCPU until its ratelimit (1 ms) is over, then B runs. B always has more
  // credit (it burns 0.2 ms per 1.2 ms cycle, A 1 ms). Wake latency 0.7 ms;
  // with ratelimit = 0, none.
  auto wait_of = [](Cycles ratelimit) {
    return simulate(credit2_ops(), {{"ratelimit", static_cast<std::int64_t>(ratelimit)}},
                    {{hog()}, {io_loop(200 * kUs, 300 * kUs, 500)}}, 300 * kMs)
        .vcpus[1]
        .latency;
  };
  std::vector<Cycles> limited = wait_of(kMs), unlimited = wait_of(0);
  ASSERT_GE(limited.size(), 100u);
  EXPECT_EQ(limited[1], 700 * kUs);
  EXPECT_EQ(*std::max_element(limited.begin() + 1, limited.end()), 700 * kUs);
  EXPECT_EQ(*std::max_element(unlimited.begin() + 1, unlimited.end()), 0u);
}

TEST(Credit2, SliceIsCreditTimeWithinMinAndMaxTimer) {
  // A lone vCPU: its 10 ms of credit last 10 ms (= max_timer); then a reset.
  auto lone = simulate(credit2_ops(), {}, {{hog()}}, 50 * kMs);
  ASSERT_GE(lone.dispatches.size(), 3u);
  for (const Dispatch& d : lone.dispatches) EXPECT_EQ(d.slice, 10 * kMs);
  // max_timer 4 ms: 4, 4, then the 2 ms of credit left, then a reset.
  auto capped = simulate(credit2_ops(), {{"max_timer", static_cast<std::int64_t>(4 * kMs)}},
                         {{hog()}}, 20 * kMs);
  std::vector<Cycles> slices;
  for (const Dispatch& d : capped.dispatches) slices.push_back(d.slice / kUs);
  EXPECT_EQ(slices, (std::vector<Cycles>{4000, 4000, 2000, 4000, 4000, 2000}));
  // Two equal vCPUs, no ratelimit: the first runs min_timer (the other waits
  // with as much credit).
  auto pair = simulate(credit2_ops(),
                       {{"ratelimit", 0}, {"min_timer", static_cast<std::int64_t>(200 * kUs)}},
                       {{hog()}, {hog()}}, 50 * kMs);
  EXPECT_EQ(pair.dispatches.at(0).slice, 200 * kUs);
}

TEST(Credit2, TwoPcpusShareThreeVcpusAndHonourAffinity) {
  // One shared run queue: three hogs on two pCPUs get 2/3 of a pCPU each.
  Options two;
  two.cpus = 2;
  auto r = simulate(credit2_ops(), {}, {{hog()}, {hog()}, {hog()}}, 3 * kS, two);
  for (const VcpuResult& v : r.vcpus)
    EXPECT_NEAR(static_cast<double>(v.cpu_in(0, 3 * kS)) / kS, 2.0, 2.0 * 0.02);
  // Pinned to pCPU 1, a vCPU never runs on pCPU 0 and no pCPU idles. It gets
  // less than a third (measured 1.42 s of 3 s): while it heads the queue with
  // credit that pCPU 0 may not use, no reset comes (as in Xen, only the head's
  // credit ends an epoch), so the others run on at negative credit there.
  auto pinned = simulate(credit2_ops(), {}, {{hog()}, {hog()}, {hog(), {}, {1}}}, 3 * kS, two);
  Cycles total = 0;
  for (const VcpuResult& v : pinned.vcpus) total += v.cpu_in(0, 3 * kS);
  EXPECT_EQ(total, 6 * kS) << "work conserving";
  for (int c : pinned.vcpus[2].cpus) EXPECT_EQ(c, 1);
  RecordProperty("pinned_share_s", std::to_string(pinned.vcpus[2].cpu_in(0, 3 * kS) / 1e9));
  EXPECT_GT(pinned.vcpus[2].cpu_in(0, 3 * kS), kS) << "not starved: over a third of its pCPU";
}

TEST(Credit2, RejectsOutOfRangeParameters) {
  Instance ok(credit2_ops(), {});
  ASSERT_NE(ok.self, nullptr) << ok.error;
  EXPECT_NE(ok.insert(0, {{"weight", 0}}), 0);
  EXPECT_STREQ(ok.error, "credit2: VM 0: weight 0 is out of range 1..65535");
  EXPECT_EQ(ok.insert(1, {{"weight", 65535}}), 0) << ok.error;
  Instance bad(credit2_ops(), {{"min_timer", static_cast<std::int64_t>(2 * kMs)},
                               {"max_timer", static_cast<std::int64_t>(kMs)}});
  EXPECT_EQ(bad.self, nullptr);
  EXPECT_STREQ(bad.error, "credit2: min_timer must not exceed max_timer");
}

}  // namespace
}  // namespace vmmsim::sched
