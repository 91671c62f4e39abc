// rtds (Xen's real-time deferrable server) driven through its C ops table
// (tests/rt_simulator.h). Expected schedules are computed by hand and checked
// to the cycle.
#include "tests/rt_simulator.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using namespace rt_sim;

// ===================================================================== rtds

TEST(Rtds, TwoDefaultVcpusGetFortyPercentEachAndTheRestIdles) {
  // 10 ms / 4 ms each: A 0-4, B 4-8, idle 8-10, then again every period.
  Schedule s = simulate(rtds_ops(), {}, {cpu_bound(), cpu_bound()}, kS);
  std::vector<Span> first = s.merged(0, 20 * kMs);
  EXPECT_EQ(first, (std::vector<Span>{{0, 0, 4 * kMs},
                                      {1, 4 * kMs, 8 * kMs},
                                      {kIdle, 8 * kMs, 10 * kMs},
                                      {0, 10 * kMs, 14 * kMs},
                                      {1, 14 * kMs, 18 * kMs},
                                      {kIdle, 18 * kMs, 20 * kMs}}));
  EXPECT_EQ(s.cpu_of(0, 0, kS), 400 * kMs);
  EXPECT_EQ(s.cpu_of(1, 0, kS), 400 * kMs);
  EXPECT_EQ(s.cpu_of(kIdle, 0, kS), 200 * kMs);
  EXPECT_EQ(dump_value(s.dump, "misses"), 0u) << s.dump;
}

TEST(Rtds, EarliestDeadlineRunsFirstToTheCycle) {
  // A 5/1, B 10/3, C 20/6 (80 %), all CPU-bound. By hand over [0, 20):
  //  0 A(d5)   1 B(d10)   4 C(d20) sliced at A's replenishment at 5
  //  5 A(d10) preempts C  6 C until A's and B's replenishment at 10
  // 10 A(d15) 11 B(d20) ahead of C(d20), which was preempted
  // 14 C's last 1 ms    15 A(d20)   16 idle: all depleted until 20
  Schedule s = simulate(rtds_ops(), {},
                        {cpu_bound(rt(5 * kMs, kMs)), cpu_bound(rt(10 * kMs, 3 * kMs)),
                         cpu_bound(rt(20 * kMs, 6 * kMs))},
                        200 * kMs);
  std::vector<Span> expected = {{0, 0, kMs},
                                {1, kMs, 4 * kMs},
                                {2, 4 * kMs, 5 * kMs},
                                {0, 5 * kMs, 6 * kMs},
                                {2, 6 * kMs, 10 * kMs},
                                {0, 10 * kMs, 11 * kMs},
                                {1, 11 * kMs, 14 * kMs},
                                {2, 14 * kMs, 15 * kMs},
                                {0, 15 * kMs, 16 * kMs},
                                {kIdle, 16 * kMs, 20 * kMs}};
  EXPECT_EQ(s.merged(0, 20 * kMs), expected);
  // The same pattern every 20 ms: the schedule is periodic.
  std::vector<Span> later = s.merged(0, 200 * kMs);
  std::vector<Span> last(later.end() - expected.size(), later.end());
  for (Span& e : expected) e.start += 180 * kMs, e.end += 180 * kMs;
  EXPECT_EQ(last, expected);
  // C's first slice ends at A's replenishment, not at C's budget.
  auto at4 = std::find_if(s.decisions.begin(), s.decisions.end(),
                          [](const Decision& d) { return d.at == 4 * kMs; });
  ASSERT_NE(at4, s.decisions.end());
  EXPECT_EQ(at4->next, 2);
  EXPECT_EQ(at4->slice, kMs);
  EXPECT_EQ(dump_value(s.dump, "misses"), 0u) << s.dump;
}

TEST(Rtds, OverloadMissesDeadlines) {
  // Three 4 ms / 10 ms vCPUs need 120 % of one pCPU. At every boundary the
  // last of them still has 2 ms of budget: one miss per period. All deadlines
  // are equal: the owner goes on refilled, then the vCPU waiting longest, so
  // the misses take turns.
  Schedule s = simulate(rtds_ops(), {}, {cpu_bound(), cpu_bound(), cpu_bound()}, kS);
  EXPECT_EQ(s.merged(0, 30 * kMs),
            (std::vector<Span>{{0, 0, 4 * kMs},
                               {1, 4 * kMs, 8 * kMs},
                               {2, 8 * kMs, 14 * kMs},  // missed at 10, goes on refilled
                               {0, 14 * kMs, 18 * kMs},
                               {1, 18 * kMs, 24 * kMs},  // missed at 20
                               {2, 24 * kMs, 28 * kMs},  // waiting since 14, A since 18
                               {0, 28 * kMs, 30 * kMs}}));
  // Boundaries at 10, 20, ..., 990 ms: 99 misses, one each.
  EXPECT_EQ(dump_value(s.dump, "misses"), 99u) << s.dump;
  std::map<VcpuId, std::uint64_t> per_vcpu = vcpu_misses(s.dump);
  EXPECT_EQ(per_vcpu, (std::map<VcpuId, std::uint64_t>{{0, 33}, {1, 33}, {2, 33}})) << s.dump;
  EXPECT_EQ(s.cpu_of(kIdle, 0, kS), 0u);
}

TEST(Rtds, ExtratimeRunsADepletedVcpuInIdleTime) {
  // A has extratime: it takes the 2 ms B leaves idle in each period (60 %),
  // but never before B's budget (B keeps its 40 %).
  Schedule s = simulate(rtds_ops(), {}, {cpu_bound(rt(10 * kMs, 4 * kMs, 1)), cpu_bound()}, kS);
  EXPECT_EQ(s.merged(0, 20 * kMs), (std::vector<Span>{{0, 0, 4 * kMs},
                                                      {1, 4 * kMs, 8 * kMs},
                                                      {0, 8 * kMs, 14 * kMs},
                                                      {1, 14 * kMs, 18 * kMs},
                                                      {0, 18 * kMs, 20 * kMs}}));
  EXPECT_EQ(s.cpu_of(0, 0, kS), 600 * kMs);
  EXPECT_EQ(s.cpu_of(1, 0, kS), 400 * kMs);
  EXPECT_EQ(dump_value(s.dump, "misses"), 0u) << s.dump;
  // Alone, extratime takes the whole pCPU; without it, its budget only.
  EXPECT_EQ(simulate(rtds_ops(), {}, {cpu_bound(rt(10 * kMs, 4 * kMs, 1))}, kS).cpu_of(0, 0, kS),
            kS);
  EXPECT_EQ(simulate(rtds_ops(), {}, {cpu_bound()}, kS).cpu_of(0, 0, kS), 400 * kMs);
}

TEST(Rtds, ExtratimeVcpuQueuesBehindEveryVcpuWithBudget) {
  // A: 5 ms / 1 ms with extratime (earliest deadlines); B: 20 ms / 10 ms.
  // Once A has used its 1 ms it waits behind B although its deadline is
  // earlier; it gets only what B leaves.
  Schedule s = simulate(rtds_ops(), {},
                        {cpu_bound(rt(5 * kMs, kMs, 1)), cpu_bound(rt(20 * kMs, 10 * kMs))}, kS);
  EXPECT_EQ(s.merged(0, 20 * kMs), (std::vector<Span>{{0, 0, kMs},
                                                      {1, kMs, 5 * kMs},
                                                      {0, 5 * kMs, 6 * kMs},
                                                      {1, 6 * kMs, 10 * kMs},
                                                      {0, 10 * kMs, 11 * kMs},
                                                      {1, 11 * kMs, 13 * kMs},
                                                      {0, 13 * kMs, 20 * kMs}}));
  EXPECT_EQ(s.cpu_of(1, 0, kS), 500 * kMs) << "B gets its full budget every period";
  EXPECT_EQ(s.cpu_of(0, 0, kS), 500 * kMs) << "A gets the rest";
  EXPECT_EQ(dump_value(s.dump, "misses"), 0u) << s.dump;
}

TEST(Rtds, SlicesEndAtBudgetDeadlineOrNextReplenishment) {
  Instance s(rtds_ops(), {});
  ASSERT_EQ(s.insert(0, rt(10 * kMs, 4 * kMs), true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.last.slice, 4 * kMs) << "its budget";
  EXPECT_EQ(s.pick(4 * kMs, 0, 4 * kMs), kIdle);
  EXPECT_EQ(s.last.slice, 6 * kMs) << "idle until its replenishment at 10 ms";
  EXPECT_EQ(s.pick(10 * kMs), 0);
  EXPECT_EQ(s.priority(0), -int64_t(20 * kMs)) << "priority = -deadline";
  // A second vCPU waking depleted-free with a later deadline does not cut the slice.
  ASSERT_EQ(s.insert(1, rt(30 * kMs, 2 * kMs)), 0) << s.error;
  vmm_tickle_t t = s.wake(1, 11 * kMs);
  EXPECT_EQ(t.cpu, kNoCpu) << "deadline 30 ms does not preempt deadline 20 ms";
  EXPECT_EQ(s.pick(12 * kMs, 0, 2 * kMs), 0) << "no one ahead: the owner goes on";
  EXPECT_EQ(s.last.slice, 2 * kMs) << "2 ms of budget left";
  // Budget larger than the time to the deadline: the slice ends at the deadline.
  Instance d(rtds_ops(), {});
  ASSERT_EQ(d.insert(0, rt(10 * kMs, 10 * kMs), true), 0) << d.error;
  EXPECT_EQ(d.pick(3 * kMs), 0);
  EXPECT_EQ(d.last.slice, 7 * kMs) << "periods are aligned to cycle 0, as Xen";
}

TEST(Rtds, WakeAfterADeadlineStartsAFreshPeriodWithoutAMiss) {
  Instance s(rtds_ops(), {});
  ASSERT_EQ(s.insert(0, rt(10 * kMs, 4 * kMs), true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  s.block(0, 3 * kMs);  // 1 ms of budget left, blocked
  EXPECT_EQ(s.pick(3 * kMs, 0, 3 * kMs), kIdle);
  vmm_tickle_t t = s.wake(0, 25 * kMs);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 25 * kMs);
  EXPECT_EQ(s.priority(0), -int64_t(30 * kMs)) << "missed boundaries roll forward on the grid";
  EXPECT_EQ(s.pick(25 * kMs), 0);
  EXPECT_EQ(s.last.slice, 4 * kMs) << "full budget";
  EXPECT_EQ(dump_value(s.dump(), "misses"), 0u) << "a blocked vCPU had no work: no miss";
}

TEST(Rtds, DepletedWakeAsksAnIdlePcpuToLookAtItsReplenishment) {
  Instance s(rtds_ops(), {});
  ASSERT_EQ(s.insert(0, rt(10 * kMs, 2 * kMs), true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  s.block(0, 2 * kMs);
  EXPECT_EQ(s.pick(2 * kMs, 0, 2 * kMs), kIdle);  // depleted and blocked
  vmm_tickle_t t = s.wake(0, 3 * kMs);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 10 * kMs) << "not before its budget comes back";
  EXPECT_EQ(s.pick(3 * kMs), kIdle);
  EXPECT_EQ(s.last.slice, 7 * kMs);
  EXPECT_EQ(s.pick(10 * kMs), 0);
}

TEST(Rtds, WakeTicklesAnIdlePcpuElseTheLatestDeadline) {
  Instance s(rtds_ops(), {}, 2);
  ASSERT_EQ(s.insert(0, rt(20 * kMs, 10 * kMs)), 0) << s.error;
  ASSERT_EQ(s.insert(1, rt(30 * kMs, 10 * kMs)), 0) << s.error;
  ASSERT_EQ(s.insert(2, rt(10 * kMs, 2 * kMs)), 0) << s.error;
  ASSERT_EQ(s.insert(3, rt(40 * kMs, 2 * kMs)), 0) << s.error;
  ASSERT_EQ(s.insert(4, rt(10 * kMs, 2 * kMs), false, {0x1}), 0) << s.error;  // pCPU 0 only
  EXPECT_EQ(s.wake(0, 0).cpu, 0);
  EXPECT_EQ(s.wake(1, 0).cpu, 1) << "pCPU 0 is already tickled";
  EXPECT_EQ(s.pick(0, kIdle, 0, 0), 0);
  EXPECT_EQ(s.pick(0, kIdle, 0, 1), 1);
  vmm_tickle_t t = s.wake(3, kMs);
  EXPECT_EQ(t.cpu, kNoCpu) << "deadline 40 ms preempts nobody";
  t = s.wake(2, kMs);
  EXPECT_EQ(t.cpu, 1) << "deadline 10 ms preempts the owner with the latest deadline (30 ms)";
  EXPECT_EQ(t.at, kMs);
  t = s.wake(4, kMs);
  EXPECT_EQ(t.cpu, 0) << "pinned to pCPU 0: preempts deadline 20 ms there";
  EXPECT_EQ(s.pick(kMs, 1, kMs, 1), 2);
  EXPECT_EQ(s.pick(kMs, 0, kMs, 0), 4);
}

TEST(Rtds, GlobalEdfOverTwoPcpusWithAffinity) {
  // Three 4/10 vCPUs on two pCPUs: C waits for the first pCPU that frees up.
  Schedule s = simulate(rtds_ops(), {}, {cpu_bound(), cpu_bound(), cpu_bound()}, kS, {2});
  EXPECT_EQ(
      s.merged(0, 10 * kMs),
      (std::vector<Span>{{0, 0, 4 * kMs}, {2, 4 * kMs, 8 * kMs}, {kIdle, 8 * kMs, 10 * kMs}}));
  EXPECT_EQ(s.merged(1, 10 * kMs),
            (std::vector<Span>{{1, 0, 4 * kMs}, {kIdle, 4 * kMs, 10 * kMs}}));
  for (VcpuId v = 0; v < 3; ++v) EXPECT_EQ(s.cpu_of(v, 0, kS), 400 * kMs) << v;
  // Pinned to pCPU 1, A and B share it; C runs alone on pCPU 0.
  VcpuSpec a = cpu_bound(), b = cpu_bound(), c = cpu_bound();
  a.affinity = b.affinity = {0x2};
  c.affinity = {0x1};
  Schedule p = simulate(rtds_ops(), {}, {a, b, c}, kS, {2});
  for (const auto& span : p.cpus[0]) EXPECT_NE(span.vcpu, 0) << "A is pinned to pCPU 1";
  EXPECT_EQ(
      p.merged(1, 10 * kMs),
      (std::vector<Span>{{0, 0, 4 * kMs}, {1, 4 * kMs, 8 * kMs}, {kIdle, 8 * kMs, 10 * kMs}}));
  EXPECT_EQ(p.cpu_of(2, 0, kS), 400 * kMs);
}

TEST(Rtds, PeriodicJobsWithinTheirBudgetMeetEveryDeadline) {
  // 3 ms every 10 ms (budget 4 ms) and 6 ms every 20 ms (budget 7 ms).
  auto jobs = [](Cycles period, Cycles run, int n) {
    std::vector<Burst> b;
    for (int k = 0; k < n; ++k) b.push_back({k * period, run});
    return b;
  };
  Schedule s = simulate(rtds_ops(), {},
                        {{jobs(10 * kMs, 3 * kMs, 100), rt(10 * kMs, 4 * kMs)},
                         {jobs(20 * kMs, 6 * kMs, 50), rt(20 * kMs, 7 * kMs)}},
                        kS);
  ASSERT_EQ(s.done[0].size(), 100u);
  ASSERT_EQ(s.done[1].size(), 50u);
  for (std::size_t k = 0; k < 100; ++k) EXPECT_LE(s.done[0][k], (k + 1) * 10 * kMs) << k;
  for (std::size_t k = 0; k < 50; ++k) EXPECT_LE(s.done[1][k], (k + 1) * 20 * kMs) << k;
  EXPECT_EQ(dump_value(s.dump, "misses"), 0u) << s.dump;
}

TEST(Rtds, YieldGoesBehindEqualDeadlines) {
  Instance s(rtds_ops(), {});
  ASSERT_EQ(s.insert(0, {}, true), 0) << s.error;
  ASSERT_EQ(s.insert(1, {}, true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.pick(kMs, 0, kMs), 0) << "equal deadlines: the owner keeps the pCPU";
  s.ops.yield(s.self, 0, 2 * kMs);
  EXPECT_EQ(s.pick(2 * kMs, 0, kMs), 1) << "a yielder goes behind its equals";
}

TEST(Rtds, TicksWakeAnIdlePcpuWhenTheVmmDoesNotTimeIdleSlices) {
  // Without idle slices a 1 ms tick is the only way back at 10 ms: the
  // replenished vCPUs start at the first tick at or after it, and since the
  // slices are budgets, the shares hold.
  Schedule s = simulate(rtds_ops(), {}, {cpu_bound(), cpu_bound()}, kS,
                        {1, /*idle_slices=*/false, /*tick=*/kMs});
  EXPECT_EQ(s.cpu_of(0, 0, kS), 400 * kMs);
  EXPECT_EQ(s.cpu_of(1, 0, kS), 400 * kMs);
  Instance t(rtds_ops(), {});
  ASSERT_EQ(t.insert(0, {}, true), 0);
  EXPECT_EQ(t.pick(0), 0);
  EXPECT_EQ(t.pick(4 * kMs, 0, 4 * kMs), kIdle);
  EXPECT_EQ(t.ops.tick(t.self, 0, 9 * kMs), 0) << "nothing to run yet";
  EXPECT_EQ(t.ops.tick(t.self, 0, 10 * kMs), 1) << "replenished: the idle pCPU should pick";
}

TEST(Rtds, InvalidParametersAreRejectedWithAReason) {
  Instance s(rtds_ops(), {});
  EXPECT_NE(s.insert(0, rt(10 * kMs, 11 * kMs)), 0);
  EXPECT_NE(std::string(s.error).find("exceeds period"), std::string::npos) << s.error;
  EXPECT_NE(s.insert(0, {{"extratime", 2}}), 0);
  EXPECT_NE(s.insert(0, {{"budget", 0}}), 0);
  EXPECT_EQ(s.insert(0, rt(10 * kMs, 10 * kMs)), 0) << "a failed insert leaves no trace";
  const vmm_sched_ops_t& ops = rtds_ops();
  EXPECT_EQ(ops.image_bytes, 16u * 1024);
  ASSERT_EQ(ops.vm_param_count, 3u);
  EXPECT_STREQ(ops.vm_params[0].key, "period");
  EXPECT_EQ(ops.vm_params[0].default_value, 10'000);
  EXPECT_EQ(ops.vm_params[0].min, 100);
  EXPECT_EQ(ops.vm_params[0].max, 10'000'000);
  EXPECT_EQ(ops.vm_params[1].default_value, 4'000);
}

}  // namespace
}  // namespace vmmsim::sched
