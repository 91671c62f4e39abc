// credit2 with several runqueues, as Xen splits a socket of more than
// sched_credit2_max_cpus_runqueue pCPUs (schedulers/credit2_runqueue.h,
// schedulers/credit2_balance.h), driven through its C ops table
// (tests/policy_simulator.h) at 1 GHz with a tick every millisecond.
#include <set>

#include "schedulers/credit2_runqueue.h"
#include "tests/policy_simulator.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using namespace policy_sim;
using credit2::RunqueueLayout;

// The pCPUs a vCPU ran on, as a set of runqueues of `per` pCPUs.
std::set<int> runqueues_of(const VcpuResult& v, int per, Cycles from = 0, Cycles to = kForever) {
  std::set<int> rqs;
  for (std::size_t i = 0; i < v.runs.size(); ++i)
    if (v.runs[i].first >= from && v.runs[i].first < to) rqs.insert(v.cpus[i] / per);
  return rqs;
}

// `count` I/O vCPUs: vCPU v runs run0 + v x step, then waits 1 + (v mod
// gaps) ms, `bursts` times; weights 128, 256 and 512 in turn.
std::vector<Vm> io_vcpus(int count, Cycles run0, Cycles step, int gaps, int bursts) {
  std::vector<Vm> vms;
  for (int v = 0; v < count; ++v)
    vms.push_back(
        {io_loop(run0 + step * v, (1 + v % gaps) * kMs, bursts), {{"weight", 128 << (v % 3)}}});
  return vms;
}

TEST(Credit2Runqueues, LayoutFollowsXensCpuAddToRunqueue) {
  // cpu_add_to_runqueue, 16 pCPUs at most: R = ceil(N / 16) runqueues are
  // needed, each takes floor(N / R) pCPUs in order, and the rest make one more.
  struct Case {
    unsigned cpus, per, count;
  };
  for (const Case c : {Case{1, 1, 1}, Case{16, 16, 1}, Case{17, 8, 3}, Case{33, 11, 3},
                       Case{50, 12, 5}, Case{64, 16, 4}, Case{100, 14, 8}, Case{256, 16, 16},
                       Case{1000, 15, 67}, Case{4095, 15, 273}, Case{4096, 16, 256}}) {
    const RunqueueLayout l = RunqueueLayout::of(c.cpus, 16);
    EXPECT_EQ(l.per_runqueue, c.per) << c.cpus << " pCPUs";
    EXPECT_EQ(l.count, c.count) << c.cpus << " pCPUs";
    EXPECT_EQ(l.first_cpu(l.count - 1) + l.cpus_of(l.count - 1, c.cpus), c.cpus)
        << c.cpus << " pCPUs";
  }
  EXPECT_EQ(RunqueueLayout::of(4, 1).count, 4u);
  EXPECT_EQ(RunqueueLayout::of(4, 4096).count, 1u);
}

TEST(Credit2Runqueues, LoadAverageRoundsAsXen) {
  using credit2::load_step;
  const credit2::Load one = credit2::Load{1} << credit2::kLoadPrecision;
  // Half a window (2^19 units of 1,024 ns) of one runnable vCPU from 0: half of it.
  EXPECT_EQ(load_step(0, one, 0, 1 << 19), one / 2);
  // From 0.5, a quarter window toward 0: 0.5 - 0.5/4, each term rounded down.
  EXPECT_EQ(load_step(one / 2, 0, 100, 100 + (1 << 18)), one / 2 - one / 8);
  // 3 units toward 1 from 0: (3 * 2^18) >> 20 = 0 (rounded down).
  EXPECT_EQ(load_step(0, one, 7, 10), 0);
  // Time going backwards counts as none.
  EXPECT_EQ(load_step(one / 3, one, 10, 7), one / 3);
  // More than a window since the last update forgets the history.
  EXPECT_EQ(load_step(one / 3, 2 * one, 0, (1 << 20) + 1), 2 * one);
  EXPECT_EQ(load_step(one / 3, 2 * one, 0, 1 << 20), one / 3 + (2 * one) - one / 3);
}

TEST(Credit2Runqueues, NewVcpusAreDealtRoundRobinByLoad) {
  // 4 pCPUs in runqueues of 2. Each new vCPU goes to the runqueue of least
  // b_avgload, ties to the first; assigning adds its average (0.5) there:
  // vCPUs 0 and 2 to runqueue 0, 1 and 3 to runqueue 1. With equal loads
  // nothing is moved, and each runs on its runqueue's pCPUs only.
  Options opt;
  opt.cpus = 4;
  auto r = simulate(credit2_ops(), {{"runqueue_cpus", 2}}, {{hog()}, {hog()}, {hog()}, {hog()}}, kS,
                    opt);
  EXPECT_EQ(runqueues_of(r.vcpus[0], 2), std::set<int>{0});
  EXPECT_EQ(runqueues_of(r.vcpus[1], 2), std::set<int>{1});
  EXPECT_EQ(runqueues_of(r.vcpus[2], 2), std::set<int>{0});
  EXPECT_EQ(runqueues_of(r.vcpus[3], 2), std::set<int>{1});
  for (int v = 0; v < 4; ++v) EXPECT_EQ(r.vcpus[v].cpu_in(0, kS), kS) << "vCPU " << v;
  EXPECT_TRUE(contains(r.dump, "rq0 load=2 ")) << r.dump;
  EXPECT_TRUE(contains(r.dump, " | rq1 load=2 ")) << r.dump;
}

TEST(Credit2Runqueues, APinnedVcpuGoesToTheRunqueueOfItsPcpus) {
  // vCPU 0 may run on pCPU 3 only: runqueue 1, although runqueue 0 is as
  // loaded (empty); vCPU 1 then finds runqueue 0 less loaded.
  Options opt;
  opt.cpus = 4;
  auto r =
      simulate(credit2_ops(), {{"runqueue_cpus", 2}}, {{hog(), {}, {3}}, {hog()}}, 100 * kMs, opt);
  EXPECT_EQ(runqueues_of(r.vcpus[0], 2), std::set<int>{1});
  EXPECT_EQ(runqueues_of(r.vcpus[1], 2), std::set<int>{0});
}

TEST(Credit2Runqueues, AnIdleRunqueueWaitsForBalanceLoad) {
  // 4 pCPUs in runqueues of 2; hogs 0, 2 and 4 are dealt to runqueue 0,
  // vCPUs 1, 3 and 5 (not runnable for 100 s) to runqueue 1. As in Xen, an
  // idle pCPU never takes work from another runqueue: the three hogs share
  // pCPUs 0 and 1 while 2 and 3 idle. Only balance_load, after a reset of
  // runqueue 0, moves a vCPU, once the load averages differ by a whole vCPU,
  // or by an eighth once runqueue 0's is above its 2 pCPUs. Assigned loads
  // start at 1.5 each (three vCPUs of 0.5) and move toward 3 and 0 over a
  // window of 2^30 ns: here both thresholds are crossed at once, when
  // e^(-t / 1.0737 s) = 2/3, at t = 435.3 ms (runqueue 0 at 2, runqueue 1
  // at 1). The first reset of runqueue 0 after that is at 448 ms; it moves
  // the hog just set aside there (vCPU 2), whose wake on runqueue 1 asks
  // idle pCPU 2 at the next tick (a decision's tickles wait for the tick:
  // docs/policies/credit2.md, deviation 2). Then each hog has a pCPU of its
  // own.
  Options opt;
  opt.cpus = 4;
  std::vector<Vm> vms = {{hog()},         {hog(100 * kS)}, {hog()},
                         {hog(100 * kS)}, {hog()},         {hog(100 * kS)}};
  auto r = simulate(credit2_ops(), {{"runqueue_cpus", 2}}, vms, 2 * kS, opt);
  for (int v : {0, 2, 4})
    EXPECT_EQ(runqueues_of(r.vcpus[v], 2, 0, 448 * kMs), std::set<int>{0}) << v;
  EXPECT_EQ(runqueues_of(r.vcpus[0], 2), std::set<int>{0});
  EXPECT_EQ(runqueues_of(r.vcpus[4], 2), std::set<int>{0});
  EXPECT_EQ(runqueues_of(r.vcpus[2], 2, 448 * kMs), std::set<int>{1});
  const VcpuResult& moved = r.vcpus[2];
  std::size_t first = 0;
  while (first < moved.cpus.size() && moved.cpus[first] < 2) ++first;
  ASSERT_LT(first, moved.cpus.size()) << "vCPU 2 never ran on runqueue 1";
  EXPECT_EQ(moved.runs[first].first, 449 * kMs);
  // Before: three hogs on two pCPUs; after: one each.
  const Cycles before = r.vcpus[0].cpu_in(0, 448 * kMs) + r.vcpus[2].cpu_in(0, 448 * kMs) +
                        r.vcpus[4].cpu_in(0, 448 * kMs);
  EXPECT_EQ(before, 2 * 448 * kMs);
  for (int v : {0, 2, 4}) EXPECT_EQ(r.vcpus[v].cpu_in(kS, 2 * kS), kS) << v;
}

TEST(Credit2Runqueues, UpToTheLimitOneRunqueueAsBefore) {
  // 4 pCPUs and runqueues of up to 4 or 16 pCPUs: one runqueue, the same
  // schedule to the cycle; runqueues of 2 make another.
  Options opt;
  opt.cpus = 4;
  const std::vector<Vm> vms = io_vcpus(6, 300 * kUs, 100 * kUs, 6, 1000);
  auto runs = [&](std::int64_t most) {
    auto r = simulate(credit2_ops(), {{"runqueue_cpus", most}}, vms, kS, opt);
    std::vector<std::vector<Span>> all;
    for (const VcpuResult& v : r.vcpus) all.push_back(v.runs);
    return all;
  };
  const auto sixteen = runs(16);
  EXPECT_EQ(runs(4), sixteen);
  EXPECT_NE(runs(2), sixteen);
}

TEST(Credit2Runqueues, OneRunqueueKeepsTheSchedulesOfBeforeRunqueues) {
  // Weights 128, 256 and 512, I/O vCPUs of ten lengths, a hog and a vCPU
  // pinned to pCPUs 1-2, on 4 pCPUs for 2 s: every run (vCPU, start, end,
  // pCPU) hashed (FNV-1a, 64 bits). The digest, the run count and the dump
  // are those of the code before runqueues were modelled (175f53f).
  Options opt;
  opt.cpus = 4;
  std::vector<Vm> vms = io_vcpus(10, 200 * kUs, 150 * kUs, 4, 4000);
  vms.push_back({hog(), {{"weight", 256}}});
  vms.push_back({hog(50 * kMs), {{"weight", 512}}, {1, 2}});
  auto r = simulate(credit2_ops(), {}, vms, 2 * kS, opt);
  std::uint64_t digest = 1469598103934665603ull;
  auto mix = [&](std::uint64_t x) {
    for (int i = 0; i < 8; ++i) digest = (digest ^ ((x >> (8 * i)) & 0xff)) * 1099511628211ull;
  };
  std::size_t runs = 0;
  for (std::size_t v = 0; v < r.vcpus.size(); ++v)
    for (std::size_t i = 0; i < r.vcpus[v].runs.size(); ++i, ++runs) {
      mix(v);
      mix(r.vcpus[v].runs[i].first);
      mix(r.vcpus[v].runs[i].second);
      mix(static_cast<std::uint64_t>(r.vcpus[v].cpus[i]));
    }
  EXPECT_EQ(runs, 11079u);
  EXPECT_EQ(digest, 0xe85715b27ccf363eull);
  EXPECT_EQ(r.dump, "max_weight=512 queued=2 resets=246 head=6");
}

}  // namespace
}  // namespace vmmsim::sched
