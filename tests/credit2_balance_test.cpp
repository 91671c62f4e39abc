// credit2's balance_load step by step (schedulers/credit2_balance.h, after
// balance_load, consider and migrate in xen/common/sched/credit2.c): the
// threshold, the best push, pull or swap, and how a moved vCPU reaches its
// new runqueue. At 1 GHz with a tick every millisecond
// (tests/policy_simulator.h). Loads are in vCPUs; T = 2^30 ns = 1.0737 s is
// the averages' window: an average held at a count n moves as
// n + (start - n) e^(-t/T).
#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/policy_simulator.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using namespace policy_sim;

// Not runnable within any test here (it wakes at 100 s): it adds 0.5 to the
// b_avgload of the runqueue it is dealt to, which then decays toward 0.
Vm absent(std::vector<unsigned> affinity = {}) { return {hog(100 * kS), {}, std::move(affinity)}; }

// When v first ran on a pCPU of runqueue `rq` (runqueues of `per` pCPUs).
Cycles first_run_in(const VcpuResult& v, int rq, int per) {
  for (std::size_t i = 0; i < v.runs.size(); ++i)
    if (v.cpus[i] / per == rq) return v.runs[i].first;
  return kForever;
}

// A runqueue's field in the dump ("rq1 load=2 max_weight=256 queued=0 ...").
long dumped(const std::string& dump, int rq, const std::string& field) {
  const std::size_t at = dump.find("rq" + std::to_string(rq) + " ");
  if (at == std::string::npos) return -1;
  return std::stol(dump.substr(dump.find(field + "=", at) + field.size() + 1));
}

TEST(Credit2Balance, AmongEqualMovesTheFirstFoundWins) {
  // 2 pCPUs, runqueues of 1: hogs 0 and 2 are dealt to runqueue 0, vCPU 1 to
  // runqueue 1. Runqueue 0 runs 0 (0-1 ms, the ratelimit), 2 (1-11), 0
  // (11-20) and resets at 20 ms: its load 1.019 (two halves, two runnable)
  // is above its pCPU, so an eighth of a vCPU is enough; runqueue 1's is
  // 0.491. Hogs 0 and 2 have one history (new at 0, runnable since), so one
  // average, 0.509: pushing either, or swapping either with vCPU 1, leaves
  // 0.509 against 1.0. consider() keeps only a strictly closer pair: the
  // first found, hog 0. This decision's own vCPU, it moves at once; its
  // wake on runqueue 1 asks pCPU 1 at the next tick, 21 ms.
  Options opt;
  opt.cpus = 2;
  auto r =
      simulate(credit2_ops(), {{"runqueue_cpus", 1}}, {{hog()}, absent(), {hog()}}, 100 * kMs, opt);
  EXPECT_EQ(first_run_in(r.vcpus[0], 1, 1), 21 * kMs);
  EXPECT_EQ(first_run_in(r.vcpus[2], 1, 1), kForever);
  EXPECT_EQ(r.vcpus[2].cpu_in(20 * kMs, 100 * kMs), 80 * kMs) << "alone on pCPU 0";
}

TEST(Credit2Balance, TheThresholdReadsTheLastRunqueueNotTheFurthest) {
  // 3 pCPUs, runqueues of 1. Runqueue 0: hog 0, which starts at 5 ms, and
  // vCPU 1; runqueue 1: nobody; runqueue 2: hog 2 and vCPU 3. vCPUs 1, 2 and
  // 3 are pinned, so never candidates. Runqueue 0 resets at 15 ms (hog 0 ran
  // its 10 ms of credit): its load started at 1 (two halves), fell for 5 ms
  // with nobody runnable and rises back toward 1: 0.995. Runqueue 1's is 0,
  // runqueue 2's stays at exactly 1 (two halves, one runnable). The furthest
  // is runqueue 1, 0.995 away: less than a whole vCPU. Xen takes the loads
  // for the threshold from the runqueue its list loop ended on, runqueue 2:
  // max(0.995, 1) is not below 1 pCPU, an eighth is enough, and pushing
  // hog 0 (0.502) leaves 0.49 against 0.50. Read from runqueue 1 instead,
  // max(0.995, 0) would be below: a whole vCPU needed, hog 0 left alone.
  // Hog 0, this decision's vCPU, runs on pCPU 1 from the next tick, 16 ms.
  Options opt;
  opt.cpus = 3;
  std::vector<Vm> vms = {{hog(5 * kMs)}, absent({0}), {hog(), {}, {2}}, absent({2})};
  auto r = simulate(credit2_ops(), {{"runqueue_cpus", 1}}, vms, 100 * kMs, opt);
  EXPECT_EQ(r.vcpus[0].cpu_in(0, 16 * kMs), 10 * kMs);
  EXPECT_EQ(first_run_in(r.vcpus[0], 1, 1), 16 * kMs);
  EXPECT_EQ(r.vcpus[0].cpu_in(16 * kMs, 100 * kMs), 84 * kMs) << "alone on pCPU 1";
}

TEST(Credit2Balance, AnEighthIsEnoughAboveThePcpusAWholeVcpuBelow) {
  // Hogs 0 and 2 are dealt to runqueue 0, vCPUs 1 and 3 to runqueue 1:
  // loads 2 - e^(-t/T) and e^(-t/T), 2 (1 - e^(-t/T)) apart. A hog moves at
  // runqueue 0's first reset after that distance reaches the threshold, to
  // run on runqueue 1 from the next tick (it is this decision's vCPU, or
  // another ending its slice at the same instant).
  // - Runqueues of 1 pCPU: runqueue 0 is above its pCPU from the start, an
  //   eighth is enough: from T ln(16/15) = 69.3 ms. The hogs share pCPU 0
  //   and runqueue 0 resets every 20 ms (as above): at 80 ms, and 81 ms.
  // - Runqueues of 2 pCPUs: runqueue 0 stays below its 2, a whole vCPU is
  //   needed: from T ln 2 = 744.3 ms. Each hog has a pCPU and runs out of
  //   credit every 10 ms: the reset of 750 ms, and 751 ms.
  std::vector<Vm> vms = {{hog()}, absent(), {hog()}, absent()};
  for (unsigned per : {1u, 2u}) {
    Options opt;
    opt.cpus = 2 * per;
    auto r = simulate(credit2_ops(), {{"runqueue_cpus", per}}, vms, kS, opt);
    const Cycles moved = std::min(first_run_in(r.vcpus[0], 1, static_cast<int>(per)),
                                  first_run_in(r.vcpus[2], 1, static_cast<int>(per)));
    EXPECT_EQ(moved, per == 1 ? 81 * kMs : 751 * kMs) << per << " pCPUs per runqueue";
  }
}

TEST(Credit2Balance, ALessLoadedRunqueuePullsFromTheFurthest) {
  // 2 pCPUs, runqueues of 1. Runqueue 0: hog 0; runqueue 1: hog 1, and
  // vCPU 2 and hog 3 pinned there. Runqueue 0 resets first, at 10 ms (hog 0
  // ran its 10 ms of credit): its load 0.505 against runqueue 1's 1.505
  // (three halves, two runnable), above its pCPU. Pushing hog 0 would widen
  // the gap, swapping it with hog 1 (the same average) would keep it:
  // pulling hog 1 (0.505) closes it, 1.009 against 1.0. Hog 1 ran 0-1 ms
  // and waits in runqueue 1's queue: it moves at once with 9 ms of credit.
  // Hog 0's new slice ends when its credit (10) falls to hog 1's, at 11 ms;
  // tied there, it keeps pCPU 0 for min_timer, and hog 1 runs at 11.5 ms.
  // Without the pull it would wait for runqueue 1's reset (20 ms) to push it.
  Options opt;
  opt.cpus = 2;
  std::vector<Vm> vms = {{hog()}, {hog()}, absent({1}), {hog(), {}, {1}}};
  auto r = simulate(credit2_ops(), {{"runqueue_cpus", 1}}, vms, 50 * kMs, opt);
  EXPECT_EQ(r.vcpus[1].runs.front(), Span(0, kMs));
  EXPECT_EQ(first_run_in(r.vcpus[1], 0, 1), 11'500 * kUs);
  EXPECT_EQ(r.vcpus[0].cpu_in(0, 11'500 * kUs), 11'500 * kUs);
}

// 4 pCPUs, runqueues of 2. Runqueue 0: hog 0 (weight 128, pinned to pCPU 0)
// and hog 2 (256); runqueue 1: vCPUs 1 and 3. At max_weight 256 hog 0 burns
// 2 credits a cycle: runqueue 0 resets every 5 ms, from pCPU 0. Hog 2, alone
// on pCPU 1, never runs out (each reset tops it up to the 10.5 ms cap): it
// runs slices of max_timer, 10 ms. Loads as in the test above with 2 pCPUs:
// a whole vCPU apart from 744.3 ms; the reset of 745 ms swaps hog 2 (hog 0
// may not leave pCPU 0) with vCPU 1.
Outcome pinned_and_free() {
  Options opt;
  opt.cpus = 4;
  std::vector<Vm> vms = {
      {hog(), {{"weight", 128}}, {0}}, absent(), {hog(), {{"weight", 256}}}, absent()};
  return simulate(credit2_ops(), {{"runqueue_cpus", 2}}, vms, 800 * kMs, opt);
}

TEST(Credit2Balance, ARunningVcpuElsewhereLeavesAtATickAndArrivesAtTheNext) {
  // At 745 ms hog 2 is running on pCPU 1 (its slice 740-750). balance_load,
  // in pCPU 0's decision, can only ask pCPU 1, at the next tick: 746 ms.
  // pCPU 1 then deschedules hog 2, which moves to runqueue 1 and wakes
  // there, a tickle made in a decision again: pCPU 2 at the next tick, 747.
  auto r = pinned_and_free();
  const VcpuResult& moved = r.vcpus[2];
  std::size_t first = 0;
  while (first < moved.runs.size() && moved.cpus[first] < 2) ++first;
  ASSERT_GT(first, 0u);
  ASSERT_LT(first, moved.runs.size());
  EXPECT_EQ(moved.runs[first - 1], Span(740 * kMs, 746 * kMs));
  EXPECT_EQ(moved.cpus[first - 1], 1);
  EXPECT_EQ(moved.runs[first].first, 747 * kMs);
  EXPECT_EQ(moved.cpus[first], 2);
  EXPECT_EQ(r.vcpus[0].cpu_in(0, 800 * kMs), 800 * kMs) << "hog 0 kept pCPU 0";
}

TEST(Credit2Balance, AVcpuMovedAtItsDescheduleGetsThePcpuAfterTwoPicks) {
  // Xen completes the move of a vCPU at its deschedule in two steps, each
  // handing out the target's next pCPU after its pick_bias: csched2_res_pick
  // (sched_unit_migrate_finish), then migrate(). Runqueue 1's pick_bias was
  // 2 at the start, 3 when vCPU 1 was dealt there, 2 for vCPU 3; hog 2's
  // move at 746 ms (test above) takes 3, then 2: its pCPU is 2. At 747 ms
  // pCPUs 2 and 3 are both asked (the tickle, and an idle pCPU with work)
  // and pCPU 2, the first, runs it: its own, no MIGRATE_COMPENSATION. Its
  // slice is its credit, 10.5 at the reset of 745 ms less the 1 ms it ran
  // since, 9.5 ms: to 756.5. After one pick its pCPU would be 3, and the
  // 50 us of compensation would last it to 756.55 ms.
  auto r = pinned_and_free();
  const VcpuResult& moved = r.vcpus[2];
  std::size_t first = 0;
  while (first < moved.runs.size() && moved.cpus[first] < 2) ++first;
  ASSERT_LT(first, moved.runs.size());
  EXPECT_EQ(moved.runs[first], Span(747 * kMs, 756'500 * kUs));
  EXPECT_EQ(moved.cpus[first], 2);
}

TEST(Credit2Balance, AMovedVcpusWakePreemptsInItsNewRunqueueAtTheNextTick) {
  // 2 pCPUs, runqueues of 1. Runqueue 0: hogs 0 and 2; runqueue 1: vCPU 1,
  // pinned there, which runs 5 ms and waits 5 ms from 18 ms. Runqueue 0
  // runs 0 (0-1 ms), 2 (1-11), 0 (11-20) and resets at 20 ms (runqueue 1
  // is at 0.49): a hog is pushed, with 10 ms of credit, and wakes on
  // runqueue 1, whose pCPU runs vCPU 1 (8 ms of credit left, 2 ms into its
  // run). That tickle, made in pCPU 0's decision, asks pCPU 1 at the next
  // tick, 21 ms, where the hog preempts vCPU 1 (no resist: pCPU 1 is its
  // own now). Without it, the hog would wait for vCPU 1 to block, at 23 ms.
  // - Both hogs from 0: hog 0 moves, this decision's vCPU (the first test).
  // - Hog 2 from 0.5 ms (it asks pCPU 0 for 1 ms, the end of hog 0's
  //   ratelimit: the same schedule): 0.5 ms less runnable, its average is
  //   lower (0.5089 against 0.5093) and brings the loads closer: hog 2
  //   moves, from runqueue 0's queue.
  for (const Cycles late_us : {0, 500}) {
    Options opt;
    opt.cpus = 2;
    std::vector<Vm> vms = {
        {hog()}, {io_loop(5 * kMs, 5 * kMs, 1000, 18 * kMs), {}, {1}}, {hog(late_us * kUs)}};
    auto r = simulate(credit2_ops(), {{"runqueue_cpus", 1}}, vms, 40 * kMs, opt);
    const int moved = late_us == 0 ? 0 : 2;
    EXPECT_EQ(r.vcpus[1].runs.front(), Span(18 * kMs, 21 * kMs)) << late_us;
    EXPECT_EQ(first_run_in(r.vcpus[moved], 1, 1), 21 * kMs) << late_us;
    EXPECT_EQ(first_run_in(r.vcpus[2 - moved], 1, 1), kForever) << late_us;
  }
}

TEST(Credit2Balance, DumpedLoadCountsEachRunqueuesRunnableVcpus) {
  // 3 pCPUs, runqueues of 1: hogs, I/O loops that block and wake, vCPU 5
  // and a hog that starts at 200 ms. balance_load moves vCPUs every way in
  // the first second: queued, blocked, this decision's, running elsewhere
  // (asked, then moved at a deschedule, some of them blocked by then). At
  // instants between events (every 7 ms, 777 cycles past a millisecond),
  // each runqueue's load is its running vCPUs (a run closed there) plus its
  // queued ones.
  std::vector<Vm> vms = {{hog()},
                         {io_loop(370 * kUs, 3 * kMs, 100000)},
                         {hog()},
                         {io_loop(185 * kUs, 6 * kMs, 100000)},
                         {io_loop(3 * kMs, kMs, 100000)},
                         absent(),
                         {hog(200 * kMs)}};
  Options opt;
  opt.cpus = 3;
  std::set<int> moved;
  for (Cycles until = kMs + 777; until < kS; until += 7 * kMs) {
    auto r = simulate(credit2_ops(), {{"runqueue_cpus", 1}}, vms, until, opt);
    int running[3] = {0, 0, 0};
    for (std::size_t v = 0; v < r.vcpus.size(); ++v) {
      const VcpuResult& x = r.vcpus[v];
      if (!x.runs.empty() && x.runs.back().second == until) ++running[x.cpus.back()];
      if (std::set<int>(x.cpus.begin(), x.cpus.end()).size() > 1) moved.insert(static_cast<int>(v));
    }
    for (int rq : {0, 1, 2})
      EXPECT_EQ(dumped(r.dump, rq, "load"), running[rq] + dumped(r.dump, rq, "queued"))
          << "at " << until << ": " << r.dump;
  }
  EXPECT_GE(moved.size(), 3u) << "vCPUs that ran in two runqueues or more";
}

}  // namespace
}  // namespace vmmsim::sched
