// credit2 and eevdf driven through their C ops tables as the VMM drives them:
// N pCPUs with zero overheads, a tick every millisecond, tickles honoured at
// the time asked. Expected schedules are computed by hand in the comments.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"
#include "schedulers/registry.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using Span = std::pair<Cycles, Cycles>;  // [start, end) on a pCPU

// CPU work that becomes runnable at `at`, or `gap` after the previous burst
// ended (an I/O wait), whichever is later.
struct Burst {
  Cycles at;
  Cycles run;
  Cycles gap = 0;
};
// One VM with one vCPU.
struct Vm {
  std::vector<Burst> bursts;
  Params params = {};
  std::vector<unsigned> affinity = {};  // allowed pCPUs; empty = all
};

std::vector<Burst> hog(Cycles start = 0) { return {{start, 1000 * kS}}; }
// From `start`: `run` of work, then an I/O wait of `gap`, `count` times.
std::vector<Burst> io_loop(Cycles run, Cycles gap, int count, Cycles start = 0) {
  std::vector<Burst> b{{start, run}};
  for (int k = 1; k < count; ++k) b.push_back({0, run, gap});
  return b;
}

struct VcpuResult {
  std::vector<Span> runs;
  std::vector<int> cpus;        // the pCPU of each run
  std::vector<Cycles> latency;  // wake to first dispatch, per burst
  Cycles cpu_in(Cycles from, Cycles to) const {
    Cycles sum = 0;
    for (auto [s, e] : runs)
      if (std::min(e, to) > std::max(s, from)) sum += std::min(e, to) - std::max(s, from);
    return sum;
  }
};

struct Wake {
  Cycles at;
  VcpuId vcpu;
  std::int64_t priority;         // of the woken vCPU, just after the wake
  VcpuId owner;                  // on pCPU 0 at the wake
  std::int64_t owner_priority;   // its priority then
  Cycles owner_slice_end;        // when pCPU 0's current slice was to end
  int waiting;                   // other vCPUs runnable but not running then
  Cycles dispatched = kForever;  // when the woken vCPU first ran
};

struct Dispatch {
  Cycles at;
  unsigned cpu;
  VcpuId vcpu;
  Cycles slice;
};

struct Outcome {
  std::vector<VcpuResult> vcpus;
  std::vector<Wake> wakes;
  std::vector<Dispatch> dispatches;
  std::string dump;  // the policy's state summary at the end
};

// As the VMM does: every parameter of the table, the defaults (microseconds)
// converted to cycles where `given` has no value.
Params with_defaults(const vmm_sched_ops_t& ops, const Params& given) {
  Params all;
  for (std::uint32_t i = 0; i < ops.param_count; ++i) {
    const vmm_param_spec_t& spec = ops.params[i];
    std::int64_t value = spec.kind == VMM_PARAM_DURATION
                             ? spec.default_value * static_cast<std::int64_t>(kClock / 1'000'000)
                             : spec.default_value;
    for (const vmm_param_t& p : given)
      if (std::string(p.key) == spec.key) value = p.value;
    all.push_back({spec.key, value});
  }
  return all;
}

// A policy instance made and destroyed through the ops table.
class Instance {
 public:
  Instance(const vmm_sched_ops_t& ops, const Params& given, unsigned cpus = 1) : ops(ops) {
    Params params = with_defaults(ops, given);
    vmm_sched_config_t config{cpus, kClock, params.data(), static_cast<uint32_t>(params.size())};
    self = ops.create(&config, error, sizeof error);
  }
  ~Instance() {
    if (self) ops.destroy(self);
  }
  int insert(VcpuId id, const Params& vm_params = {}, bool runnable = false,
             const std::vector<std::uint8_t>& affinity = {}) {
    vmm_vcpu_info_t info{id,
                         static_cast<uint32_t>(id),
                         0,
                         runnable,
                         kNoCpu,
                         vm_params.data(),
                         static_cast<uint32_t>(vm_params.size()),
                         affinity.empty() ? nullptr : affinity.data(),
                         static_cast<uint32_t>(affinity.size())};
    return ops.insert(self, &info, 0, error, sizeof error);
  }
  vmm_tickle_t wake(VcpuId v, Cycles now) { return ops.wake(self, v, now); }
  VcpuId pick(Cycles now, VcpuId prev = kIdle, Cycles ran = 0, unsigned cpu = 0) {
    last = ops.pick_next(self, cpu, now, prev, ran);
    return last.next;
  }
  std::int64_t priority(VcpuId v) { return ops.priority(self, v); }
  std::string dump() {
    char buf[256];
    ops.dump(self, buf, sizeof buf);
    return buf;
  }

  const vmm_sched_ops_t& ops;
  void* self = nullptr;
  char error[256] = "";
  vmm_decision_t last{};
};

struct Options {
  unsigned cpus = 1;
  Cycles tick = kMs;  // the PIT's default 1 kHz
  // Called after every decision (e.g. to check priorities).
  std::function<void(Instance&, Cycles now)> observe = nullptr;
};

// Zero overheads. At each instant: wakes (in VM order) and their tickles,
// then the tick, then a decision on every pCPU that is due one (idle and
// tickled, slice ended, owner blocked or exited, or tickled).
Outcome simulate(const vmm_sched_ops_t& ops, const Params& params, const std::vector<Vm>& vms,
                 Cycles until, const Options& opt = {}) {
  Outcome out;
  out.vcpus.resize(vms.size());
  Instance sched(ops, params, opt.cpus);
  if (!sched.self) {
    ADD_FAILURE() << "create failed: " << sched.error;
    return out;
  }
  struct Live {
    std::size_t burst = 0;
    Cycles left = 0, wake_at = 0;
    bool runnable = false, exited = false;
    int on = kNoCpu;
    int wake_record = -1;  // index into out.wakes while waiting for its dispatch
  };
  std::vector<Live> live(vms.size());
  for (VcpuId v = 0; v < static_cast<VcpuId>(vms.size()); ++v) {
    std::vector<std::uint8_t> mask;
    for (unsigned c : vms[v].affinity) {
      mask.resize(std::max<std::size_t>(mask.size(), c / 8 + 1));
      mask[c / 8] |= static_cast<std::uint8_t>(1u << (c % 8));
    }
    EXPECT_EQ(sched.insert(v, vms[v].params, false, mask), 0) << sched.error;
    live[v].wake_at = vms[v].bursts.at(0).at;
  }
  struct Cpu {
    VcpuId cur = kIdle;
    Cycles started = 0, slice_end = kForever, resched_at = kForever;
    bool must_pick = true;
  };
  std::vector<Cpu> cpu(opt.cpus);
  Cycles now = 0, next_tick = opt.tick ? opt.tick : kForever;

  auto close_run = [&](unsigned c) {
    Cpu& p = cpu[c];
    if (p.cur != kIdle && now > p.started) {
      out.vcpus[p.cur].runs.push_back({p.started, now});
      out.vcpus[p.cur].cpus.push_back(static_cast<int>(c));
    }
  };
  auto decide = [&](unsigned c) {
    Cpu& p = cpu[c];
    close_run(c);
    VcpuId prev = p.cur;
    VcpuId next = sched.pick(now, prev, prev == kIdle ? 0 : now - p.started, c);
    if (prev != kIdle) live[prev].on = kNoCpu;
    EXPECT_GT(sched.last.slice, 0u);
    p.cur = next;
    p.started = now;
    p.slice_end = sched.last.slice == VMM_FOREVER ? kForever : now + sched.last.slice;
    p.resched_at = kForever;
    p.must_pick = false;
    if (next == kIdle) return;
    Live& l = live.at(next);
    EXPECT_TRUE(l.runnable) << "picked a blocked vCPU " << next << " at " << now;
    EXPECT_EQ(l.on, kNoCpu) << "vCPU " << next << " picked while running on cpu " << l.on;
    if (!vms[next].affinity.empty()) {
      EXPECT_NE(std::find(vms[next].affinity.begin(), vms[next].affinity.end(), c),
                vms[next].affinity.end())
          << "vCPU " << next << " ran outside its affinity";
    }
    l.on = static_cast<int>(c);
    out.dispatches.push_back({now, c, next, sched.last.slice});
    if (l.wake_record >= 0) {
      Wake& w = out.wakes[l.wake_record];
      w.dispatched = now;
      out.vcpus[next].latency.push_back(now - w.at);
      l.wake_record = -1;
    }
  };

  for (;;) {
    for (VcpuId v = 0; v < static_cast<VcpuId>(vms.size()); ++v) {
      Live& l = live[v];
      if (l.runnable || l.exited || l.wake_at > now) continue;
      l.left = vms[v].bursts[l.burst].run;
      l.runnable = true;
      vmm_tickle_t t = sched.wake(v, now);
      if (t.cpu >= 0)
        cpu.at(t.cpu).resched_at = std::min(cpu[t.cpu].resched_at, std::max(t.at, now));
      VcpuId owner = cpu[0].cur;
      int waiting = 0;
      for (VcpuId o = 0; o < static_cast<VcpuId>(vms.size()); ++o)
        waiting += o != v && live[o].runnable && live[o].on == kNoCpu;
      out.wakes.push_back({now, v, sched.priority(v), owner,
                           owner == kIdle ? 0 : sched.priority(owner), cpu[0].slice_end, waiting});
      l.wake_record = static_cast<int>(out.wakes.size()) - 1;
    }
    if (now >= next_tick) {
      for (unsigned c = 0; c < opt.cpus; ++c)
        if (sched.ops.tick && sched.ops.tick(sched.self, c, now))
          cpu[c].resched_at = std::min(cpu[c].resched_at, now);
      next_tick += opt.tick;
    }
    for (unsigned c = 0; c < opt.cpus; ++c) {
      Cpu& p = cpu[c];
      if (p.must_pick || p.resched_at <= now || p.slice_end <= now) {
        decide(c);
        if (opt.observe) opt.observe(sched, now);
      }
    }
    Cycles next = std::min(until, next_tick);
    for (const Cpu& p : cpu) {
      next = std::min({next, p.slice_end, p.resched_at});
      if (p.cur != kIdle) next = std::min(next, now + live[p.cur].left);
    }
    for (const Live& l : live)
      if (!l.runnable && !l.exited) next = std::min(next, l.wake_at);
    for (const Cpu& p : cpu)
      if (p.cur != kIdle) live[p.cur].left -= next - now;
    now = next;
    if (now >= until) {
      for (unsigned c = 0; c < opt.cpus; ++c) close_run(c);
      out.dump = sched.dump();
      return out;
    }
    for (unsigned c = 0; c < opt.cpus; ++c) {
      Cpu& p = cpu[c];
      if (p.cur == kIdle || live[p.cur].left > 0) continue;
      Live& l = live[p.cur];
      l.runnable = false;
      l.exited = ++l.burst == vms[p.cur].bursts.size();
      if (l.exited) {  // as the VMM: the exit removes it, the pCPU is told of no prev
        close_run(c);
        sched.ops.remove(sched.self, p.cur, now);
        l.on = kNoCpu;
        p.cur = kIdle;
      } else {
        sched.ops.block(sched.self, p.cur, now);
        const Burst& b = vms[p.cur].bursts[l.burst];
        l.wake_at = std::max(b.at, now + b.gap);
      }
      p.must_pick = true;
    }
  }
}

double ratio(const VcpuResult& a, const VcpuResult& b, Cycles from, Cycles to) {
  return static_cast<double>(a.cpu_in(from, to)) / static_cast<double>(b.cpu_in(from, to));
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

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
