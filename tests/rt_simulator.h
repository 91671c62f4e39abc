// The real-time policies' harness (tests/rtds_test.cpp,
// tests/arinc653_test.cpp): direct calls for single decisions, and a
// multi-pCPU loop with zero overheads (simulate) for schedules, as the VMM
// drives a policy through its C ops table.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "base/units.h"
#include "schedulers/registry.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched::rt_sim {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params


struct VcpuSpec {
  std::vector<Burst> bursts;
  Params params = {};
  std::vector<std::uint8_t> affinity = {};  // empty: every pCPU
};

inline VcpuSpec cpu_bound(Params params = {}) { return VcpuSpec{{{0, 100 * kS}}, std::move(params)}; }

struct Span {
  VcpuId vcpu;  // kIdle for an idle pCPU
  Cycles start, end;
  bool operator==(const Span& o) const {
    return vcpu == o.vcpu && start == o.start && end == o.end;
  }
};

inline std::ostream& operator<<(std::ostream& os, const Span& s) {
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
    const vmm_vcpu_info_t info = vcpu_info(id, vm_params, runnable, affinity);
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
inline std::uint64_t dump_value(const std::string& dump, const std::string& key) {
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
inline std::map<VcpuId, std::uint64_t> vcpu_misses(const std::string& dump) {
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
inline Schedule simulate(const vmm_sched_ops_t& ops, const Params& params,
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

inline Params rt(Cycles period, Cycles budget, int extratime = 0) {
  return {{"period", int64_t(period)}, {"budget", int64_t(budget)}, {"extratime", extratime}};
}

}  // namespace vmmsim::sched::rt_sim
