// The credit tests' harness (tests/credit_test.cpp): a multi-pCPU loop that
// drives the credit policy through its C ops table as the VMM does, with zero
// overheads, honouring slices, tickles and tick() answers, and logging every
// vCPU's runs, wake latencies and priorities.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "base/units.h"
#include "schedulers/registry.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched::credit_test {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
constexpr std::int64_t kBoost = 2, kUnder = 1, kOver = 0, kParked = VMM_PRIORITY_HELD;

// Every [sched.credit] parameter, defaults filled in as the VMM does (the
// spec's microseconds in cycles), with `overrides` applied.
inline Params with_defaults(const Params& overrides = {}) {
  const vmm_sched_ops_t& ops = credit_ops();
  Params all;
  for (std::uint32_t i = 0; i < ops.param_count; ++i) {
    const vmm_param_spec_t& spec = ops.params[i];
    std::int64_t value = spec.default_value;
    if (spec.kind == VMM_PARAM_DURATION) value *= static_cast<std::int64_t>(kUs);
    for (const vmm_param_t& o : overrides)
      if (std::string(o.key) == spec.key) value = o.value;
    all.push_back({spec.key, value});
  }
  return all;
}

// A step of a vCPU's program, repeated forever.
struct Step {
  enum Kind { Run, Block, Yield } kind;
  Cycles cycles = 0;  // Run: CPU work; Block: time until the wake
};
inline Step run(Cycles c) { return {Step::Run, c}; }
inline Step block(Cycles c) { return {Step::Block, c}; }
inline Step yield() { return {Step::Yield, 0}; }

// One VM with one vCPU. A program starts with a Run step.
struct Vm {
  std::vector<Step> program;
  Params params = {};
  std::vector<unsigned> affinity = {};  // empty: every pCPU
  int vm = -1;                          // VM index; -1: a VM of its own
  Cycles arrive = 0;                    // first wake
};
inline Vm hog(Params params = {}) { return Vm{{run(100 * kS)}, std::move(params)}; }

struct Segment {
  unsigned cpu;
  Cycles start, end;
};

struct VcpuLog {
  std::vector<Segment> runs;
  std::vector<Cycles> latency;          // wake to dispatch
  std::vector<std::int64_t> woke_with;  // priority() right after each wake
  unsigned migrations = 0;
  Cycles longest_wait = 0;  // runnable but not running

  Cycles cpu_in(Cycles from, Cycles to) const {
    Cycles sum = 0;
    for (const Segment& s : runs)
      if (std::min(s.end, to) > std::max(s.start, from))
        sum += std::min(s.end, to) - std::max(s.start, from);
    return sum;
  }
  bool only_on(unsigned cpu) const {
    return std::all_of(runs.begin(), runs.end(), [&](const Segment& s) { return s.cpu == cpu; });
  }
};

// Drives one policy instance. Order at each instant: program steps that end
// now (yield, block), wakes due now (in vCPU order), ticks, then a decision
// on every pCPU whose slice ended, that was asked to reschedule or lost its
// owner. Checks every decision the way the VMM's watchdog would.
class Driver {
 public:
  Driver(Params params, unsigned cpus, std::vector<Vm> vms, Cycles tick_every = 10 * kMs)
      : log(vms.size()),
        m_ops(credit_ops()),
        m_vms(std::move(vms)),
        m_tick_every(tick_every),
        m_cpus(cpus),
        m_live(m_vms.size()) {
    params = with_defaults(params);
    vmm_sched_config_t config{cpus, kClock, params.data(),
                              static_cast<std::uint32_t>(params.size())};
    m_self = m_ops.create(&config, m_error, sizeof m_error);
    if (!m_self) return;
    for (VcpuId v = 0; v < static_cast<VcpuId>(m_vms.size()); ++v) {
      const Vm& vm = m_vms[v];
      std::vector<std::uint8_t> mask;
      for (unsigned c : vm.affinity) {
        mask.resize(std::max<std::size_t>(mask.size(), c / 8 + 1));
        mask[c / 8] |= static_cast<std::uint8_t>(1u << (c % 8));
      }
      auto vm_index = static_cast<std::uint32_t>(vm.vm < 0 ? v : vm.vm);
      vmm_vcpu_info_t info{v,
                           vm_index,
                           0,
                           0,
                           kNoCpu,
                           vm.params.data(),
                           static_cast<std::uint32_t>(vm.params.size()),
                           mask.empty() ? nullptr : mask.data(),
                           static_cast<std::uint32_t>(mask.size())};
      EXPECT_EQ(m_ops.insert(m_self, &info, 0, m_error, sizeof m_error), 0) << m_error;
      m_live[v].left = vm.program.at(0).cycles;
      m_live[v].wake_at = vm.arrive;
    }
  }
  ~Driver() {
    if (m_self) m_ops.destroy(m_self);
  }
  bool ok() const { return m_self != nullptr; }
  const char* error() const { return m_error; }
  std::int64_t priority(VcpuId v) const { return m_ops.priority(m_self, v); }

  // Runs until `until` (may be called again to go on).
  void run_until(Cycles until) {
    for (;;) {
      steps_ending_now();
      wakes_due_now();
      if (m_now >= m_next_tick) {
        for (unsigned c = 0; c < m_cpus.size(); ++c)
          if (m_ops.tick && m_ops.tick(m_self, c, m_now))
            m_cpus[c].resched_at = std::min(m_cpus[c].resched_at, m_now);
        m_next_tick += m_tick_every;
      }
      for (unsigned c = 0; c < m_cpus.size(); ++c) {
        Pcpu& p = m_cpus[c];
        if (p.must_pick || p.resched_at <= m_now || p.slice_end <= m_now) pick(c);
      }
      Cycles next = std::min(until, m_next_tick);
      for (const Pcpu& p : m_cpus) {
        next = std::min({next, p.slice_end, std::max(p.resched_at, m_now)});
        if (p.owner != kIdle) next = std::min(next, m_now + m_live[p.owner].left);
      }
      for (const Live& l : m_live)
        if (!l.runnable) next = std::min(next, l.wake_at);
      if (next <= m_now && next < until) {
        ADD_FAILURE() << "no progress at " << m_now;
        return;
      }
      for (const Pcpu& p : m_cpus)
        if (p.owner != kIdle) m_live[p.owner].left -= next - m_now;
      m_now = next;
      if (m_now >= until) {
        for (unsigned c = 0; c < m_cpus.size(); ++c) close_segment(c);
        return;
      }
    }
  }

  std::vector<VcpuLog> log;

 private:
  struct Pcpu {
    VcpuId owner = kIdle;
    Cycles started = 0, slice_end = kForever, resched_at = kForever;
    bool must_pick = true;
  };
  struct Live {
    std::size_t pc = 0;  // the step being executed
    Cycles left = 0;     // of the current Run step
    bool runnable = false, awaiting_dispatch = false;
    Cycles wake_at = 0, woke = 0, waiting_since = 0;
    int cpu = kNoCpu, last_cpu = kNoCpu;
  };

  void steps_ending_now() {
    for (unsigned c = 0; c < m_cpus.size(); ++c) {
      VcpuId v = m_cpus[c].owner;
      if (v == kIdle || m_live[v].left > 0) continue;
      Live& l = m_live[v];
      const std::vector<Step>& prog = m_vms[v].program;
      l.pc = (l.pc + 1) % prog.size();
      const Step step = prog[l.pc];
      if (step.kind == Step::Run) {
        l.left = step.cycles;
        continue;
      }
      l.pc = (l.pc + 1) % prog.size();  // the step after a yield or block is a Run
      l.left = prog[l.pc].cycles;
      if (step.kind == Step::Yield) {
        m_ops.yield(m_self, v, m_now);
      } else {
        m_ops.block(m_self, v, m_now);
        l.runnable = false;
        l.wake_at = m_now + step.cycles;
      }
      m_cpus[c].must_pick = true;
    }
  }

  void wakes_due_now() {
    for (VcpuId v = 0; v < static_cast<VcpuId>(m_live.size()); ++v) {
      Live& l = m_live[v];
      if (l.runnable || l.wake_at > m_now) continue;
      l.runnable = l.awaiting_dispatch = true;
      l.woke = l.waiting_since = m_now;
      vmm_tickle_t t = m_ops.wake(m_self, v, m_now);
      log[v].woke_with.push_back(m_ops.priority(m_self, v));
      if (t.cpu != kNoCpu) {
        EXPECT_LT(t.cpu, static_cast<int>(m_cpus.size()));
        m_cpus.at(t.cpu).resched_at = std::min(m_cpus[t.cpu].resched_at, std::max(t.at, m_now));
      }
    }
  }

  // Records the owner's time on c up to now; a vCPU that keeps its pCPU
  // across decisions has one segment.
  void close_segment(unsigned c) {
    Pcpu& p = m_cpus[c];
    if (p.owner != kIdle && m_now > p.started) {
      std::vector<Segment>& runs = log[p.owner].runs;
      if (!runs.empty() && runs.back().cpu == c && runs.back().end == p.started)
        runs.back().end = m_now;
      else
        runs.push_back({c, p.started, m_now});
    }
    p.started = m_now;
  }

  void pick(unsigned c) {
    Pcpu& p = m_cpus[c];
    VcpuId prev = p.owner;
    Cycles ran = m_now - p.started;
    close_segment(c);
    vmm_decision_t d = m_ops.pick_next(m_self, c, m_now, prev, prev == kIdle ? 0 : ran);
    EXPECT_GT(d.slice, 0u);
    if (prev != kIdle) {
      m_live[prev].cpu = kNoCpu;
      m_live[prev].waiting_since = m_now;
    }
    p.owner = d.next;
    p.slice_end = d.next == kIdle || d.slice == VMM_FOREVER ? kForever : m_now + d.slice;
    p.resched_at = kForever;
    p.must_pick = false;
    if (d.next == kIdle) return;
    Live& l = m_live.at(d.next);
    EXPECT_TRUE(l.runnable) << "picked blocked vCPU " << d.next << " at " << m_now;
    EXPECT_EQ(l.cpu, kNoCpu) << "vCPU " << d.next << " picked while on cpu " << l.cpu;
    const std::vector<unsigned>& a = m_vms[d.next].affinity;
    EXPECT_TRUE(a.empty() || std::find(a.begin(), a.end(), c) != a.end())
        << "vCPU " << d.next << " placed on cpu " << c << " outside its affinity";
    l.cpu = static_cast<int>(c);
    if (l.last_cpu != kNoCpu && l.last_cpu != static_cast<int>(c)) ++log[d.next].migrations;
    l.last_cpu = static_cast<int>(c);
    log[d.next].longest_wait = std::max(log[d.next].longest_wait, m_now - l.waiting_since);
    if (l.awaiting_dispatch) log[d.next].latency.push_back(m_now - l.woke);
    l.awaiting_dispatch = false;
  }

  const vmm_sched_ops_t& m_ops;
  void* m_self = nullptr;
  char m_error[256] = "";
  std::vector<Vm> m_vms;
  Cycles m_tick_every;
  std::vector<Pcpu> m_cpus;
  std::vector<Live> m_live;
  Cycles m_now = 0;
  Cycles m_next_tick = 0;
};

inline double share(const VcpuLog& l, Cycles from, Cycles to, unsigned cpus = 1) {
  return static_cast<double>(l.cpu_in(from, to)) / static_cast<double>((to - from) * cpus);
}

}  // namespace vmmsim::sched::credit_test
