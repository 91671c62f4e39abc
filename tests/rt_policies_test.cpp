// rtds and arinc653 driven through their C ops tables, as the VMM drives
// them: direct calls for single decisions, and a multi-pCPU loop with zero
// overheads (simulate) for schedules. Expected schedules are computed by hand
// and checked to the cycle.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "base/units.h"
#include "schedulers/registry.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params

// CPU work that becomes runnable at `at`, or when the previous burst ends if later.
struct Burst {
  Cycles at;
  Cycles run;
};

struct VcpuSpec {
  std::vector<Burst> bursts;
  Params params = {};
  std::vector<std::uint8_t> affinity = {};  // empty: every pCPU
};

VcpuSpec cpu_bound(Params params = {}) { return VcpuSpec{{{0, 100 * kS}}, std::move(params)}; }

struct Span {
  VcpuId vcpu;  // kIdle for an idle pCPU
  Cycles start, end;
  bool operator==(const Span& o) const {
    return vcpu == o.vcpu && start == o.start && end == o.end;
  }
};

std::ostream& operator<<(std::ostream& os, const Span& s) {
  return os << "{" << s.vcpu << " " << s.start << ".." << s.end << "}";
}

struct Decision {
  unsigned cpu;
  Cycles at;
  VcpuId next;
  Cycles slice;
};

struct Schedule {
  std::vector<std::vector<Span>> cpus;  // per pCPU, contiguous, idle included
  std::vector<Decision> decisions;
  std::vector<std::vector<Cycles>> done;  // per vCPU: end of each burst
  std::string dump;

  Cycles cpu_of(VcpuId v, Cycles from, Cycles to) const {
    Cycles sum = 0;
    for (const auto& spans : cpus)
      for (const Span& s : spans)
        if (s.vcpu == v && std::min(s.end, to) > std::max(s.start, from))
          sum += std::min(s.end, to) - std::max(s.start, from);
    return sum;
  }
  // Merges back-to-back spans of the same owner (a re-pick of the owner).
  std::vector<Span> merged(unsigned cpu, Cycles to = kForever) const {
    std::vector<Span> out;
    for (const Span& s : cpus[cpu]) {
      if (s.start >= to) break;
      if (!out.empty() && out.back().vcpu == s.vcpu && out.back().end == s.start)
        out.back().end = s.end;
      else
        out.push_back(s);
    }
    return out;
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
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  int insert(VcpuId id, const Params& vm_params = {}, bool runnable = false,
             const std::vector<std::uint8_t>& affinity = {}, Cycles now = 0) {
    vmm_vcpu_info_t info{id,
                         static_cast<uint32_t>(id),
                         0,
                         runnable,
                         kNoCpu,
                         vm_params.data(),
                         static_cast<uint32_t>(vm_params.size()),
                         affinity.empty() ? nullptr : affinity.data(),
                         static_cast<uint32_t>(affinity.size())};
    return ops.insert(self, &info, now, error, sizeof error);
  }
  VcpuId pick(Cycles now, VcpuId prev = kIdle, Cycles ran = 0, unsigned cpu = 0) {
    last = ops.pick_next(self, cpu, now, prev, ran);
    return last.next;
  }
  vmm_tickle_t wake(VcpuId v, Cycles now) { return ops.wake(self, v, now); }
  void block(VcpuId v, Cycles now) { ops.block(self, v, now); }
  int64_t priority(VcpuId v) { return ops.priority(self, v); }
  std::string dump() {
    char buf[512] = "";
    ops.dump(self, buf, sizeof buf);
    return buf;
  }

  const vmm_sched_ops_t& ops;
  void* self = nullptr;
  char error[256] = "";
  vmm_decision_t last{};
};

// "misses=N" (or "KEY=N") from a dump line.
std::uint64_t dump_value(const std::string& dump, const std::string& key) {
  std::size_t at = dump.find(" " + key + "=");
  if (at == std::string::npos)
    at = dump.rfind(key + "=", 0);
  else
    ++at;
  if (at == std::string::npos) {
    ADD_FAILURE() << key << " not in dump: " << dump;
    return 0;
  }
  return std::strtoull(dump.c_str() + at + key.size() + 1, nullptr, 10);
}

// Per-vCPU misses from "vcpu_misses=0:1,1:0".
std::map<VcpuId, std::uint64_t> vcpu_misses(const std::string& dump) {
  std::map<VcpuId, std::uint64_t> out;
  std::size_t at = dump.find("vcpu_misses=");
  if (at == std::string::npos) return out;
  const char* p = dump.c_str() + at + 12;
  while (*p && *p != ' ') {
    char* end = nullptr;
    long v = std::strtol(p, &end, 10);
    std::uint64_t n = std::strtoull(end + 1, &end, 10);
    out[static_cast<VcpuId>(v)] = n;
    p = *end == ',' ? end + 1 : end;
  }
  return out;
}

struct SimOptions {
  unsigned cpus = 1;
  // The VMM times an idle pCPU's slice (a decision at its end). Off: only
  // wakes and ticks wake an idle pCPU.
  bool idle_slices = true;
  Cycles tick = 0;  // tick() on every pCPU at multiples of this (0: never)
};

// Zero overheads. At each instant, in this order: finished bursts block,
// arrivals wake (vCPU order), ticks, then every pCPU whose slice ended, that
// was tickled or whose owner blocked decides (pCPU order).
Schedule simulate(const vmm_sched_ops_t& ops, const Params& params,
                  const std::vector<VcpuSpec>& vcpus, Cycles until, SimOptions opt = {}) {
  Instance sched(ops, params, opt.cpus);
  Schedule out;
  out.cpus.resize(opt.cpus);
  out.done.resize(vcpus.size());
  if (!sched.self) {
    ADD_FAILURE() << "create failed: " << sched.error;
    return out;
  }
  struct Live {
    std::size_t burst = 0;
    Cycles left = 0, wake_at = 0;
    bool runnable = false, exited = false;
    int cpu = kNoCpu;
  };
  struct Cpu {
    VcpuId owner = kIdle;
    Cycles started = 0, slice_end = 0, resched_at = kForever;
    bool must_pick = true;
  };
  std::vector<Live> live(vcpus.size());
  std::vector<Cpu> cpu(opt.cpus);
  for (VcpuId v = 0; v < static_cast<VcpuId>(vcpus.size()); ++v) {
    EXPECT_EQ(sched.insert(v, vcpus[v].params, false, vcpus[v].affinity), 0) << sched.error;
    live[v].wake_at = vcpus[v].bursts.at(0).at;
  }
  Cycles now = 0;
  for (;;) {
    // Bursts that ended block their vCPU.
    for (unsigned c = 0; c < opt.cpus; ++c) {
      VcpuId v = cpu[c].owner;
      if (v == kIdle || live[v].left != 0) continue;
      Live& l = live[v];
      out.done[v].push_back(now);
      sched.block(v, now);
      l.runnable = false;
      l.exited = ++l.burst == vcpus[v].bursts.size();
      if (!l.exited) l.wake_at = std::max(vcpus[v].bursts[l.burst].at, now);
      cpu[c].must_pick = true;
    }
    for (VcpuId v = 0; v < static_cast<VcpuId>(vcpus.size()); ++v) {
      Live& l = live[v];
      if (l.runnable || l.exited || l.wake_at > now) continue;
      l.left = vcpus[v].bursts[l.burst].run;
      l.runnable = true;
      vmm_tickle_t t = sched.wake(v, now);
      if (t.cpu >= 0) {
        EXPECT_LT(static_cast<unsigned>(t.cpu), opt.cpus);
        cpu[t.cpu].resched_at = std::min(cpu[t.cpu].resched_at, std::max(t.at, now));
      }
    }
    if (opt.tick && now % opt.tick == 0)
      for (unsigned c = 0; c < opt.cpus; ++c)
        if (sched.ops.tick && sched.ops.tick(sched.self, c, now)) cpu[c].resched_at = now;
    for (unsigned c = 0; c < opt.cpus; ++c) {
      Cpu& p = cpu[c];
      bool slice_over = p.slice_end <= now && (p.owner != kIdle || opt.idle_slices);
      if (!p.must_pick && p.resched_at > now && !slice_over) continue;
      VcpuId prev = p.owner;
      if (now > p.started) out.cpus[c].push_back({prev, p.started, now});
      if (prev != kIdle) live[prev].cpu = kNoCpu;
      VcpuId next = sched.pick(now, prev, prev == kIdle ? 0 : now - p.started, c);
      if (prev != kIdle && live[prev].exited) sched.ops.remove(sched.self, prev, now);
      out.decisions.push_back({c, now, next, sched.last.slice});
      EXPECT_GT(sched.last.slice, 0u) << "at " << now;
      if (next != kIdle) {
        EXPECT_TRUE(live.at(next).runnable) << "picked blocked vCPU " << next << " at " << now;
        EXPECT_EQ(live[next].cpu, kNoCpu) << "picked vCPU " << next << " running elsewhere";
        live[next].cpu = static_cast<int>(c);
      }
      p.owner = next;
      p.started = now;
      p.slice_end = sched.last.slice == VMM_FOREVER ? kForever : now + sched.last.slice;
      p.resched_at = kForever;
      p.must_pick = false;
    }
    Cycles next = until;
    for (const Cpu& p : cpu) {
      next = std::min(next, p.resched_at);
      if (p.owner != kIdle || opt.idle_slices) next = std::min(next, p.slice_end);
      if (p.owner != kIdle) next = std::min(next, now + live[p.owner].left);
    }
    for (const Live& l : live)
      if (!l.runnable && !l.exited) next = std::min(next, l.wake_at);
    if (opt.tick) next = std::min(next, (now / opt.tick + 1) * opt.tick);
    for (Cpu& p : cpu)
      if (p.owner != kIdle) live[p.owner].left -= next - now;
    now = next;
    if (now >= until) {
      for (unsigned c = 0; c < opt.cpus; ++c)
        if (now > cpu[c].started) out.cpus[c].push_back({cpu[c].owner, cpu[c].started, now});
      out.dump = sched.dump();
      return out;
    }
  }
}

Params rt(Cycles period, Cycles budget, int extratime = 0) {
  return {{"period", int64_t(period)}, {"budget", int64_t(budget)}, {"extratime", extratime}};
}

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

// ================================================================= arinc653

Params window(Cycles w) { return {{"window", int64_t(w)}}; }

TEST(Arinc653, MinorFramesStartAndEndAtTheConfiguredCycles) {
  // a: 5 ms, b: 3 ms, major frame 10 ms: a 0-5, b 5-8, idle 8-10, repeat.
  Instance s(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}});
  ASSERT_EQ(s.insert(0, window(5 * kMs), true), 0) << s.error;
  ASSERT_EQ(s.insert(1, window(3 * kMs), true), 0) << s.error;
  struct Expect {
    Cycles at;
    VcpuId prev, next;
    Cycles slice;
  };
  for (const Expect& e : std::vector<Expect>{{0, kIdle, 0, 5 * kMs},
                                             {5 * kMs, 0, 1, 3 * kMs},
                                             {8 * kMs, 1, kIdle, 2 * kMs},
                                             {10 * kMs, kIdle, 0, 5 * kMs},
                                             {15 * kMs, 0, 1, 3 * kMs},
                                             {18 * kMs, 1, kIdle, 2 * kMs},
                                             {20 * kMs, kIdle, 0, 5 * kMs}}) {
    EXPECT_EQ(s.pick(e.at, e.prev, e.prev == kIdle ? 0 : e.at), e.next) << "at " << e.at;
    EXPECT_EQ(s.last.slice, e.slice) << "at " << e.at;
    if (e.next != kIdle) {
      EXPECT_EQ(s.priority(e.next), 1) << "the window's owner";
      EXPECT_EQ(s.priority(1 - e.next), VMM_PRIORITY_HELD) << "held outside its window";
    }
  }
}

TEST(Arinc653, CpuBoundGuestsGetTheirWindowsAndTheRestIdles) {
  Schedule s = simulate(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}},
                        {cpu_bound(window(5 * kMs)), cpu_bound(window(3 * kMs))}, kS);
  EXPECT_EQ(s.cpu_of(0, 0, kS), 500 * kMs);
  EXPECT_EQ(s.cpu_of(1, 0, kS), 300 * kMs);
  EXPECT_EQ(s.cpu_of(kIdle, 0, kS), 200 * kMs);
  for (const Span& span : s.merged(0)) {
    Cycles offset = span.start % (10 * kMs);
    Cycles length = span.end - span.start;
    Cycles want_offset = span.vcpu == 0 ? 0 : span.vcpu == 1 ? 5 * kMs : 8 * kMs;
    Cycles want_length = span.vcpu == 0 ? 5 * kMs : span.vcpu == 1 ? 3 * kMs : 2 * kMs;
    EXPECT_EQ(offset, want_offset) << span;
    EXPECT_EQ(length, want_length) << span;
  }
}

TEST(Arinc653, ANonRunnableOwnerLeavesItsWindowIdle) {
  // a computes 2 ms then waits until 12 ms; it runs again in its next window
  // (10 ms) only once woken, at 12. b is CPU-bound but never uses a's window.
  Schedule s = simulate(
      arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}},
      {{{{0, 2 * kMs}, {12 * kMs, 10 * kMs}}, window(5 * kMs)}, cpu_bound(window(3 * kMs))},
      30 * kMs);
  EXPECT_EQ(s.merged(0), (std::vector<Span>{{0, 0, 2 * kMs},
                                            {kIdle, 2 * kMs, 5 * kMs},
                                            {1, 5 * kMs, 8 * kMs},
                                            {kIdle, 8 * kMs, 12 * kMs},
                                            {0, 12 * kMs, 15 * kMs},
                                            {1, 15 * kMs, 18 * kMs},
                                            {kIdle, 18 * kMs, 20 * kMs},
                                            {0, 20 * kMs, 25 * kMs},
                                            {1, 25 * kMs, 28 * kMs},
                                            {kIdle, 28 * kMs, 30 * kMs}}));
}

TEST(Arinc653, WakeOfTheWindowOwnerTicklesPcpuZeroOthersWait) {
  Instance s(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}});
  ASSERT_EQ(s.insert(0, window(5 * kMs)), 0) << s.error;
  ASSERT_EQ(s.insert(1, window(3 * kMs)), 0) << s.error;
  EXPECT_EQ(s.pick(0), kIdle) << "nobody runnable: the schedule starts anyway";
  EXPECT_EQ(s.last.slice, 5 * kMs);
  EXPECT_EQ(s.wake(1, kMs).cpu, kNoCpu) << "b's window is not now";
  vmm_tickle_t t = s.wake(0, 2 * kMs);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 2 * kMs);
  EXPECT_EQ(s.pick(2 * kMs), 0);
  EXPECT_EQ(s.last.slice, 3 * kMs) << "the rest of a's window";
}

TEST(Arinc653, DefaultMajorFrameIsTheSumOfTheWindowsInVcpuOrder) {
  // Inserted out of order: the windows still follow vCPU ids. vCPU 1 has no
  // window and never runs.
  Instance s(arinc653_ops(), {{"major_frame", 0}});
  ASSERT_EQ(s.insert(2, window(2 * kMs), true), 0) << s.error;
  ASSERT_EQ(s.insert(0, window(5 * kMs), true), 0) << s.error;
  ASSERT_EQ(s.insert(1, {}, true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.last.slice, 5 * kMs);
  EXPECT_EQ(s.pick(5 * kMs, 0, 5 * kMs), 2);
  EXPECT_EQ(s.last.slice, 2 * kMs);
  EXPECT_EQ(s.pick(7 * kMs, 2, 2 * kMs), 0) << "major frame = 5 + 2 ms";
  EXPECT_EQ(s.priority(1), VMM_PRIORITY_HELD);
}

TEST(Arinc653, OnlyPcpuZeroRunsTheSchedule) {
  Schedule s = simulate(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}},
                        {cpu_bound(window(5 * kMs)), cpu_bound(window(3 * kMs))}, 100 * kMs, {2});
  EXPECT_EQ(s.merged(1), (std::vector<Span>{{kIdle, 0, 100 * kMs}}));
  EXPECT_EQ(s.cpu_of(0, 0, 100 * kMs), 50 * kMs);
}

TEST(Arinc653, TicksCatchUpWithoutShiftingTheFrame) {
  // An idle pCPU whose slice the VMM does not time is woken by a tick inside
  // the next window; that window still ends on the frame's cycle.
  Instance s(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}});
  ASSERT_EQ(s.insert(0, window(5 * kMs), true), 0) << s.error;
  ASSERT_EQ(s.insert(1, window(3 * kMs), true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.pick(5 * kMs, 0, 5 * kMs), 1);
  EXPECT_EQ(s.pick(8 * kMs, 1, 3 * kMs), kIdle);
  EXPECT_EQ(s.ops.tick(s.self, 0, 9 * kMs), 0) << "still the idle rest of the frame";
  EXPECT_EQ(s.ops.tick(s.self, 1, 10500 * kUs), 0) << "pCPU 1 has nothing to do";
  EXPECT_EQ(s.ops.tick(s.self, 0, 10500 * kUs), 1) << "a's window began at 10 ms";
  EXPECT_EQ(s.pick(10500 * kUs), 0);
  EXPECT_EQ(s.last.slice, 4500 * kUs) << "a's window still ends at 15 ms";
}

TEST(Arinc653, WindowsBeyondTheMajorFrameAreRejected) {
  Instance s(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}});
  ASSERT_EQ(s.insert(0, window(6 * kMs)), 0) << s.error;
  EXPECT_NE(s.insert(1, window(5 * kMs)), 0);
  EXPECT_NE(std::string(s.error).find("exceed major_frame"), std::string::npos) << s.error;
  EXPECT_EQ(s.insert(1, window(4 * kMs)), 0) << "a failed insert leaves no trace";
  EXPECT_EQ(arinc653_ops().image_bytes, 8u * 1024);
}

}  // namespace
}  // namespace vmmsim::sched
