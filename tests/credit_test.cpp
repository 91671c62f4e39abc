// The credit policy (Xen credit1) driven through its C ops table, as the VMM
// drives it: a multi-pCPU loop with zero overheads that honours slices,
// tickles and tick() answers, and calls tick() on every pCPU every 10 ms.
// Small schedules are computed by hand in the comments (1 GHz: 1 ms = 10
// credits = 1,000,000 cycles; tslice 30 ms = 300 credits).
#include "tests/credit_driver.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using namespace credit_test;

// --- credits, weights and priorities ---

TEST(Credit, WeightsTwoToOneGiveTwoThirdsAndOneThird) {
  Driver d({}, 1, {hog({{"weight", 512}}), hog({{"weight", 256}})});
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(3 * kS);
  double heavy = share(d.log[0], 0, 3 * kS), light = share(d.log[1], 0, 3 * kS);
  RecordProperty("share_512", std::to_string(heavy));
  RecordProperty("share_256", std::to_string(light));
  EXPECT_NEAR(heavy, 2.0 / 3, 0.01);
  EXPECT_NEAR(light, 1.0 / 3, 0.01);
  EXPECT_DOUBLE_EQ(heavy + light, 1.0) << "a work-conserving pCPU";
}

TEST(Credit, AccountingByHandForTwoEqualHogs) {
  // Both wake at 0 and are BOOSTed. A runs first; the tick at 10 ms ends its
  // boost (UNDER, active, -100) and B, still BOOST, outranks it: B runs from
  // 10. At 20 B drops to UNDER (active, -100). At 30 A has -100, B -200; the
  // accounting shares 300 credits by weight, 150 each: A 50 (UNDER), B -50
  // (OVER), so A preempts B. From then on they swap every accounting:
  // A -250+150 = -100 OVER at 60, B -50+150 = 100 UNDER; and so on.
  Driver d({}, 1, {hog(), hog()});
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(35 * kMs);
  EXPECT_EQ(d.priority(0), kUnder);
  EXPECT_EQ(d.priority(1), kOver);
  d.run_until(150 * kMs);
  ASSERT_GE(d.log[0].runs.size(), 3u);
  ASSERT_GE(d.log[1].runs.size(), 2u);
  EXPECT_EQ(d.log[0].runs[0].start, 0u);
  EXPECT_EQ(d.log[0].runs[0].end, 10 * kMs) << "a BOOSTed B preempts A once A's boost ends";
  EXPECT_EQ(d.log[1].runs[0].start, 10 * kMs);
  EXPECT_EQ(d.log[1].runs[0].end, 30 * kMs) << "B went OVER at the accounting";
  EXPECT_EQ(d.log[0].runs[1].start, 30 * kMs);
  EXPECT_EQ(d.log[0].runs[1].end, 60 * kMs);
  EXPECT_EQ(d.log[1].runs[1].start, 60 * kMs);
  EXPECT_EQ(d.log[1].runs[1].end, 90 * kMs);
  EXPECT_EQ(d.log[0].runs[2].start, 90 * kMs);
  EXPECT_EQ(d.log[0].woke_with, std::vector<std::int64_t>{kBoost});
}

TEST(Credit, TimestampAccountingChargesAYielderThatDodgesTicks) {
  // The yielder runs 9.9 ms and yields, over and over, against a CPU hog of
  // the same weight (entitled to 50%). Whenever the hog is preempted at a
  // tick, the yielder starts on the tick and yields just before the next one:
  // a scheduler that charged 100 credits to whoever runs at a tick (early
  // credit1's CSCHED_CREDITS_PER_TICK, "sampling") would see it at few ticks
  // and let it run UNDER, well beyond its share. Burning by timestamp
  // charges every cycle it ran.
  Driver d({}, 1, {Vm{{run(9900 * kUs), yield()}}, hog()});
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(3 * kS);
  double yielder = share(d.log[0], 0, 3 * kS);
  // What sampling would have charged the yielder: 10 ms per tick it held the pCPU.
  Cycles sampled = 0;
  for (const Segment& s : d.log[0].runs)
    for (Cycles t = (s.start / (10 * kMs) + 1) * 10 * kMs; t < s.end; t += 10 * kMs)
      sampled += 10 * kMs;
  double sampled_share = static_cast<double>(sampled) / (3.0 * kS);
  RecordProperty("yielder_share", std::to_string(yielder));
  RecordProperty("yielder_sampled_share", std::to_string(sampled_share));
  EXPECT_LE(yielder, 0.5 + 0.01) << "charged for what it ran, it gets no more than its entitlement";
  EXPECT_GT(yielder, 0.4) << "and yielding does not cost it its share";
}

TEST(Credit, CapParksTheVmUntilAnAccountingUnparksIt) {
  // cap 50 alone on one pCPU: 150 credits per 30 ms. 0-30: runs, -300+150 =
  // -150 OVER (not below -150: not parked). 30-60: -450+150 = -300 < -150:
  // parked. 90: -150 (still parked: only credit >= 0 unparks). 120: 0, UNDER,
  // unparked; it runs 120-180 and is parked again. Exactly 50%.
  Driver d({}, 1, {hog({{"cap", 50}})});
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(65 * kMs);
  EXPECT_EQ(d.priority(0), kParked);
  d.run_until(125 * kMs);
  EXPECT_EQ(d.priority(0), kUnder) << "unparked without a boost";
  d.run_until(3 * kS);
  const std::vector<Segment>& runs = d.log[0].runs;
  ASSERT_GE(runs.size(), 3u);
  EXPECT_EQ(runs[0].start, 0u);
  EXPECT_EQ(runs[0].end, 60 * kMs);
  EXPECT_EQ(runs[1].start, 120 * kMs);
  EXPECT_EQ(runs[1].end, 180 * kMs);
  double capped = share(d.log[0], 0, 3 * kS);
  RecordProperty("capped_share", std::to_string(capped));
  EXPECT_LE(capped, 0.5);
  EXPECT_GE(capped, 0.49);
}

TEST(Credit, CapOfAVmIsSharedByItsVcpus) {
  // One VM with two CPU-bound vCPUs and cap 100 on two pCPUs: the VM earns
  // at most 300 credits (one pCPU) per tslice, 150 per vCPU; together its
  // vCPUs get one pCPU of the two.
  Vm a = hog({{"cap", 100}}), b = hog({{"cap", 100}});
  a.vm = b.vm = 0;
  Driver d({}, 2, {a, b});
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(3 * kS);
  double vm = share(d.log[0], 0, 3 * kS, 2) + share(d.log[1], 0, 3 * kS, 2);
  RecordProperty("capped_vm_share", std::to_string(vm));
  EXPECT_LE(vm, 0.5);
  EXPECT_GE(vm, 0.45);
}

// --- BOOST, ratelimit, tickles ---

TEST(Credit, WokenIoVcpuIsBoostedAndRunsBeforeUnderVcpus) {
  // An I/O-bound VM (200 us of CPU, then 5 ms of I/O) beside two hogs,
  // arriving once the hogs' start-up boosts are over. It uses far less than
  // its third, so it is UNDER at every wake and is BOOSTed: it preempts a
  // hog (UNDER or OVER) as soon as the hog's ratelimit allows.
  Vm io_vm{{run(200 * kUs), block(5 * kMs)}};
  io_vm.arrive = 100 * kMs;
  Driver d({}, 1, {hog(), hog(), io_vm});
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(3 * kS);
  const VcpuLog& io = d.log[2];
  ASSERT_GT(io.latency.size(), 500u);
  EXPECT_TRUE(std::all_of(io.woke_with.begin(), io.woke_with.end(), [](std::int64_t p) {
    return p == kBoost;
  })) << "BOOST right after every wake";
  double mean = std::accumulate(io.latency.begin(), io.latency.end(), 0.0) / io.latency.size();
  Cycles worst = *std::max_element(io.latency.begin(), io.latency.end());
  RecordProperty("io_mean_latency_us", std::to_string(mean / kUs));
  RecordProperty("io_max_latency_us", std::to_string(worst / kUs));
  EXPECT_LE(worst, 1 * kMs) << "at most the owner's ratelimit, not a 30 ms slice";
  EXPECT_LT(mean, 1.0 * kMs);
}

TEST(Credit, RatelimitKeepsThePcpuAndDelaysThePreemptingTickle) {
  for (Cycles ratelimit : {Cycles{kMs}, Cycles{0}}) {
    Params params = with_defaults({{"ratelimit", static_cast<std::int64_t>(ratelimit)}});
    vmm_sched_config_t config{1, kClock, params.data(), static_cast<std::uint32_t>(params.size())};
    const vmm_sched_ops_t& ops = credit_ops();
    char err[256] = "";
    void* s = ops.create(&config, err, sizeof err);
    ASSERT_NE(s, nullptr) << err;
    for (VcpuId v = 0; v < 2; ++v) {
      vmm_vcpu_info_t info{v, static_cast<std::uint32_t>(v), 0, 0, kNoCpu, nullptr, 0, nullptr, 0};
      ASSERT_EQ(ops.insert(s, &info, 0, err, sizeof err), 0) << err;
    }
    ops.wake(s, 0, 0);
    ops.wake(s, 1, 0);
    EXPECT_EQ(ops.pick_next(s, 0, 0, kIdle, 0).next, 0);
    // Asked again 0.4 ms later: with a ratelimit A keeps the pCPU 0.6 ms more.
    vmm_decision_t d = ops.pick_next(s, 0, 400 * kUs, 0, 400 * kUs);
    if (ratelimit) {
      EXPECT_EQ(d.next, 0);
      EXPECT_EQ(d.slice, 600 * kUs);
      d = ops.pick_next(s, 0, kMs, 0, 600 * kUs);
    }
    EXPECT_EQ(d.next, 1) << "both BOOST: FIFO";
    EXPECT_EQ(d.slice, 30 * kMs);
    Cycles b_dispatched = ratelimit ? kMs : 400 * kUs;
    // B's tick ends its boost; A (BOOST) outranks it: tick asks to reschedule.
    EXPECT_TRUE(ops.tick(s, 0, 5 * kMs) == 0) << "the first tick only sets the 10 ms grid";
    EXPECT_NE(ops.tick(s, 0, 10 * kMs), 0);
    EXPECT_EQ(ops.priority(s, 1), kUnder);
    EXPECT_EQ(ops.pick_next(s, 0, 10 * kMs, 1, 10 * kMs - b_dispatched).next, 0);
    // A blocks at 12 ms: B runs; A wakes at 12.3 ms UNDER -> BOOST and
    // preempts B once B has held the pCPU for the ratelimit.
    ops.block(s, 0, 12 * kMs);
    EXPECT_EQ(ops.pick_next(s, 0, 12 * kMs, 0, 2 * kMs).next, 1);
    vmm_tickle_t t = ops.wake(s, 0, 12300 * kUs);
    EXPECT_EQ(ops.priority(s, 0), kBoost);
    EXPECT_EQ(t.cpu, 0);
    EXPECT_EQ(t.at, ratelimit ? 13 * kMs : 12300 * kUs);
    ops.destroy(s);
  }
}

TEST(Credit, YielderGoesBehindOneLowerPriorityVcpu) {
  // A (weight 65535), B and C (weight 1) are inserted runnable: UNDER, no
  // boost, FIFO; ratelimit off. A runs 0-10 ms, B 10-20, C 20-30 (each
  // active at its tick, -100). The accounting at 30 gives A 300 (200, UNDER)
  // and B and C 1 each (-99, OVER): A outranks C, which is preempted. A
  // yields at 31 ms: it goes behind B, the first lower-priority vCPU, but
  // stays ahead of C. B runs; when B is descheduled A runs, not C.
  Params params = with_defaults({{"ratelimit", 0}});
  vmm_sched_config_t config{1, kClock, params.data(), static_cast<std::uint32_t>(params.size())};
  const vmm_sched_ops_t& ops = credit_ops();
  char err[256] = "";
  void* s = ops.create(&config, err, sizeof err);
  ASSERT_NE(s, nullptr) << err;
  for (VcpuId v = 0; v < 3; ++v) {
    Params w = {{"weight", v == 0 ? 65535 : 1}};
    vmm_vcpu_info_t info{v, static_cast<std::uint32_t>(v), 0, 1, kNoCpu, w.data(), 1, nullptr, 0};
    ASSERT_EQ(ops.insert(s, &info, 0, err, sizeof err), 0) << err;
  }
  EXPECT_EQ(ops.tick(s, 0, 0), 0) << "sets the tick grid";
  EXPECT_EQ(ops.pick_next(s, 0, 0, kIdle, 0).next, 0);
  EXPECT_EQ(ops.tick(s, 0, 10 * kMs), 0) << "A and B both UNDER";
  EXPECT_EQ(ops.pick_next(s, 0, 10 * kMs, 0, 10 * kMs).next, 1);
  EXPECT_EQ(ops.tick(s, 0, 20 * kMs), 0);
  EXPECT_EQ(ops.pick_next(s, 0, 20 * kMs, 1, 10 * kMs).next, 2);
  EXPECT_NE(ops.tick(s, 0, 30 * kMs), 0) << "C went OVER while A (UNDER) waits";
  EXPECT_EQ(ops.priority(s, 0), kUnder);
  EXPECT_EQ(ops.priority(s, 1), kOver);
  EXPECT_EQ(ops.priority(s, 2), kOver);
  EXPECT_EQ(ops.pick_next(s, 0, 30 * kMs, 2, 10 * kMs).next, 0);
  ops.yield(s, 0, 31 * kMs);
  EXPECT_EQ(ops.pick_next(s, 0, 31 * kMs, 0, kMs).next, 1) << "the yielder lets B run";
  EXPECT_EQ(ops.pick_next(s, 0, 32 * kMs, 1, kMs).next, 0) << "then runs ahead of C";
  ops.destroy(s);
}

// --- several pCPUs ---

TEST(Credit, FourPcpusEightHogsGetEqualShares) {
  std::vector<Vm> vms(8, hog());
  Driver d({}, 4, vms);
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(3 * kS);
  unsigned migrations = 0;
  for (std::size_t v = 0; v < vms.size(); ++v) {
    double s = share(d.log[v], 0, 3 * kS, 4);
    RecordProperty("share_" + std::to_string(v), std::to_string(s));
    EXPECT_NEAR(s, 1.0 / 8, 0.02 / 8) << "vCPU " << v;
    migrations += d.log[v].migrations;
  }
  RecordProperty("migrations", std::to_string(migrations));
  Cycles busy = 0;
  for (const VcpuLog& l : d.log) busy += l.cpu_in(0, 3 * kS);
  EXPECT_EQ(busy, 4 * 3 * kS) << "no pCPU idles while work is queued";
}

TEST(Credit, FiveHogsOnFourPcpusShareThemByStealing) {
  // Homes are spread round robin, so pCPU 0 starts with two hogs and the
  // others with one. A pCPU whose next vCPU is OVER steals an UNDER one from
  // a busy peer: the hogs rotate and each gets 4/5 of a pCPU.
  std::vector<Vm> vms(5, hog());
  Driver d({}, 4, vms);
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(3 * kS);
  unsigned migrations = 0;
  for (std::size_t v = 0; v < vms.size(); ++v) {
    double s = share(d.log[v], 0, 3 * kS);
    RecordProperty("pcpu_share_" + std::to_string(v), std::to_string(s));
    EXPECT_NEAR(s, 0.8, 0.02 * 0.8) << "vCPU " << v;
    migrations += d.log[v].migrations;
  }
  RecordProperty("migrations", std::to_string(migrations));
  EXPECT_GT(migrations, 0u);
}

TEST(Credit, RandomWorkloadsKeepEveryInvariant) {
  // Mixed hogs, I/O-bound, yielding and capped VMs with affinities on three
  // pCPUs. The driver checks every decision (runnable, not running
  // elsewhere, within affinity); no uncapped vCPU waits as long as the VMM's
  // 500 ms watchdog.
  std::uint64_t seed = 12345;
  auto rnd = [&](std::uint64_t n) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (seed >> 33) % n;
  };
  for (int round = 0; round < 20; ++round) {
    std::vector<Vm> vms;
    std::size_t n = 2 + rnd(10);
    for (std::size_t i = 0; i < n; ++i) {
      Vm vm;
      switch (rnd(4)) {
        case 0:
          vm.program = {run((1 + rnd(50)) * kMs)};
          break;
        case 1:
          vm.program = {run((10 + rnd(2000)) * kUs), block((100 + rnd(20000)) * kUs)};
          break;
        case 2:
          vm.program = {run((100 + rnd(15000)) * kUs), yield()};
          break;
        default:
          vm.program = {run((100 + rnd(5000)) * kUs), block((10 + rnd(3000)) * kUs),
                        run((1 + rnd(30)) * kMs), yield()};
      }
      vm.params = {{"weight", static_cast<std::int64_t>(1 + rnd(1000))}};
      if (rnd(4) == 0) vm.params.push_back({"cap", static_cast<std::int64_t>(10 + rnd(150))});
      if (rnd(3) == 0) vm.affinity = {static_cast<unsigned>(rnd(3))};
      if (rnd(4) == 0) vm.vm = static_cast<int>(rnd(i + 1));
      vm.arrive = rnd(100) * kMs;
      vms.push_back(vm);
    }
    Params p;
    if (rnd(2)) p.push_back({"ratelimit", 0});
    if (rnd(2)) p.push_back({"tslice", static_cast<std::int64_t>((1 + rnd(60)) * kMs)});
    Driver d(p, 3, vms, rnd(2) ? kMs : 10 * kMs);
    ASSERT_TRUE(d.ok()) << d.error();
    d.run_until(2 * kS);
    for (std::size_t v = 0; v < vms.size(); ++v) {
      bool capped = vms[v].params.size() > 1;
      for (std::size_t w = 0; w < vms.size(); ++w)
        capped = capped || (vms[w].vm >= 0 && vms[w].vm == vms[v].vm && vms[w].params.size() > 1);
      if (!capped) {
        EXPECT_LT(d.log[v].longest_wait, 500 * kMs) << "round " << round << " vCPU " << v;
      }
      EXPECT_GT(d.log[v].cpu_in(0, 2 * kS), 0u) << "round " << round << " vCPU " << v;
    }
  }
}

TEST(Credit, RemovedVcpusLeaveNoTrace) {
  Params params = with_defaults({{"ratelimit", 0}});
  vmm_sched_config_t config{2, kClock, params.data(), static_cast<std::uint32_t>(params.size())};
  const vmm_sched_ops_t& ops = credit_ops();
  char err[256] = "";
  void* s = ops.create(&config, err, sizeof err);
  ASSERT_NE(s, nullptr) << err;
  Params capped = {{"cap", 10}};
  for (VcpuId v = 0; v < 4; ++v) {
    vmm_vcpu_info_t info{v,
                         static_cast<std::uint32_t>(v),
                         0,
                         1,
                         kNoCpu,
                         v == 3 ? capped.data() : nullptr,
                         v == 3 ? 1u : 0u,
                         nullptr,
                         0};
    ASSERT_EQ(ops.insert(s, &info, 0, err, sizeof err), 0) << err;
  }
  EXPECT_EQ(ops.tick(s, 0, 0), 0);
  EXPECT_EQ(ops.tick(s, 1, 0), 0);
  EXPECT_EQ(ops.pick_next(s, 0, 0, kIdle, 0).next, 0);
  EXPECT_EQ(ops.pick_next(s, 1, 0, kIdle, 0).next, 1);
  // vCPU 3 (cap 10%) runs 30 ms and is parked at the first accounting.
  EXPECT_EQ(ops.pick_next(s, 1, kMs, 1, kMs).next, 3);
  for (Cycles t = 10 * kMs; t <= 30 * kMs; t += 10 * kMs) {
    ops.tick(s, 0, t);
    ops.tick(s, 1, t);
  }
  EXPECT_EQ(ops.priority(s, 3), kParked);
  ops.remove(s, 3, 30 * kMs);  // parked and running
  ops.remove(s, 2, 30 * kMs);  // queued
  ops.remove(s, 0, 30 * kMs);  // running on pCPU 0
  EXPECT_EQ(ops.pick_next(s, 1, 30 * kMs, kIdle, 0).next, 1);
  EXPECT_EQ(ops.pick_next(s, 0, 30 * kMs, kIdle, 0).next, kIdle);
  vmm_vcpu_info_t again{2, 2, 0, 1, kNoCpu, nullptr, 0, nullptr, 0};
  ASSERT_EQ(ops.insert(s, &again, 31 * kMs, err, sizeof err), 0) << err;
  EXPECT_EQ(ops.pick_next(s, 0, 31 * kMs, kIdle, 0).next, 2);
  ops.destroy(s);
}

TEST(Credit, IdlePcpuStealsOnlyWhatItsAffinityAllows) {
  // A and B may run only on pCPU 0; C anywhere. pCPU 1 never runs A or B,
  // however long they wait; it takes C.
  Vm a = hog(), b = hog(), c = hog();
  a.affinity = {0};
  b.affinity = {0};
  Driver d({}, 2, {a, b, c});
  ASSERT_TRUE(d.ok()) << d.error();
  d.run_until(3 * kS);
  for (std::size_t v = 0; v < 3; ++v)
    RecordProperty("share_" + std::to_string(v), std::to_string(share(d.log[v], 0, 3 * kS)));
  EXPECT_TRUE(d.log[0].only_on(0));
  EXPECT_TRUE(d.log[1].only_on(0));
  EXPECT_NEAR(share(d.log[0], 0, 3 * kS), 0.5, 0.01);
  EXPECT_NEAR(share(d.log[1], 0, 3 * kS), 0.5, 0.01);
  EXPECT_GT(share(d.log[2], 0, 3 * kS), 0.98) << "C has pCPU 1 to itself";
}

TEST(Credit, WakeTicklesAnIdlePcpuItsAffinityAllows) {
  const vmm_sched_ops_t& ops = credit_ops();
  Params params = with_defaults();
  vmm_sched_config_t config{4, kClock, params.data(), static_cast<std::uint32_t>(params.size())};
  char err[256] = "";
  void* s = ops.create(&config, err, sizeof err);
  ASSERT_NE(s, nullptr) << err;
  std::uint8_t only_3 = 1u << 3;
  vmm_vcpu_info_t a{0, 0, 0, 0, kNoCpu, nullptr, 0, nullptr, 0};
  vmm_vcpu_info_t b{1, 1, 0, 0, kNoCpu, nullptr, 0, &only_3, 1};
  ASSERT_EQ(ops.insert(s, &a, 0, err, sizeof err), 0) << err;
  ASSERT_EQ(ops.insert(s, &b, 0, err, sizeof err), 0) << err;
  EXPECT_EQ(ops.wake(s, 0, 0).cpu, 0) << "A's home pCPU, idle";
  EXPECT_EQ(ops.pick_next(s, 0, 0, kIdle, 0).next, 0);
  EXPECT_EQ(ops.wake(s, 1, 0).cpu, 3) << "B's home is its only pCPU";
  EXPECT_EQ(ops.pick_next(s, 2, 0, kIdle, 0).next, kIdle) << "pCPU 2 may not take B";
  EXPECT_EQ(ops.pick_next(s, 3, 0, kIdle, 0).next, 1);
  ops.destroy(s);
}

// --- parameters ---

TEST(Credit, InvalidParametersAreRejectedWithAReason) {
  const vmm_sched_ops_t& ops = credit_ops();
  char err[256] = "";
  auto create = [&](Params p) {
    p = with_defaults(p);
    vmm_sched_config_t config{1, kClock, p.data(), static_cast<std::uint32_t>(p.size())};
    return ops.create(&config, err, sizeof err);
  };
  EXPECT_EQ(create({{"ratelimit", 50 * kUs}}), nullptr);
  EXPECT_NE(std::string(err).find("ratelimit"), std::string::npos) << err;
  EXPECT_EQ(create({{"ratelimit", 40 * kMs}}), nullptr) << "ratelimit above the 30 ms tslice";
  void* s = create({{"ratelimit", 0}});
  ASSERT_NE(s, nullptr) << err;
  auto insert = [&](VcpuId id, Params p, const std::uint8_t* mask = nullptr) {
    vmm_vcpu_info_t info{id,
                         static_cast<std::uint32_t>(id),
                         0,
                         0,
                         kNoCpu,
                         p.data(),
                         static_cast<std::uint32_t>(p.size()),
                         mask,
                         mask ? 1u : 0u};
    return ops.insert(s, &info, 0, err, sizeof err);
  };
  EXPECT_NE(insert(0, {{"weight", 0}}), 0);
  EXPECT_NE(std::string(err).find("weight 0"), std::string::npos) << err;
  EXPECT_NE(insert(0, {{"cap", 6401}}), 0);
  EXPECT_NE(std::string(err).find("cap 6401"), std::string::npos) << err;
  std::uint8_t none = 0b10;  // pCPU 1 only, on a one-pCPU machine
  EXPECT_NE(insert(0, {}, &none), 0);
  EXPECT_NE(std::string(err).find("affinity"), std::string::npos) << err;
  EXPECT_EQ(insert(0, {{"weight", 65535}, {"cap", 6400}}), 0) << "a failed insert leaves no trace";
  ops.destroy(s);
}

TEST(Credit, TableDeclaresItsParametersAndImage) {
  const vmm_sched_ops_t& ops = credit_ops();
  EXPECT_STREQ(ops.name, "credit");
  EXPECT_EQ(ops.image_bytes, 24u * 1024);
  ASSERT_EQ(ops.param_count, 3u);
  EXPECT_STREQ(ops.params[0].key, "tslice");
  EXPECT_EQ(ops.params[0].default_value, 30'000);
  EXPECT_STREQ(ops.params[1].key, "ratelimit");
  EXPECT_EQ(ops.params[1].default_value, 1'000);
  EXPECT_STREQ(ops.params[2].key, "tick");
  EXPECT_EQ(ops.params[2].default_value, 10'000);
  ASSERT_EQ(ops.vm_param_count, 2u);
  EXPECT_STREQ(ops.vm_params[0].key, "weight");
  EXPECT_STREQ(ops.vm_params[1].key, "cap");
  EXPECT_EQ(ops.vm_params[1].max, 6400);
}

}  // namespace
}  // namespace vmmsim::sched
