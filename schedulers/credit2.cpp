// credit2: Xen's credit2 scheduler, after xen/common/sched/credit2.c (George
// Dunlap; Dario Faggioli). Every vCPU holds credit, kept in cycles. Running
// burns it at max_weight / weight credit per cycle, so a heavier vCPU burns
// slower. The runnable vCPU with the most credit runs, until its credit would
// fall to that of the next in line. When the vCPU about to run has no credit
// left, every vCPU gets CREDIT_INIT more, its carry-over clipped (a reset), so
// credit never runs away. The pCPUs are split into runqueues as Xen splits
// one socket (runqueues of at most 16 pCPUs by default; up to 16 pCPUs, one),
// each with its own queue, credit and resets, between which balance_load
// moves vCPUs. Caps are not modelled. See docs/policies/credit2.md.
#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/credit2_balance.h"
#include "schedulers/policy.h"
#include "schedulers/registry.h"

namespace vmmsim::sched {
namespace {

using namespace credit2;

// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 20 * 1024;
// Duration specs and the constants below are in microseconds; the policy
// works in cycles.
constexpr std::int64_t kMigrateResistUs = 500;       // sched_credit2_migrate_resist default
constexpr std::int64_t kMigrateCompensationUs = 50;  // CSCHED2_MIGRATE_COMPENSATION
constexpr std::int64_t kRatelimitDefaultUs = 1'000;  // sched_ratelimit_us default
constexpr std::int64_t kRatelimitMaxUs = 500'000;    // XEN_SYSCTL_SCHED_RATELIMIT_MAX
constexpr std::int64_t kMinTimerDefaultUs = 500;     // CSCHED2_MIN_TIMER
constexpr std::int64_t kMaxTimerDefaultUs = 10'000;  // CSCHED2_MAX_TIMER (= CREDIT_INIT)
constexpr std::int64_t kTimerMinUs = 10;
constexpr std::int64_t kTimerMaxUs = 1'000'000;  // 1 s
constexpr std::int64_t kWeightMax = 65535;
constexpr std::int64_t kRunqueueCpusDefault = 16;  // sched_credit2_max_cpus_runqueue default
constexpr std::int64_t kRunqueueCpusMax = 4096;     // [platform] cpus at most

const vmm_param_spec_t kParams[] = {
    {"ratelimit", VMM_PARAM_DURATION, kRatelimitDefaultUs, 0, kRatelimitMaxUs,
     "credit2: least time a vCPU runs before another may take its pCPU (0: off)"},
    {"min_timer", VMM_PARAM_DURATION, kMinTimerDefaultUs, kTimerMinUs, kTimerMaxUs,
     "credit2: shortest slice (CSCHED2_MIN_TIMER); also the credit kept over a reset"},
    {"max_timer", VMM_PARAM_DURATION, kMaxTimerDefaultUs, kTimerMinUs, kTimerMaxUs,
     "credit2: longest slice (CSCHED2_MAX_TIMER)"},
    {"runqueue_cpus", VMM_PARAM_INTEGER, kRunqueueCpusDefault, 1, kRunqueueCpusMax,
     "credit2: most pCPUs in one runqueue (sched_credit2_max_cpus_runqueue)"},
};

const vmm_param_spec_t kVmParams[] = {
    {"weight", VMM_PARAM_INTEGER, kWeightDefault, 1, kWeightMax,
     "CPU share of each vCPU of the VM, relative to other vCPUs"},
};

class Credit2 final : public Credit2Balance {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Credit2(const vmm_sched_config_t& config)
      : Credit2Balance(config, layout(config)),
        m_ratelimit(static_cast<Cycles>(config_param("ratelimit"))),
        m_min_timer(static_cast<Cycles>(config_param("min_timer"))),
        m_max_timer(static_cast<Cycles>(config_param("max_timer"))),
        m_migrate_resist(from_us(kMigrateResistUs)),
        m_migrate_compensation(from_us(kMigrateCompensationUs)) {
    if (config_param("ratelimit") < 0)
      throw std::invalid_argument("credit2: ratelimit must not be negative");
    if (config_param("min_timer") <= 0 || config_param("max_timer") <= 0)
      throw std::invalid_argument("credit2: min_timer and max_timer must be at least one cycle");
    if (m_min_timer > m_max_timer)
      throw std::invalid_argument("credit2: min_timer must not exceed max_timer");
  }

  // More credit runs sooner (the queue order).
  std::int64_t priority(VcpuId v) const override {
    if (!known(v)) return 0;
    int cpu = running_on(v);
    return cpu == kNoCpu ? m_vcpus[v].credit : credit_at(static_cast<unsigned>(cpu), pending_time(cpu));
  }

  // One runqueue: its state. Several: each one's, separated by " | ".
  std::string dump() const override {
    std::string s;
    for (unsigned r = 0; r < runqueue_count(); ++r) {
      const Runqueue& rq = runqueue(r);
      if (!s.empty()) s += " | ";
      if (several_runqueues())
        s += "rq" + std::to_string(index_of(rq)) + " load=" + std::to_string(rq.load) + " ";
      s += "max_weight=" + std::to_string(rq.max_weight) + " queued=" + std::to_string(rq.queue.size()) +
           " resets=" + std::to_string(rq.resets);
      if (!rq.queue.empty()) s += " head=" + std::to_string(runq_head(rq));
    }
    return s;
  }

  // Xen's credit2 has no tick. Here it asks a pCPU that a decision tickled
  // (a move by balance_load), and an idle pCPU with work it may run: that can
  // happen when a preempted vCPU goes back to the queue, which in Xen tickles
  // from context_saved() and here cannot (pick_next tickles nobody).
  bool tick(unsigned cpu, Cycles now) override {
    if (m_deferred_at[cpu] <= now) {
      m_deferred_at[cpu] = kForever;
      return true;
    }
    const PcpuState& pc = m_pcpus[cpu];
    if (current(cpu) != kIdle || pc.tickled) return false;
    const Runqueue& rq = rq_of(pc);
    return rq.queue.find_in_order([&](unsigned v) { return allowed(static_cast<VcpuId>(v), cpu); }) !=
           RunqueueHeap::kNone;
  }

 private:
  // A pCPU left idle by pick_next or remove leaves its weight class at
  // select's idle decision or on_remove, the next hook of either: a decision
  // that finds a next owner rekeys the pCPU once, not out and in (the classes
  // are read by wakes only; a reset rekeys every pCPU anyway).
  void owner_changed(unsigned cpu, VcpuId v) override {
    m_idle_free.set(cpu, v == kIdle && !m_pcpus[cpu].tickled);
    if (v == kIdle) {
      m_unplaced = static_cast<int>(cpu);
      return;
    }
    if (m_unplaced == static_cast<int>(cpu)) m_unplaced = kNoCpu;
    rekey(cpu);
  }
  void place_unplaced() {
    if (m_unplaced == kNoCpu) return;
    rekey(static_cast<unsigned>(m_unplaced));
    m_unplaced = kNoCpu;
  }

  // --- run queue ---

  // runq_candidate: scurr (the vCPU just descheduled here, still runnable;
  // kIdle if none) keeps the pCPU unless a queued vCPU has more credit.
  static RunqueueLayout layout(const vmm_sched_config_t& config) {
    const std::int64_t most = param(config.params, config.param_count, "runqueue_cpus", kRunqueueCpusDefault);
    if (most < 1 || most > kRunqueueCpusMax)
      throw std::invalid_argument("credit2: runqueue_cpus must be in 1..4096");
    return RunqueueLayout::of(config.cpus, static_cast<unsigned>(most));
  }

  VcpuId candidate(unsigned cpu, VcpuId scurr, bool yield, Cycles now) const {
    if (scurr != kIdle && !yield && m_ratelimit > 0 &&
        now - m_pcpus[cpu].running_since < m_ratelimit)
      return scurr;
    VcpuId snext = scurr;
    // In order, until one wins or nobody further on can: O(1) unless
    // affinity or resistance skips.
    rq_of_cpu(cpu).queue.find_in_order([&](unsigned id) {
      const auto v = static_cast<VcpuId>(id);
      if (!allowed(v, cpu)) return false;
      const VcpuState& s = m_vcpus[v];
      if (scurr != kIdle) {
        Credit best = m_vcpus[scurr].credit;
        if (!yield && s.credit <= best) return true;  // sorted: nobody further on wins
        // Pull from another pCPU only for a margin (CSCHED2_MIGRATE_RESIST).
        if (s.last_cpu != kNoCpu && s.last_cpu != static_cast<int>(cpu) &&
            best + m_migrate_resist > s.credit)
          return false;
      }
      snext = v;
      return true;
    });
    return snext;
  }

  // csched2_runtime: run until snext's credit falls to the head's (or to 0),
  // within [max(min_timer, ratelimit left), max_timer].
  Cycles runtime(VcpuId snext, unsigned cpu, bool continuing, Cycles now) const {
    const VcpuState& n = m_vcpus[snext];
    Cycles min_time = m_min_timer;
    if (m_ratelimit > 0) {
      Cycles ratelimit_min = m_ratelimit;
      if (continuing) {
        Cycles until = m_pcpus[cpu].running_since + m_ratelimit;
        ratelimit_min = until > now ? until - now : 0;
      }
      min_time = std::max(min_time, ratelimit_min);
    }
    Credit rt_credit = n.credit;
    const Runqueue& rq = rq_of_cpu(cpu);
    if (!rq.queue.empty() && runq_head_credit(rq) > 0) rt_credit = n.credit - runq_head_credit(rq);
    Cycles time = rt_credit > 0 ? to_time(rt_credit, n, m_pcpus[cpu].max_weight) : 0;
    if (time < min_time) return min_time;
    return std::min(time, m_max_timer);
  }

  // An idle untickled pCPU of rq (in mask, if given), or kNoCpu.
  int idle_in(const Runqueue& rq, const CpuSet* mask) const {
    const int c = m_idle_free.first_from(rq.first_cpu, mask);
    return c != kNoCpu && rq.holds(static_cast<unsigned>(c)) ? c : kNoCpu;
  }

  // --- hooks ---

  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    std::int64_t weight = param(info.vm_params, info.vm_param_count, "weight", kWeightDefault);
    if (weight < 1 || weight > kWeightMax)
      throw std::invalid_argument("credit2: VM " + std::to_string(info.vm) + ": weight " +
                                  std::to_string(weight) + " is out of range 1..65535");
    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) {
      m_vcpus.resize(info.id + 1);
      m_queue_positions.resize(m_vcpus.size(), RunqueueHeap::kNone);
      for (unsigned r = 0; r < runqueue_count(); ++r) runqueue(r).queue.positions().attach(m_queue_positions);
      m_assigned_links.resize(m_vcpus.size());
    }
    VcpuState& s = m_vcpus[info.id];
    s = VcpuState{};
    s.credit = m_credit_init;  // csched2_alloc_udata
    s.weight = weight;
    s.load_updated = load_time(now);
    // csched2_unit_insert: on its pCPU's runqueue if it runs (a live
    // replacement), else on the least loaded one.
    if (info.running_on != kNoCpu)
      assign(info.id, rq_of_cpu(static_cast<unsigned>(info.running_on)));
    else
      assign(info.id, several_runqueues() ? least_loaded(affinity_of(info)) : m_first);
    if (info.running_on != kNoCpu) {
      PcpuState& pc = m_pcpus[info.running_on];
      pc.dispatched = pc.running_since = now;
      pc.accounted = 0;
      s.last_cpu = info.running_on;
      load_changed(info.id, +1, now);
    }
  }

  void enqueue(VcpuId v, Cycles now) override {
    load_changed(v, +1, now);
    runq_insert(v);
  }
  void dequeue(VcpuId v) override { runq_remove(v); }  // the load: on_block, on_remove

  void charge(VcpuId prev, unsigned cpu, Cycles ran, Cycles /*now*/) override {
    PcpuState& pc = m_pcpus[cpu];
    settle(cpu);
    if (ran > pc.accounted) burn(m_vcpus[prev], pc.max_weight, ran - pc.accounted);
    pc.accounted = std::max(pc.accounted, ran);
    if (several_runqueues()) descheduled(prev);
  }

  // As Xen's delayed runq add: prev rejoins the queue only after the choice
  // (and the runtime) are made, so it does not count as "the next in line".
  // Asked to move by balance_load, it moves instead.
  void requeue(VcpuId prev, Cycles now) override {
    if (moving(prev))
      finish_move(prev, now);
    else
      m_descheduled = prev;
  }

  vmm_decision_t select(unsigned cpu, Cycles now) override {
    if (several_runqueues()) return select_balancing(cpu, now);
    Runqueue& rq = rq_of_cpu(cpu);
    const Aside aside = begin_decision(cpu);
    const VcpuId snext = candidate(cpu, aside.scurr, aside.yield, now);
    if (snext == kIdle) {
      place_unplaced();
      return vmm_decision_t{kIdle, VMM_FOREVER};  // a wake tickles it
    }
    if (snext != aside.scurr) runq_remove(snext);
    if (epoch_ended(rq, snext)) reset_credit(rq, snext, now);
    return dispatch(cpu, snext, aside.scurr, now);
  }

  // select() with several runqueues: the load kept fresh, and a reset
  // followed by balance_load, which may move a vCPU of this very decision.
  [[gnu::noinline]] vmm_decision_t select_balancing(unsigned cpu, Cycles now) {
    const vmm_decision_t d = choose_balancing(cpu, now);
    context_saved(now);
    return d;
  }
  vmm_decision_t choose_balancing(unsigned cpu, Cycles now) {
    Runqueue& rq = rq_of_cpu(cpu);
    m_deferred_at[cpu] = kForever;  // this decision is what it was asked for
    Aside aside = begin_decision(cpu);
    for (bool balanced = false;; balanced = true) {
      const VcpuId snext = candidate(cpu, aside.scurr, aside.yield, now);
      if (snext == kIdle) {
        refresh_load(rq, kIdle, now);
        place_unplaced();
        return vmm_decision_t{kIdle, VMM_FOREVER};
      }
      if (snext != aside.scurr)
        runq_remove(snext);
      else
        refresh_load(rq, snext, now);
      if (!epoch_ended(rq, snext)) return dispatch(cpu, snext, aside.scurr, now);
      reset_credit(rq, snext, now);
      if (balanced) return dispatch(cpu, snext, aside.scurr, now);
      place_unplaced();  // this pCPU out of the weight classes (the reset did it too)
      if (!balance_after_reset(cpu, aside.scurr, snext, now)) return dispatch(cpu, snext, aside.scurr, now);
    }
  }

  // A decision's start: the pCPU no longer tickled, idle until it chooses
  // (owner_changed follows), and the vCPU requeue() set aside.
  struct Aside {
    VcpuId scurr;  // kIdle: none
    bool yield;
  };
  Aside begin_decision(unsigned cpu) {
    m_pcpus[cpu].tickled = false;
    m_idle_free.insert(cpu);
    Aside aside{m_descheduled, false};
    m_descheduled = kIdle;
    if (aside.scurr != kIdle) {
      aside.yield = m_vcpus[aside.scurr].yielded;
      m_vcpus[aside.scurr].yielded = false;
    }
    return aside;
  }
  // The epoch ends when the best runnable vCPU has no credit left.
  bool epoch_ended(const Runqueue& rq, VcpuId snext) const {
    Credit top = m_vcpus[snext].credit;
    if (!rq.queue.empty()) top = std::max(top, runq_head_credit(rq));
    return top <= 0;
  }
  // snext gets the pCPU (scurr, if set aside and not chosen, rejoins the queue).
  vmm_decision_t dispatch(unsigned cpu, VcpuId snext, VcpuId scurr, Cycles now) {
    PcpuState& pc = m_pcpus[cpu];
    const bool continuing = snext == scurr;
    VcpuState& n = m_vcpus[snext];
    if (n.last_cpu != kNoCpu && n.last_cpu != static_cast<int>(cpu))
      n.credit += m_migrate_compensation;
    n.last_cpu = static_cast<int>(cpu);
    if (!continuing) pc.running_since = now;
    Cycles slice = runtime(snext, cpu, continuing, now);
    if (scurr != kIdle && !continuing) runq_insert(scurr);
    pc.dispatched = now;
    pc.accounted = 0;
    return vmm_decision_t{snext, slice};
  }

  // runq_tickle: an idle pCPU (the vCPU's own first), else the busy pCPU whose
  // owner has the least credit, if v has more by MIGRATE_RESIST (none needed
  // where v ran last). O(log pCPUs) for a vCPU without affinity; O(pCPUs)
  // for one with (the scan of Xen).
  vmm_tickle_t tickle_for(VcpuId v, Cycles now) override {
    const VcpuState& s = m_vcpus[v];
    const bool anywhere = unrestricted(v);
    int target = kNoCpu;
    Runqueue& rq = rq_of(s);
    if (s.last_cpu != kNoCpu && m_idle_free.test(static_cast<unsigned>(s.last_cpu)) &&
        allowed(v, static_cast<unsigned>(s.last_cpu)))
      target = s.last_cpu;
    else if (!several_runqueues())
      target = anywhere ? m_idle_free.first() : m_idle_free.first_in(affinity(v));
    else
      target = idle_in(rq, anywhere ? nullptr : &affinity(v));
    if (target != kNoCpu) {
      tickle(target);
      return tickle_now(target, now);
    }

    auto busy_here = [&](int c) {
      return c != kNoCpu && current(static_cast<unsigned>(c)) != kIdle && !m_pcpus[c].tickled &&
             allowed(v, static_cast<unsigned>(c));
    };
    const Credit resist = s.last_cpu != kNoCpu ? m_migrate_resist : 0;
    Credit best_score = 0;
    if (anywhere) {
      rq.scan_time = now;  // every busy untickled pCPU is burned to now (lazily)
      if (busy_here(s.last_cpu)) {
        Credit score = s.credit - credit_at(static_cast<unsigned>(s.last_cpu), now);
        if (score > best_score) {
          best_score = score;
          target = s.last_cpu;
        }
      }
      Credit least = 0;
      int other = least_credit(rq, s.last_cpu, now, &least);
      if (other != kNoCpu && s.credit - least - resist > best_score) target = other;
    } else {
      auto consider = [&](unsigned c) {
        if (!busy_here(static_cast<int>(c))) return;
        burn_running(c, now);
        rekey(c);  // a burn that reaches CREDIT_MIN changes the key
        VcpuId owner = current(c);
        Credit score = s.credit - m_vcpus[owner].credit;
        if (static_cast<int>(c) != s.last_cpu) score -= resist;
        if (score > best_score) {
          best_score = score;
          target = static_cast<int>(c);
        }
      };
      if (s.last_cpu != kNoCpu) consider(static_cast<unsigned>(s.last_cpu));
      for (unsigned c = rq.first_cpu; c < rq.first_cpu + rq.cpus; ++c)
        if (static_cast<int>(c) != s.last_cpu) consider(c);
    }
    if (target == kNoCpu) return vmm_tickle_t{kNoCpu, 0};
    settle(static_cast<unsigned>(target));  // burned up to this tickle, no further
    tickle(target);
    PcpuState& pc = m_pcpus[target];
    // Xen leaves an owner that ran less than the ratelimit alone; here the
    // pCPU is asked again the moment the ratelimit lets it go.
    return vmm_tickle_t{target, std::max(now, pc.running_since + m_ratelimit)};
  }

  void on_yield(VcpuId v, Cycles /*now*/) override {
    if (running_on(v) != kNoCpu) m_vcpus[v].yielded = true;
  }
  void on_block(VcpuId v, Cycles now) override {
    m_vcpus[v].yielded = false;
    if (running_on(v) == kNoCpu) load_changed(v, -1, now);  // a running one: at its deschedule
  }

  void on_remove(VcpuId v, Cycles now) override {
    place_unplaced();
    load_changed(v, -1, now);
    deassign(v);
    if (m_descheduled == v) m_descheduled = kIdle;
    m_vcpus[v] = VcpuState{};
  }

  const Cycles m_ratelimit;  // cycles; 0 = off
  const Cycles m_min_timer;
  const Cycles m_max_timer;
  const Credit m_migrate_resist;        // cycles
  const Credit m_migrate_compensation;  // cycles
  int m_unplaced = kNoCpu;              // left idle by owner_changed, not yet rekeyed
};

}  // namespace

const vmm_sched_ops_t& credit2_ops() {
  static const vmm_sched_ops_t ops = policy_ops<Credit2>(
      "credit2", "Xen credit2: credit burned by weight, most credit first, resets, runqueues of up to 16 pCPUs",
      kImageBytes, kParams, std::size(kParams), kVmParams, std::size(kVmParams));
  return ops;
}

}  // namespace vmmsim::sched
