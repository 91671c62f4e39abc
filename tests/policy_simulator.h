// A harness for policies driven through their C ops tables as the VMM
// drives them (tests/credit2_test.cpp, tests/eevdf_test.cpp): N pCPUs with
// zero overheads, a tick every millisecond, tickles honoured at the time
// asked; it records each vCPU's runs, wakes and dispatches.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"
#include "schedulers/registry.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched::policy_sim {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using Span = std::pair<Cycles, Cycles>;  // [start, end) on a pCPU

// One VM with one vCPU.
struct Vm {
  std::vector<Burst> bursts;
  Params params = {};
  std::vector<unsigned> affinity = {};  // allowed pCPUs; empty = all
};

inline std::vector<Burst> hog(Cycles start = 0) { return {{start, 1000 * kS}}; }
// From `start`: `run` of work, then an I/O wait of `gap`, `count` times.
inline std::vector<Burst> io_loop(Cycles run, Cycles gap, int count, Cycles start = 0) {
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
inline Params with_defaults(const vmm_sched_ops_t& ops, const Params& given) {
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
    const vmm_vcpu_info_t info = vcpu_info(id, vm_params, runnable, affinity);
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
inline Outcome simulate(const vmm_sched_ops_t& ops, const Params& params, const std::vector<Vm>& vms,
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

inline double ratio(const VcpuResult& a, const VcpuResult& b, Cycles from, Cycles to) {
  return static_cast<double>(a.cpu_in(from, to)) / static_cast<double>(b.cpu_in(from, to));
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace vmmsim::sched::policy_sim
