// eevdf (Linux) driven through its C ops table as the VMM drives it
// (tests/policy_simulator.h). Expected schedules are computed by hand in the
// comments.
#include "tests/policy_simulator.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using namespace policy_sim;

// ======================================================================= eevdf

// Defaults: slice 3 ms, run_to_parity 1, nice 0 (weight 1024: virtual time =
// CPU time).
TEST(Eevdf, EqualVcpusTakeTurnsOfAFullRequest) {
  // Both placed at V = 0 with a first request of half a slice: deadlines 1.5.
  //   0    A (tie, first queued), 1.5 ms.  1.5  A: v 1.5, d 4.5; V 0.75: B (d 1.5).
  //   3    B: v 1.5, d 4.5; V 1.5: both eligible, A queued first: 3 ms.
  //   6    A: v 4.5, d 7.5; V 3: B (v 1.5, d 4.5) for 3 ms.  9  A again ...
  auto r = simulate(eevdf_ops(), {}, {{hog()}, {hog()}}, 15 * kMs);
  EXPECT_EQ(r.vcpus[0].runs,
            (std::vector<Span>{{0, 1'500 * kUs}, {3 * kMs, 6 * kMs}, {9 * kMs, 12 * kMs}}));
  EXPECT_EQ(r.vcpus[1].runs,
            (std::vector<Span>{{1'500 * kUs, 3 * kMs}, {6 * kMs, 9 * kMs}, {12 * kMs, 15 * kMs}}));
}

TEST(Eevdf, NiceSharesFollowTheLinuxWeightTable) {
  // nice 0 : nice 5 = 1024 : 335.
  auto r = simulate(eevdf_ops(), {}, {{hog(), {{"nice", 0}}}, {hog(), {{"nice", 5}}}}, 3 * kS);
  double got = ratio(r.vcpus[0], r.vcpus[1], 0, 3 * kS);
  RecordProperty("share_ratio", std::to_string(got));
  EXPECT_NEAR(got, 1024.0 / 335.0, 1024.0 / 335.0 * 0.02);
  EXPECT_EQ(r.vcpus[0].cpu_in(0, 3 * kS) + r.vcpus[1].cpu_in(0, 3 * kS), 3 * kS);
  // Other steps of the table: nice -5 : 5 = 3121 : 335, nice 0 : 1 = 1024 : 820.
  auto wide = simulate(eevdf_ops(), {}, {{hog(), {{"nice", -5}}}, {hog(), {{"nice", 5}}}}, 3 * kS);
  EXPECT_NEAR(ratio(wide.vcpus[0], wide.vcpus[1], 0, 3 * kS), 3121.0 / 335.0,
              3121.0 / 335.0 * 0.02);
  auto step = simulate(eevdf_ops(), {}, {{hog(), {{"nice", 0}}}, {hog(), {{"nice", 1}}}}, 3 * kS);
  EXPECT_NEAR(ratio(step.vcpus[0], step.vcpus[1], 0, 3 * kS), 1024.0 / 820.0,
              1024.0 / 820.0 * 0.02);
}

TEST(Eevdf, WakerWithPositiveLagIsEligibleAtOnceAndPreempts) {
  // A hog; B runs 0.1 ms at 0, sleeps, then needs 5 ms from 2.6 ms.
  //   0    A (d 1.5).  1.5  B (v 0, d 1.5) runs 0.1 ms and blocks at 1.6:
  //        v_A 1.5, v_B 0.1, V 0.8: B leaves with lag 0.7.
  //   1.6  A alone, request d 4.5: slice to 4.6.
  //   2.6  B wakes: v_A 2.5 = V; lag inflated x (1024 + 1024) / 1024 = 1.4:
  //        v_B 1.1, d_B 4.1 < d_A 4.5; V' 1.8 -> B eligible (lag 0.7 kept),
  //        A not (so not protected): B runs at once, for (4.1 - 1.1) = 3 ms.
  auto r =
      simulate(eevdf_ops(), {}, {{hog()}, {{{0, 100 * kUs}, {2'600 * kUs, 5 * kMs}}}}, 20 * kMs);
  const Wake* wake = nullptr;
  for (const Wake& w : r.wakes)
    if (w.vcpu == 1 && w.at == 2'600 * kUs) wake = &w;
  ASSERT_NE(wake, nullptr);
  EXPECT_EQ(wake->priority, -static_cast<std::int64_t>(4'100 * kUs)) << "deadline 4.1 ms";
  EXPECT_EQ(wake->owner, 0);
  EXPECT_EQ(wake->owner_priority, -static_cast<std::int64_t>(4'500 * kUs));
  EXPECT_EQ(wake->owner_slice_end, 4'600 * kUs);
  EXPECT_EQ(wake->dispatched, 2'600 * kUs) << "dispatched on its wake, before A's slice end";
  EXPECT_EQ(r.vcpus[1].runs.at(1), (Span{2'600 * kUs, 5'600 * kUs}));
}

TEST(Eevdf, WakerWithTheEarlierDeadlineRunsAtOnceOrAtTheOwnersSliceEnd) {
  // A hog and an I/O vCPU (0.3 ms of work, 1.7 ms of I/O), 2 s. A waker with
  // an earlier deadline than the owner's has positive lag, which pulls V below
  // the lone owner: the owner is no longer eligible, so it is preempted at once.
  // Every other wake is served by the end of the owner's slice.
  auto r = simulate(eevdf_ops(), {}, {{hog()}, {io_loop(300 * kUs, 1'700 * kUs, 100000)}}, 2 * kS);
  int earlier = 0;
  for (const Wake& w : r.wakes) {
    if (w.vcpu != 1 || w.owner != 0) continue;
    EXPECT_LE(w.dispatched, w.owner_slice_end) << "wake at " << w.at;
    if (w.priority > w.owner_priority) {
      ++earlier;
      EXPECT_EQ(w.dispatched, w.at) << "wake at " << w.at;
    }
  }
  RecordProperty("earlier_deadline_wakes", std::to_string(earlier));
  EXPECT_GT(earlier, 200);
}

TEST(Eevdf, RunToParityProtectsAnEligibleOwnerUntilItsDeadline) {
  // pCPU 0: an I/O vCPU of 1 ms per 3 ms of I/O and one of 0.2 ms per 1.3 ms;
  // pCPU 1: a hog (pinned), which counts in V. An owner that woke with lag
  // may still be eligible when the other wakes with an earlier deadline:
  // run_to_parity = 0, the waker runs at once; run_to_parity = 1, the owner
  // keeps the pCPU while eligible, at most until its request ends.
  Options two;
  two.cpus = 2;
  int waited_with_parity = 0;
  for (std::int64_t parity : {0, 1}) {
    auto r = simulate(eevdf_ops(), {{"run_to_parity", parity}},
                      {{hog(), {}, {1}},
                       {io_loop(kMs, 3 * kMs, 100000), {}, {0}},
                       {io_loop(200 * kUs, 1'300 * kUs, 100000), {}, {0}}},
                      2 * kS, two);
    int earlier = 0;
    for (const Wake& w : r.wakes) {
      if (w.vcpu == 0 || w.owner == kIdle || w.priority <= w.owner_priority) continue;
      ASSERT_EQ(w.waiting, 0);
      ++earlier;
      if (parity == 0) {
        EXPECT_EQ(w.dispatched, w.at) << "wake of " << w.vcpu << " at " << w.at;
      } else {
        EXPECT_LE(w.dispatched, w.owner_slice_end) << "wake of " << w.vcpu << " at " << w.at;
        waited_with_parity += w.dispatched > w.at;
      }
    }
    RecordProperty("parity" + std::to_string(parity) + "_earlier_deadline_wakes",
                   std::to_string(earlier));
    EXPECT_GT(earlier, 100);
  }
  RecordProperty("waited_for_a_protected_owner", std::to_string(waited_with_parity));
  EXPECT_GT(waited_with_parity, 0);
}

TEST(Eevdf, FourEqualVcpusShareTwoPcpusEqually) {
  Options two;
  two.cpus = 2;
  auto r = simulate(eevdf_ops(), {}, {{hog()}, {hog()}, {hog()}, {hog()}}, 3 * kS, two);
  Cycles total = 0;
  for (const VcpuResult& v : r.vcpus) {
    double share = static_cast<double>(v.cpu_in(0, 3 * kS)) / (6.0 * kS);
    EXPECT_NEAR(share, 0.25, 0.25 * 0.02);
    total += v.cpu_in(0, 3 * kS);
  }
  EXPECT_EQ(total, 6 * kS) << "work conserving";
}

TEST(Eevdf, ManyVcpusOfMixedNiceGetWeightProportionalShares) {
  // 48 hogs, nice 0..5 in turn, 5 s on one pCPU: exercises the tree.
  constexpr std::int64_t kWeight[] = {1024, 820, 655, 526, 423, 335};
  std::vector<Vm> vms;
  double total_weight = 0;
  for (int i = 0; i < 48; ++i) {
    vms.push_back({hog(), {{"nice", i % 6}}});
    total_weight += static_cast<double>(kWeight[i % 6]);
  }
  auto r = simulate(eevdf_ops(), {}, vms, 5 * kS);
  for (int i = 0; i < 48; ++i) {
    double expected = 5.0 * kS * static_cast<double>(kWeight[i % 6]) / total_weight;
    EXPECT_NEAR(static_cast<double>(r.vcpus[i].cpu_in(0, 5 * kS)), expected, expected * 0.03)
        << "vCPU " << i;
  }
}

TEST(Eevdf, LongSleeperWakesWithClampedLagNotABankedShare) {
  // Two hogs; C runs 1 ms, sleeps to 2 s, then is a hog: its lag was clamped
  // at 2 slices when it left, so it gets its third, not the pCPU.
  auto r =
      simulate(eevdf_ops(), {}, {{hog()}, {hog()}, {{{0, kMs}, {2 * kS, 1000 * kS}}}}, 2'600 * kMs);
  double share = static_cast<double>(r.vcpus[2].cpu_in(2 * kS, 2'600 * kMs)) / (600.0 * kMs);
  RecordProperty("sleeper_share", std::to_string(share));
  EXPECT_NEAR(share, 1.0 / 3, 0.02);
}

TEST(Eevdf, AffinityPinsAVcpuAndTheOthersFillIn) {
  Options two;
  two.cpus = 2;
  auto r = simulate(eevdf_ops(), {}, {{hog(), {}, {1}}, {hog()}, {hog()}}, 3 * kS, two);
  for (int c : r.vcpus[0].cpus) EXPECT_EQ(c, 1);
  Cycles total = 0;
  for (const VcpuResult& v : r.vcpus) total += v.cpu_in(0, 3 * kS);
  EXPECT_EQ(total, 6 * kS) << "no pCPU idles while a vCPU waits";
  EXPECT_NEAR(static_cast<double>(r.vcpus[0].cpu_in(0, 3 * kS)) / kS, 2.0, 2.0 * 0.05);
}

TEST(Eevdf, YieldGivesUpTheRestOfTheRequest) {
  Instance s(eevdf_ops(), {});
  ASSERT_EQ(s.insert(0, {}, true), 0) << s.error;
  ASSERT_EQ(s.insert(1, {}, true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.priority(0), -static_cast<std::int64_t>(1'500 * kUs));
  s.ops.yield(s.self, 0, 500 * kUs);
  EXPECT_EQ(s.priority(0), -static_cast<std::int64_t>(4'500 * kUs)) << "deadline pushed by a slice";
  EXPECT_EQ(s.pick(500 * kUs, 0, 500 * kUs), 1);
}

TEST(Eevdf, RejectsOutOfRangeNice) {
  Instance s(eevdf_ops(), {});
  ASSERT_NE(s.self, nullptr) << s.error;
  EXPECT_NE(s.insert(0, {{"nice", 20}}), 0);
  EXPECT_STREQ(s.error, "eevdf: VM 0: nice 20 is out of range -20..19");
  EXPECT_EQ(s.insert(1, {{"nice", -20}}), 0) << s.error;
}

}  // namespace
}  // namespace vmmsim::sched
