// The built-in policies driven through their C ops tables, as the VMM drives
// them: a one-pCPU loop with zero overheads (simulate) for schedules, direct
// calls for single decisions. Expected numbers are computed by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"
#include "schedulers/registry.h"
#include "schedulers/table_check.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params

// One VM with one vCPU.
struct Vm {
  std::vector<Burst> bursts;
  Params params = {};
};

std::vector<Burst> periodic(Cycles period, Cycles run, int count) {
  std::vector<Burst> b;
  for (int k = 0; k < count; ++k) b.push_back({k * period, run});
  return b;
}

struct VcpuResult {
  std::vector<Cycles> done;                     // end of each burst
  std::vector<Cycles> latency;                  // wake to first dispatch, per burst
  std::vector<std::pair<Cycles, Cycles>> runs;  // [start, end) on the pCPU

  Cycles cpu_in(Cycles from, Cycles to) const {
    Cycles sum = 0;
    for (auto [s, e] : runs)
      if (std::min(e, to) > std::max(s, from)) sum += std::min(e, to) - std::max(s, from);
    return sum;
  }
  Cycles longest_run_from(Cycles from) const {
    Cycles longest = 0;
    for (auto [s, e] : runs)
      if (s >= from) longest = std::max(longest, e - s);
    return longest;
  }
  double mean_latency() const {
    return std::accumulate(latency.begin(), latency.end(), 0.0) / latency.size();
  }
};

// A policy instance made and destroyed through the ops table.
class Instance {
 public:
  Instance(const vmm_sched_ops_t& ops, Params params, unsigned cpus = 1) : ops(ops) {
    vmm_sched_config_t config{cpus, kClock, params.data(), static_cast<uint32_t>(params.size())};
    self = ops.create(&config, error, sizeof error);
  }
  ~Instance() {
    if (self) ops.destroy(self);
  }
  int insert(VcpuId id, const Params& vm_params = {}, bool runnable = false) {
    const vmm_vcpu_info_t info = vcpu_info(id, vm_params, runnable);
    return ops.insert(self, &info, 0, error, sizeof error);
  }
  VcpuId pick(Cycles now, VcpuId prev = kIdle, Cycles ran = 0, unsigned cpu = 0) {
    last = ops.pick_next(self, cpu, now, prev, ran);
    return last.next;
  }

  const vmm_sched_ops_t& ops;
  void* self = nullptr;
  char error[256] = "";
  vmm_decision_t last{};
};

// One pCPU, zero overheads: wakes due now (in VM order), then a decision when
// the pCPU is idle-and-tickled, its slice ended or its owner blocked/exited.
std::vector<VcpuResult> simulate(const vmm_sched_ops_t& ops, const Params& params,
                                 const std::vector<Vm>& vms, Cycles until) {
  Instance sched(ops, params);
  std::vector<VcpuResult> result(vms.size());
  if (!sched.self) {
    ADD_FAILURE() << "create failed: " << sched.error;
    return result;
  }
  struct Live {
    std::size_t burst = 0;
    Cycles left = 0, wake_at = 0, woke = 0;
    bool runnable = false, exited = false, awaiting_dispatch = false;
  };
  std::vector<Live> live(vms.size());
  for (VcpuId v = 0; v < static_cast<VcpuId>(vms.size()); ++v) {
    EXPECT_EQ(sched.insert(v, vms[v].params), 0) << sched.error;
    live[v].wake_at = vms[v].bursts.at(0).at;
  }
  VcpuId cur = kIdle;
  Cycles now = 0, started = 0, slice_end = kForever, resched_at = kForever;
  bool must_pick = true;
  for (;;) {
    for (VcpuId v = 0; v < static_cast<VcpuId>(vms.size()); ++v) {
      Live& l = live[v];
      if (l.runnable || l.exited || l.wake_at > now) continue;
      l.left = vms[v].bursts[l.burst].run;
      l.woke = now;
      l.runnable = l.awaiting_dispatch = true;
      vmm_tickle_t t = sched.ops.wake(sched.self, v, now);
      if (t.cpu == 0) resched_at = std::min(resched_at, std::max(t.at, now));
    }
    if (must_pick || resched_at <= now || slice_end <= now) {
      if (cur != kIdle && now > started) result[cur].runs.push_back({started, now});
      VcpuId prev = cur;
      cur = sched.pick(now, prev, prev == kIdle ? 0 : now - started);
      if (prev != kIdle && live[prev].exited) sched.ops.remove(sched.self, prev, now);
      EXPECT_GT(sched.last.slice, 0u);
      started = now;
      slice_end = sched.last.slice == VMM_FOREVER ? kForever : now + sched.last.slice;
      resched_at = kForever;
      must_pick = false;
      if (cur != kIdle) {
        EXPECT_TRUE(live.at(cur).runnable) << "picked a blocked vCPU " << cur;
        if (live[cur].awaiting_dispatch) result[cur].latency.push_back(now - live[cur].woke);
        live[cur].awaiting_dispatch = false;
      }
    }
    Cycles next = std::min({until, slice_end, resched_at});
    if (cur != kIdle) next = std::min(next, now + live[cur].left);
    for (const Live& l : live)
      if (!l.runnable && !l.exited) next = std::min(next, l.wake_at);
    if (cur != kIdle) live[cur].left -= next - now;
    now = next;
    if (now >= until) {
      if (cur != kIdle && now > started) result[cur].runs.push_back({started, now});
      return result;
    }
    if (cur != kIdle && live[cur].left == 0) {
      Live& l = live[cur];
      result[cur].done.push_back(now);
      sched.ops.block(sched.self, cur, now);
      l.runnable = false;
      l.exited = ++l.burst == vms[cur].bursts.size();
      if (!l.exited) l.wake_at = std::max(vms[cur].bursts[l.burst].at, now);
      must_pick = true;
    }
  }
}

// --- rr ---

TEST(RoundRobin, QuantumGivesTextbookCompletionOrderAndTimes) {
  // q = 4 ms, all arrive at 0: A 0-4, B 4-8 (done), C 8-12, A 12-16,
  // C 16-19 (done), A 19-21 (done).
  auto r = simulate(rr_ops(), {{"quantum", 4 * kMs}},
                    {{{{0, 10 * kMs}}}, {{{0, 4 * kMs}}}, {{{0, 7 * kMs}}}}, kS);
  EXPECT_EQ(r[1].done, std::vector<Cycles>{8 * kMs});
  EXPECT_EQ(r[2].done, std::vector<Cycles>{19 * kMs});
  EXPECT_EQ(r[0].done, std::vector<Cycles>{21 * kMs});
  EXPECT_EQ(r[2].runs.front().first, 8 * kMs) << "C waits for A's and B's quanta";
}

TEST(RoundRobin, BlockingVcpuHandsOverAtOnce) {
  // A runs 3 ms and blocks until 10 ms; B is CPU-bound, q = 10 ms. B gets the
  // pCPU at 3 ms (not at 10), A waits at the tail until B's quantum ends at 13.
  // At 30 ms the pCPU is idle and A's wake runs it at once.
  auto r =
      simulate(rr_ops(), {{"quantum", 10 * kMs}},
               {{{{0, 3 * kMs}, {10 * kMs, 3 * kMs}, {30 * kMs, kMs}}}, {{{0, 20 * kMs}}}}, kS);
  EXPECT_EQ(r[1].runs.front().first, 3 * kMs);
  EXPECT_EQ(r[0].done, (std::vector<Cycles>{3 * kMs, 16 * kMs, 31 * kMs}));
  EXPECT_EQ(r[0].latency, (std::vector<Cycles>{0, 3 * kMs, 0}));
  EXPECT_EQ(r[1].done, std::vector<Cycles>{26 * kMs});
}

// --- fifo ---

TEST(Fifo, RunsToCompletionInArrivalOrder) {
  // A (5 ms) at 0; B (2 ms) and C (3 ms) both at 1 ms, B declared first.
  auto r = simulate(fifo_ops(), {}, {{{{0, 5 * kMs}}}, {{{kMs, 2 * kMs}}}, {{{kMs, 3 * kMs}}}}, kS);
  EXPECT_EQ(r[0].done, std::vector<Cycles>{5 * kMs});   // turnaround 5 ms
  EXPECT_EQ(r[1].done, std::vector<Cycles>{7 * kMs});   // turnaround 6 ms
  EXPECT_EQ(r[2].done, std::vector<Cycles>{10 * kMs});  // turnaround 9 ms
  for (const VcpuResult& v : r) EXPECT_EQ(v.runs.size(), 1u) << "fifo never preempts";
}

TEST(Fifo, PausedVcpuKeepsItsPlaceAndYielderGoesBack) {
  Instance s(fifo_ops(), {});
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v, {}, true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.last.slice, VMM_FOREVER);
  EXPECT_EQ(s.pick(kMs, 0, kMs), 0) << "descheduled without yielding: back to the front";
  s.ops.yield(s.self, 0, 2 * kMs);
  EXPECT_EQ(s.pick(2 * kMs, 0, kMs), 1) << "a yielder goes to the back";
  s.ops.block(s.self, 1, 3 * kMs);
  EXPECT_EQ(s.pick(3 * kMs, 1, kMs), 2);
  s.ops.block(s.self, 2, 4 * kMs);
  EXPECT_EQ(s.pick(4 * kMs, 2, kMs), 0);
}

// --- bvt ---

TEST(Bvt, WeightsTwoToOneGiveSharesTwoToOne) {
  auto r =
      simulate(bvt_ops(), {{"ctx_allow", 5 * kMs}},
               {{{{0, 10 * kS}}, {{"weight", 512}}}, {{{0, 10 * kS}}, {{"weight", 256}}}}, 3 * kS);
  double heavy = static_cast<double>(r[0].cpu_in(0, 3 * kS));
  double light = static_cast<double>(r[1].cpu_in(0, 3 * kS));
  RecordProperty("share_ratio", std::to_string(heavy / light));
  EXPECT_NEAR(heavy / light, 2.0, 2.0 * 0.02);
  EXPECT_EQ(heavy + light, 3.0 * kS) << "a work-conserving pCPU";
}

TEST(Bvt, WarpLowersWakeToDispatchLatency) {
  // Two CPU-bound VMs and one that needs 3 ms every 10 ms (30%, under its 1/3
  // share), all weight 256. Unwarped, each wake lands it level with the hogs
  // at SVT and behind their slices: it falls behind its period for good.
  // Warped by 10 ms of its own time, it waits at most ctx_allow per wake.
  auto periodic_vm = [](Cycles warp) {
    std::vector<Vm> vms = {{{{0, 10 * kS}}},
                           {{{0, 10 * kS}}},
                           {periodic(10 * kMs, 3 * kMs, 200), {{"warp", int64_t(warp)}}}};
    return simulate(bvt_ops(), {{"ctx_allow", 5 * kMs}}, vms, 2 * kS)[2];
  };
  VcpuResult plain = periodic_vm(0), warped = periodic_vm(10 * kMs);
  RecordProperty("mean_latency_us_unwarped", std::to_string(plain.mean_latency() / kUs));
  RecordProperty("mean_latency_us_warped", std::to_string(warped.mean_latency() / kUs));
  EXPECT_EQ(warped.done.size(), 200u) << "warped: every period's work done within 2 s";
  EXPECT_LT(plain.done.size(), 200u);
  EXPECT_LT(warped.mean_latency(), plain.mean_latency() / 4);
  EXPECT_LE(*std::max_element(warped.latency.begin(), warped.latency.end()), 5 * kMs);
}

TEST(Bvt, WarpEndsAfterWarpLimitAndReturnsAfterUnwarpMin) {
  // warp 10 ms = 100 MCUs x 10000; L = 2 ms, U = 5 ms.
  Instance s(bvt_ops(), {{"ctx_allow", 5 * kMs}});
  ASSERT_EQ(s.insert(0, {{"warp", int64_t(10 * kMs)},
                         {"warp_limit", int64_t(2 * kMs)},
                         {"unwarp_min", int64_t(5 * kMs)}}),
            0)
      << s.error;
  ASSERT_EQ(s.insert(1), 0);
  auto priority = [&](VcpuId v) { return s.ops.priority(s.self, v); };
  s.ops.wake(s.self, 0, 0);
  s.ops.wake(s.self, 1, 0);
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(priority(0), 1'000'000) << "evt = avt - warp = -1000000";
  EXPECT_EQ(s.pick(kMs, 0, kMs), 0) << "1 ms after the wake: still warped";
  EXPECT_EQ(priority(0), 900'000);
  EXPECT_EQ(s.pick(3 * kMs, 0, 2 * kMs), 1) << "3 ms >= L: unwarped, evt = avt";
  EXPECT_EQ(priority(0), -300'000);
  s.ops.block(s.self, 0, 4 * kMs);
  s.ops.wake(s.self, 0, 6 * kMs);
  EXPECT_EQ(priority(0), -300'000) << "3 ms since the unwarp, U is 5 ms";
  s.ops.block(s.self, 0, 7 * kMs);
  s.ops.wake(s.self, 0, 10 * kMs);
  EXPECT_EQ(priority(0), -300'000) << "as in Xen, the refused wake at 6 ms restarted U";
  s.ops.block(s.self, 0, 11 * kMs);
  s.ops.wake(s.self, 0, 16 * kMs);
  EXPECT_EQ(priority(0), 700'000) << "6 ms since the last refusal: warps again";
}

TEST(Bvt, LongSleeperDoesNotMonopolizeAfterWaking) {
  // C sleeps from 1 ms to 2 s while A and B run. Its avt is raised to SVT on
  // wake, so it gets a third of [2 s, 2.6 s], not all of it.
  auto r =
      simulate(bvt_ops(), {{"ctx_allow", 5 * kMs}},
               {{{{0, 10 * kS}}}, {{{0, 10 * kS}}}, {{{0, kMs}, {2 * kS, 10 * kS}}}}, 2600 * kMs);
  double c_share = static_cast<double>(r[2].cpu_in(2 * kS, 2600 * kMs)) / (600 * kMs);
  RecordProperty("sleeper_share", std::to_string(c_share));
  EXPECT_NEAR(c_share, 1.0 / 3, 0.05);
  EXPECT_LE(r[2].longest_run_from(2 * kS), 50 * kMs);
}

TEST(Bvt, SlicesInCyclesAndTickleAfterContextSwitchAllowance) {
  Instance s(bvt_ops(), {{"ctx_allow", 5 * kMs}});
  ASSERT_EQ(s.insert(0, {{"weight", 512}}), 0) << s.error;  // mcu_advance 5000
  ASSERT_EQ(s.insert(1, {{"weight", 256}}), 0) << s.error;  // mcu_advance 10000
  vmm_tickle_t t = s.ops.wake(s.self, 0, 0);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 0u);
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.last.slice, 50 * kMs) << "alone: 10 x ctx_allow";
  t = s.ops.wake(s.self, 1, kMs);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 5 * kMs) << "the owner keeps the pCPU for ctx_allow";
  // A ran 50 MCUs: avt 250000. B (evt 0) runs 250000/10000 = 25 MCUs = 2.5 ms
  // past A's evt, plus ctx_allow. (Xen would give 5 ms + 25 ns.)
  EXPECT_EQ(s.pick(5 * kMs, 0, 5 * kMs), 1);
  EXPECT_EQ(s.last.slice, 7500 * kUs);
  // A (evt 250000) then runs (750000 - 250000)/5000 = 100 MCUs + ctx_allow.
  EXPECT_EQ(s.pick(12500 * kUs, 1, 7500 * kUs), 0);
  EXPECT_EQ(s.last.slice, 15 * kMs);
}

TEST(Bvt, WakeTicklesLowestIdlePcpuThenLargestEvtOwner) {
  Instance s(bvt_ops(), {{"ctx_allow", 5 * kMs}}, 2);
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v), 0) << s.error;
  EXPECT_EQ(s.ops.wake(s.self, 0, 0).cpu, 0);
  EXPECT_EQ(s.ops.wake(s.self, 1, 0).cpu, 1);
  EXPECT_EQ(s.pick(0, kIdle, 0, 0), 0);
  EXPECT_EQ(s.pick(0, kIdle, 0, 1), 1);
  EXPECT_EQ(s.pick(10 * kMs, 0, 10 * kMs, 0), 0);  // vCPU 0 now has the larger evt
  vmm_tickle_t t = s.ops.wake(s.self, 2, 12 * kMs);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 15 * kMs) << "re-dispatched at 10 ms, ctx_allow 5 ms";
  t = s.ops.wake(s.self, 2, 12 * kMs);
  EXPECT_EQ(t.cpu, kNoCpu) << "a second wake of a runnable vCPU changes nothing";
}

// --- all policies ---

TEST(Policies, PriorityOrdersVcpusAsTheyWillRun) {
  for (const vmm_sched_ops_t* ops : {&fifo_ops(), &rr_ops()}) {
    Instance s(*ops, {{"quantum", 10 * kMs}});
    for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v, {}, true), 0) << s.error;
    EXPECT_GT(s.ops.priority(s.self, 0), s.ops.priority(s.self, 1)) << ops->name;
    EXPECT_GT(s.ops.priority(s.self, 1), s.ops.priority(s.self, 2)) << ops->name;
    EXPECT_EQ(s.pick(0), 0) << ops->name;
  }
  Instance s(bvt_ops(), {{"ctx_allow", 5 * kMs}});
  ASSERT_EQ(s.insert(0), 0);
  ASSERT_EQ(s.insert(1), 0);
  ASSERT_EQ(s.insert(2, {{"warp", int64_t(10 * kMs)}}), 0);
  for (VcpuId v = 0; v < 3; ++v) s.ops.wake(s.self, v, 0);
  EXPECT_GT(s.ops.priority(s.self, 2), s.ops.priority(s.self, 0)) << "warped runs first";
  EXPECT_EQ(s.pick(0), 2);
  s.ops.block(s.self, 2, kMs);
  EXPECT_EQ(s.pick(kMs, 2, kMs), 0);
  EXPECT_EQ(s.pick(2 * kMs, 0, kMs), 1);
  EXPECT_LT(s.ops.priority(s.self, 0), s.ops.priority(s.self, 1)) << "0 was charged, 1 not yet";
}

TEST(Policies, InvalidParametersAreRejectedWithAReason) {
  Instance bvt(bvt_ops(), {{"ctx_allow", 5 * kMs}});
  EXPECT_NE(bvt.insert(0, {{"weight", 0}}), 0);
  EXPECT_NE(std::string(bvt.error).find("weight 0"), std::string::npos) << bvt.error;
  EXPECT_NE(bvt.insert(0, {{"weight", 70000}}), 0);
  EXPECT_EQ(bvt.insert(0, {{"weight", 1}}), 0) << "a failed insert leaves no trace";
  Instance rr(rr_ops(), {{"quantum", 0}});
  EXPECT_EQ(rr.self, nullptr);
  EXPECT_NE(std::string(rr.error).find("quantum"), std::string::npos) << rr.error;
  Instance no_allowance(bvt_ops(), {{"ctx_allow", 0}});
  EXPECT_EQ(no_allowance.self, nullptr);
  EXPECT_NE(std::string(no_allowance.error).find("ctx_allow"), std::string::npos);
}

}  // namespace
}  // namespace vmmsim::sched

// A policy without periodic accounting leaves tick out of its table, so the
// VMM does not call it on every pCPU at every PIT tick; the others keep it.
// arinc653 times its windows with its slices, as Xen's does: no tick.
TEST(Registry, OnlyPoliciesWithTickWorkExportATick) {
  for (const vmm_sched_ops_t* ops : vmmsim::sched::builtin_schedulers()) {
    const std::string name = ops->name;
    const bool ticks = name == "credit" || name == "credit2" || name == "rtds" || name == "eevdf";
    EXPECT_EQ(ops->tick != nullptr, ticks) << name;
  }
}

// The loader checks a built-in's table as it checks a plugin's
// (docs/plugins.md, "What the loader checks"): every built-in passes.
TEST(Registry, EveryBuiltinPassesThePluginTableCheck) {
  for (const vmm_sched_ops_t* ops : vmmsim::sched::builtin_schedulers())
    EXPECT_EQ(vmmsim::sched::table_defect(*ops), "") << ops->name;
}
