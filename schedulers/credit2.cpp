// credit2: Xen's credit2 scheduler, after xen/common/sched/credit2.c (George
// Dunlap; Dario Faggioli). Every vCPU holds credit, kept in cycles. Running
// burns it at max_weight / weight credit per cycle, so a heavier vCPU burns
// slower. The runnable vCPU with the most credit runs, until its credit would
// fall to that of the next in line. When the vCPU about to run has no credit
// left, every vCPU gets CREDIT_INIT more, its carry-over clipped (a reset), so
// credit never runs away. All pCPUs share one run queue: Xen's default groups
// the pCPUs of a socket into one runqueue, and the simulated platform is one
// socket. Caps are not modelled. See docs/policies/credit2.md.
#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/credit2_credit.h"
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

const vmm_param_spec_t kParams[] = {
    {"ratelimit", VMM_PARAM_DURATION, kRatelimitDefaultUs, 0, kRatelimitMaxUs,
     "credit2: least time a vCPU runs before another may take its pCPU (0: off)"},
    {"min_timer", VMM_PARAM_DURATION, kMinTimerDefaultUs, kTimerMinUs, kTimerMaxUs,
     "credit2: shortest slice (CSCHED2_MIN_TIMER); also the credit kept over a reset"},
    {"max_timer", VMM_PARAM_DURATION, kMaxTimerDefaultUs, kTimerMinUs, kTimerMaxUs,
     "credit2: longest slice (CSCHED2_MAX_TIMER)"},
};

const vmm_param_spec_t kVmParams[] = {
    {"weight", VMM_PARAM_INTEGER, kWeightDefault, 1, kWeightMax,
     "CPU share of each vCPU of the VM, relative to other vCPUs"},
};

class Credit2 final : public Credit2Credit {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Credit2(const vmm_sched_config_t& config)
      : Credit2Credit(config),
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

  std::string dump() const override {
    std::string s = "max_weight=" + std::to_string(max_weight()) +
                    " queued=" + std::to_string(m_runq.size()) +
                    " resets=" + std::to_string(m_resets);
    if (!m_runq.empty()) s += " head=" + std::to_string(runq_head());
    return s;
  }

  // Xen's credit2 has no tick. An idle pCPU with work it may run is woken
  // here: it can happen when a preempted vCPU goes back to the queue, which in
  // Xen tickles from context_saved() and here cannot (pick_next tickles nobody).
  bool tick(unsigned cpu, Cycles /*now*/) override {
    if (current(cpu) != kIdle || m_pcpus[cpu].tickled) return false;
    return m_runq.find_in_order([&](unsigned v) { return allowed(static_cast<VcpuId>(v), cpu); }) !=
           VcpuHeap<IntegerKey>::kNone;
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
  VcpuId candidate(unsigned cpu, VcpuId scurr, bool yield, Cycles now) const {
    if (scurr != kIdle && !yield && m_ratelimit > 0 &&
        now - m_pcpus[cpu].running_since < m_ratelimit)
      return scurr;
    VcpuId snext = scurr;
    // In order, until one wins or nobody further on can: O(1) unless
    // affinity or resistance skips.
    m_runq.find_in_order([&](unsigned id) {
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
    if (!m_runq.empty() && runq_head_credit() > 0) rt_credit = n.credit - runq_head_credit();
    Cycles time = rt_credit > 0 ? to_time(rt_credit, n) : 0;
    if (time < min_time) return min_time;
    return std::min(time, m_max_timer);
  }

  // --- hooks ---

  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    std::int64_t weight = param(info.vm_params, info.vm_param_count, "weight", kWeightDefault);
    if (weight < 1 || weight > kWeightMax)
      throw std::invalid_argument("credit2: VM " + std::to_string(info.vm) + ": weight " +
                                  std::to_string(weight) + " is out of range 1..65535");
    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) {
      m_vcpus.resize(info.id + 1);
      m_runq.grow(static_cast<unsigned>(m_vcpus.size()));
    }
    VcpuState& s = m_vcpus[info.id];
    s = VcpuState{};
    s.credit = m_credit_init;  // csched2_alloc_udata
    s.weight = weight;
    const bool new_max = weight > max_weight() || m_weights.empty();
    if (new_max) settle_all();  // burned at the old max_weight
    ++m_weights[weight];
    weights_changed();
    if (new_max) rekey_all();
    if (info.running_on != kNoCpu) {
      PcpuState& pc = m_pcpus[info.running_on];
      pc.dispatched = pc.running_since = now;
      pc.accounted = 0;
      s.last_cpu = info.running_on;
    }
  }

  void enqueue(VcpuId v, Cycles /*now*/) override { runq_insert(v); }
  void dequeue(VcpuId v) override { runq_remove(v); }

  void charge(VcpuId prev, unsigned cpu, Cycles ran, Cycles /*now*/) override {
    PcpuState& pc = m_pcpus[cpu];
    settle(cpu);
    if (ran > pc.accounted) burn(m_vcpus[prev], ran - pc.accounted);
    pc.accounted = std::max(pc.accounted, ran);
  }

  // As Xen's delayed runq add: prev rejoins the queue only after the choice
  // (and the runtime) are made, so it does not count as "the next in line".
  void requeue(VcpuId prev, Cycles /*now*/) override { m_descheduled = prev; }

  vmm_decision_t select(unsigned cpu, Cycles now) override {
    PcpuState& pc = m_pcpus[cpu];
    pc.tickled = false;
    m_idle_free.insert(cpu);  // idle until the decision: owner_changed follows
    VcpuId scurr = m_descheduled;
    m_descheduled = kIdle;
    bool yield = false;
    if (scurr != kIdle) {
      yield = m_vcpus[scurr].yielded;
      m_vcpus[scurr].yielded = false;
    }
    VcpuId snext = candidate(cpu, scurr, yield, now);
    if (snext == kIdle) {
      place_unplaced();
      return vmm_decision_t{kIdle, VMM_FOREVER};  // a wake tickles it
    }
    const bool continuing = snext == scurr;
    if (!continuing) runq_remove(snext);

    // The epoch ends when the best runnable vCPU has no credit left.
    Credit top = m_vcpus[snext].credit;
    if (!m_runq.empty()) top = std::max(top, runq_head_credit());
    if (top <= 0) reset_credit(snext, now);

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
    if (s.last_cpu != kNoCpu && m_idle_free.test(static_cast<unsigned>(s.last_cpu)) &&
        allowed(v, static_cast<unsigned>(s.last_cpu)))
      target = s.last_cpu;
    else
      target = anywhere ? m_idle_free.first() : m_idle_free.first_in(affinity(v));
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
      m_scan_time = now;  // every busy untickled pCPU is burned to now (lazily)
      if (busy_here(s.last_cpu)) {
        Credit score = s.credit - credit_at(static_cast<unsigned>(s.last_cpu), now);
        if (score > best_score) {
          best_score = score;
          target = s.last_cpu;
        }
      }
      Credit least = 0;
      int other = least_credit(s.last_cpu, now, &least);
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
      for (unsigned c = 0; c < cpus(); ++c)
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
  void on_block(VcpuId v, Cycles /*now*/) override { m_vcpus[v].yielded = false; }

  void on_remove(VcpuId v) override {
    place_unplaced();
    auto it = m_weights.find(m_vcpus[v].weight);
    const bool max_goes = it != m_weights.end() && it->second == 1 && it->first == max_weight();
    if (max_goes) settle_all();  // burned at the old max_weight
    if (it != m_weights.end() && --it->second == 0) m_weights.erase(it);
    weights_changed();
    if (m_descheduled == v) m_descheduled = kIdle;
    m_vcpus[v] = VcpuState{};
    if (max_goes) rekey_all();
  }

  const Cycles m_ratelimit;  // cycles; 0 = off
  const Cycles m_min_timer;
  const Cycles m_max_timer;
  const Credit m_migrate_resist;        // cycles
  const Credit m_migrate_compensation;  // cycles
  VcpuId m_descheduled = kIdle;         // prev between requeue() and select()
  int m_unplaced = kNoCpu;              // left idle by owner_changed, not yet rekeyed
};

}  // namespace

const vmm_sched_ops_t& credit2_ops() {
  static const vmm_sched_ops_t ops = policy_ops<Credit2>(
      "credit2", "Xen credit2: credit burned by weight, most credit first, resets (one runqueue)",
      kImageBytes, kParams, std::size(kParams), kVmParams, std::size(kVmParams));
  return ops;
}

}  // namespace vmmsim::sched
