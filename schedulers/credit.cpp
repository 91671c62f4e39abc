// credit: Xen's credit scheduler (credit1), after xen/common/sched/credit.c
// (Emmanuel Ackaouy, XenSource 2005-2006). Every vCPU holds credits; running
// burns 10 credits per ms, measured by timestamp at every deschedule and every
// tick. Every tslice an accounting pass shares out one tslice of credits per
// pCPU among the active VMs by weight (capped VMs get no more than their cap),
// and sets each vCPU's priority: UNDER with credits left, OVER without. A vCPU
// that wakes while UNDER is BOOSTed until a tick finds it running. Each pCPU
// has a run queue ordered BOOST > UNDER > OVER, FIFO within a priority; a pCPU
// with nothing better than OVER steals from busy peers. Semantics, parameters
// and deviations from Xen: docs/policies/credit.md. The run queues are in
// credit_runqueue.h, the accounting pass's sharing in credit_accounting.h.
#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/cpu_set.h"
#include "schedulers/credit_accounting.h"
#include "schedulers/credit_runqueue.h"
#include "schedulers/policy.h"
#include "schedulers/registry.h"

namespace vmmsim::sched {
namespace {

// --- constants, with their units (duration specs are in microseconds) ---

// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 24 * 1024;
constexpr std::int64_t kCreditsPerMs = 10;  // CSCHED_CREDITS_PER_MSEC
constexpr std::int64_t kCreditsPerSecond = kCreditsPerMs * 1000;
constexpr std::int64_t kTsliceDefaultUs = 30'000;      // CSCHED_DEFAULT_TSLICE_MS
constexpr std::int64_t kTsliceMinUs = 1'000;           // XEN_SYSCTL_CSCHED_TSLICE_MIN (1 ms)
constexpr std::int64_t kTsliceMaxUs = 1'000'000;       // XEN_SYSCTL_CSCHED_TSLICE_MAX (1 s)
constexpr std::int64_t kRatelimitDefaultUs = 1'000;    // SCHED_DEFAULT_RATELIMIT_US
constexpr std::int64_t kRatelimitMinUs = 100;          // XEN_SYSCTL_SCHED_RATELIMIT_MIN
constexpr std::int64_t kRatelimitMaxUs = 500'000;      // XEN_SYSCTL_SCHED_RATELIMIT_MAX
constexpr std::int64_t kMinTimerUs = kRatelimitMinUs;  // CSCHED_MIN_TIMER: shortest slice
constexpr std::int64_t kTickDefaultUs = 10'000;        // tslice / CSCHED_TICKS_PER_TSLICE (3)
constexpr std::int64_t kTickMinUs = 100;
constexpr std::int64_t kTickMaxUs = 1'000'000;
constexpr std::int64_t kWeightDefault = 256;  // CSCHED_DEFAULT_WEIGHT
constexpr std::int64_t kWeightMax = 65535;
constexpr std::int64_t kCapMax = 6400;  // % of one pCPU: 64 pCPUs flat out

// Priorities, as priority() reports them: Xen's BOOST 0, UNDER -1, OVER -2
// plus 2, so that higher is more urgent.
constexpr int kOver = 0;
constexpr int kUnder = 1;
constexpr int kBoost = 2;
constexpr int kIdlePri = -64;            // what an idle pCPU "runs" (CSCHED_PRI_IDLE)
constexpr std::int64_t kParkedPri = VMM_PRIORITY_HELD;  // a capped vCPU held off its queue

const vmm_param_spec_t kParams[] = {
    {"tslice", VMM_PARAM_DURATION, kTsliceDefaultUs, kTsliceMinUs, kTsliceMaxUs,
     "time slice of a dispatch, and the accounting period that shares out credits"},
    {"ratelimit", VMM_PARAM_DURATION, kRatelimitDefaultUs, 0, kRatelimitMaxUs,
     "least time a vCPU keeps its pCPU unless it blocks or yields (0: off; else >= 100us)"},
    {"tick", VMM_PARAM_DURATION, kTickDefaultUs, kTickMinUs, kTickMaxUs,
     "per-pCPU tick: burns the running vCPU's credits, ends its BOOST"},
};

const vmm_param_spec_t kVmParams[] = {
    {"weight", VMM_PARAM_INTEGER, kWeightDefault, 1, kWeightMax,
     "CPU share of each vCPU of the VM, relative to other active vCPUs"},
    {"cap", VMM_PARAM_INTEGER, 0, 0, kCapMax,
     "most CPU the whole VM may use, in % of one pCPU (0: no cap)"},
};

using QueueKey = CreditQueueKey;

class Credit final : public Policy {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Credit(const vmm_sched_config_t& config)
      : Policy(config),
        m_tslice(static_cast<Cycles>(config_param("tslice"))),
        m_ratelimit(static_cast<Cycles>(config_param("ratelimit"))),
        m_tick(static_cast<Cycles>(config_param("tick"))),
        m_min_timer(clock() * kMinTimerUs / 1'000'000),
        m_credits_per_tslice(
            static_cast<std::int64_t>(m_tslice / clock() * kCreditsPerSecond +
                                      m_tslice % clock() * kCreditsPerSecond / clock())),
        m_accounting(m_credits_per_tslice,
                     m_credits_per_tslice * static_cast<std::int64_t>(config.cpus)),
        m_pcpus(config.cpus),
        m_runqs(config.cpus),
        m_idlers(config.cpus, true) {  // "start off idling"
    if (config_param("tslice") <= 0 || m_credits_per_tslice < 1)
      throw std::invalid_argument("credit: tslice must be at least 100 us (one credit)");
    if (config_param("tick") <= 0) throw std::invalid_argument("credit: tick must be positive");
    if (config_param("ratelimit") < 0 || (m_ratelimit != 0 && m_ratelimit < m_min_timer))
      throw std::invalid_argument("credit: ratelimit must be 0 (off) or at least 100 us");
    if (m_ratelimit > m_tslice)
      throw std::invalid_argument("credit: ratelimit must not exceed tslice");
  }

  std::int64_t priority(VcpuId v) const override {
    if (!known(v)) return 0;
    return m_vcpus[v].parked ? kParkedPri : m_vcpus[v].pri;
  }

  // Xen's per-pCPU ticker (csched_tick) every `tick`, and on pCPU 0 the
  // accounting master (csched_acct) every `tslice`, both at the first VMM
  // tick at or after each multiple of their period.
  bool tick(unsigned cpu, Cycles now) override {
    PcpuState& pc = m_pcpus[cpu];
    bool changed = false;
    if (pc.next_tick == 0) pc.next_tick = (now / m_tick + 1) * m_tick;
    if (now >= pc.next_tick) {
      pc.next_tick = (now / m_tick + 1) * m_tick;
      if (current(cpu) != kIdle) account_running(current(cpu), now);
      changed = true;
    }
    if (cpu == 0) {
      if (m_next_acct == 0) m_next_acct = (now / m_tslice + 1) * m_tslice;
      if (now >= m_next_acct) {
        m_next_acct = (now / m_tslice + 1) * m_tslice;
        account(now);
      }
    }
    if (changed) {
      if (current(cpu) != kIdle)
        pc.resched = pc.resched || outranked(cpu);
      else if (m_runqs.size(cpu) > 0 || find_steal(cpu, kIdlePri))
        pc.resched = true;  // an idle pCPU with work it may take
    }
    bool resched = pc.resched;
    pc.resched = false;
    if (resched && current(cpu) == kIdle) m_idlers.erase(cpu);
    return resched;
  }

  std::string dump() const override {
    std::size_t parked = 0;
    for (const VcpuState& s : m_vcpus) parked += s.parked ? 1 : 0;
    return "tslice=" + std::to_string(m_tslice) + " ratelimit=" + std::to_string(m_ratelimit) +
           " tick=" + std::to_string(m_tick) +
           " credits/tslice=" + std::to_string(m_credits_per_tslice) +
           " active_weight=" + std::to_string(m_accounting.active_weight()) +
           " balance=" + std::to_string(m_accounting.balance()) +
           " queued=" + std::to_string(m_queued) + " parked=" + std::to_string(parked) +
           " idlers=" + std::to_string(m_idlers.count());
  }

 private:
  // --- per-vCPU and per-pCPU state (per VM: m_accounting) ---

  struct VcpuState {  // csched_unit
    unsigned vm = 0;
    int pri = kUnder;
    bool parked = false;    // capped out: not queued until an accounting unparks it
    bool yielding = false;  // set by yield, used by the next requeue
    std::int64_t credit = 0;
    Cycles residual = 0;              // burned time short of a credit, in credit x cycles / second
    Cycles burned_to = 0;             // while running: credits are burned up to here
    unsigned home = 0;                // the pCPU whose queue it joins (Xen: its processor)
    std::vector<unsigned> pinned_to;  // pCPUs it may run on; empty = all
    bool queued = false;              // in m_runqs, under `home`
    bool active = false;              // earns credits (m_accounting)
  };

  // csched_pcpu; its run queue is in m_runqs.
  struct PcpuState {
    Cycles dispatched = 0;    // when its owner got it (unchanged while the same vCPU keeps it)
    Cycles next_tick = 0;     // 0 until the first tick sets the grid
    bool resched = false;     // the next tick() asks for a decision
    VcpuId prev = kIdle;      // the vCPU being descheduled now (charge -> select)
    Cycles prev_runtime = 0;  // how long it had held the pCPU
  };

  // --- credits ---

  // burn_credits: charge the running vCPU exactly the time since the last
  // burn, carrying what is short of a whole credit to the next burn.
  void burn(VcpuId v, Cycles now) {
    VcpuState& s = m_vcpus[v];
    if (now <= s.burned_to) return;
    Cycles delta = now - s.burned_to;
    Cycles val = delta % clock() * kCreditsPerSecond + s.residual;
    s.credit -= static_cast<std::int64_t>(delta / clock()) * kCreditsPerSecond +
                static_cast<std::int64_t>(val / clock());
    s.residual = val % clock();
    s.burned_to = now;
  }

  // csched_unit_acct_start / _stop: a vCPU joins or leaves the active set.
  void acct_start(VcpuId v) {
    m_vcpus[v].active = true;
    m_accounting.start(v, m_vcpus[v].vm);
  }
  void acct_stop(VcpuId v) {
    m_vcpus[v].active = false;
    m_accounting.stop(v, m_vcpus[v].vm);
  }

  // csched_unit_acct, for the vCPU running on a pCPU at its tick.
  void account_running(VcpuId v, Cycles now) {
    VcpuState& s = m_vcpus[v];
    if (s.pri == kBoost) s.pri = kUnder;  // it uses real CPU time: no longer boosted
    burn(v, now);
    if (!s.active) acct_start(v);
  }

  // csched_acct: share out one tslice of credits per pCPU among the active
  // VMs by weight, then set priorities, park and unpark capped vCPUs.
  void account(Cycles now) {
    for (unsigned c = 0; c < cpus(); ++c)  // every running vCPU's burn up to date
      if (current(c) != kIdle) burn(current(c), now);
    std::vector<VcpuId> unparked;
    auto share_out = [&](VcpuId v, std::int64_t credits, std::int64_t cap_per_vcpu, bool capped) {
      VcpuState& s = m_vcpus[v];
      s.credit += credits;
      if (s.credit < 0) {
        s.pri = kOver;
        if (capped && s.credit < -cap_per_vcpu && !s.parked) park(v);
        s.credit = std::max(s.credit, -m_credits_per_tslice);  // lower bound
      } else {
        s.pri = kUnder;
        if (s.parked) {
          s.parked = false;
          unparked.push_back(v);
        }
        if (s.credit > m_credits_per_tslice) {  // upper bound: it stops earning
          acct_stop(v);
          s.credit /= 2;  // restarts a little ahead when it is active again
        }
      }
      return s.credit;
    };
    if (!m_accounting.share(share_out)) return;
    resort_queues();
    // An unparked vCPU wakes without a boost (Xen clears PARKED after the unpause).
    for (VcpuId v : unparked) {
      if (!runnable(v) || running_on(v) != kNoCpu || m_vcpus[v].queued) continue;
      push(v, false);
      vmm_tickle_t t = runq_tickle(v, now);
      if (t.cpu != kNoCpu) m_pcpus[t.cpu].resched = true;
    }
    for (unsigned c = 0; c < cpus(); ++c)
      if (current(c) != kIdle && outranked(c)) m_pcpus[c].resched = true;
  }

  // Over its cap: off the queue (or off its pCPU) until an accounting unparks it.
  void park(VcpuId v) {
    VcpuState& s = m_vcpus[v];
    s.parked = true;
    if (s.queued) dequeue(v);
    // A running vCPU leaves at once: the accounting pass marks its pCPU.
  }

  // csched_runq_sort, done for every queue at once: priorities changed, so
  // re-queue by the new ones, keeping the order within each.
  void resort_queues() {
    for (unsigned c = 0; c < cpus(); ++c) {
      m_runqs.entries(c, &m_resorted);
      for (const QueueKey& k : m_resorted) {
        VcpuState& s = m_vcpus[k.vcpu];
        m_runqs.erase(c, k.vcpu, s.pinned_to);
        m_runqs.insert(c, QueueKey{s.pri, m_seq++, 0, k.vcpu}, s.pinned_to, false);
      }
    }
  }

  // --- queues ---

  void push(VcpuId v, bool yielded) {
    VcpuState& s = m_vcpus[v];
    QueueKey key{s.pri, m_seq++, 0, v};
    bool behind_lower = false;
    if (yielded) {  // behind one lower-priority vCPU, if there is one
      if (const QueueKey* lower = m_runqs.first_below(s.home, s.pri)) {
        key = QueueKey{lower->rank, lower->seq, ~std::uint64_t{0} - m_seq++, v};
        behind_lower = true;
      }
    }
    m_runqs.insert(s.home, key, s.pinned_to, behind_lower);
    s.queued = true;
    ++m_queued;
  }

  // Is the owner of cpu parked, or does its queue hold a better vCPU?
  bool outranked(unsigned cpu) const {
    const VcpuState& s = m_vcpus[current(cpu)];
    const QueueKey* head = m_runqs.head(cpu);
    return s.parked || (head && m_vcpus[head->vcpu].pri > s.pri);
  }

  // csched_load_balance / csched_runq_steal: the first vCPU queued on a busy
  // peer that may run on cpu and outranks `pri`; peers in turn from the one
  // after the last robbed.
  std::optional<std::pair<unsigned, QueueKey>> find_steal(unsigned cpu, int pri) const {
    if (m_queued == m_runqs.size(cpu)) return std::nullopt;  // nothing elsewhere
    for (unsigned i = 1; i <= cpus(); ++i) {
      unsigned peer = (m_balance_bias + i) % cpus();
      if (peer == cpu || current(peer) == kIdle) continue;  // an idle peer takes its own
      const QueueKey* k = m_runqs.first_for(peer, cpu);
      if (k && m_vcpus[k->vcpu].pri > pri) return std::make_pair(peer, *k);
    }
    return std::nullopt;
  }

  // __runq_tickle: which pCPU should pick after v was queued on its home.
  vmm_tickle_t runq_tickle(VcpuId v, Cycles now) {
    const unsigned home = m_vcpus[v].home;
    const VcpuId cur = current(home);
    if (cur == kIdle && m_idlers.test(home)) {
      m_idlers.erase(home);
      return tickle_now(static_cast<int>(home), now);
    }
    if (int idler = idler_for(v); idler != kNoCpu) {
      m_idlers.erase(static_cast<unsigned>(idler));
      if (cur == kIdle) {
        // Home is idle but already tickled by another wake: nobody steals
        // from an idle pCPU, so v moves to the idler's queue (deviation).
        dequeue(v);
        m_vcpus[v].home = static_cast<unsigned>(idler);
        push(v, false);
      }  // else the idler steals v from its busy home
      return tickle_now(idler, now);
    }
    if (cur == kIdle) return tickle_now(static_cast<int>(home), now);  // it picks soon
    if (m_vcpus[v].pri > m_vcpus[cur].pri) {  // preempt, after the owner's ratelimit
      Cycles at = m_ratelimit == 0 ? now : std::max(now, m_pcpus[home].dispatched + m_ratelimit);
      return vmm_tickle_t{static_cast<int>(home), at};
    }
    return vmm_tickle_t{kNoCpu, 0};
  }

  // An untickled idle pCPU that may run v, the next after the last one
  // tickled (Xen's tickle_one_idle_cpu), or kNoCpu. O(pCPUs / 64).
  int idler_for(VcpuId v) {
    const CpuSet* mask = unrestricted(v) ? nullptr : &affinity(v);
    int idler = m_idlers.first_from(m_last_tickle + 1, mask);
    if (idler == CpuSet::kNone) idler = m_idlers.first_from(0, mask);
    if (idler == CpuSet::kNone) return kNoCpu;
    m_last_tickle = static_cast<unsigned>(idler);
    return idler;
  }

  // --- hooks ---

  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    auto vm_param = [&](const char* key, std::int64_t fallback) {
      return param(info.vm_params, info.vm_param_count, key, fallback);
    };
    const std::string who = "credit: VM " + std::to_string(info.vm) + ": ";
    std::int64_t weight = vm_param("weight", kWeightDefault);
    if (weight < 1 || weight > kWeightMax)
      throw std::invalid_argument(who + "weight " + std::to_string(weight) +
                                  " is out of range 1..65535");
    std::int64_t cap = vm_param("cap", 0);
    if (cap < 0 || cap > kCapMax)
      throw std::invalid_argument(who + "cap " + std::to_string(cap) + " is out of range 0..6400");
    std::vector<unsigned> pinned_to;
    if (info.affinity) {
      for (unsigned c = 0; c < cpus() && c / 8 < info.affinity_bytes; ++c)
        if ((info.affinity[c / 8] >> (c % 8)) & 1u) pinned_to.push_back(c);
      if (pinned_to.empty()) throw std::invalid_argument(who + "affinity allows no pCPU");
      if (pinned_to.size() == cpus()) pinned_to.clear();
    }

    m_accounting.set_vm(info.vm, weight, cap);

    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) {
      m_vcpus.resize(info.id + 1);
      m_accounting.resize_vcpus(m_vcpus.size());
      m_runqs.resize_vcpus(m_vcpus.size());
    }
    VcpuState& s = m_vcpus[info.id];
    s = VcpuState{};
    s.vm = info.vm;
    s.pinned_to = std::move(pinned_to);
    if (info.running_on != kNoCpu) {
      s.home = static_cast<unsigned>(info.running_on);
      s.burned_to = now;
      m_pcpus[s.home].dispatched = now;
      m_idlers.erase(s.home);
    } else {  // spread new vCPUs round robin, as Xen places new vCPUs
      s.home = s.pinned_to.empty()
                   ? static_cast<unsigned>(info.id) % cpus()
                   : s.pinned_to[static_cast<unsigned>(info.id) % s.pinned_to.size()];
    }
  }

  void enqueue(VcpuId v, Cycles /*now*/) override {
    if (!m_vcpus[v].parked) push(v, false);  // a parked vCPU waits for its unpark
  }

  void dequeue(VcpuId v) override {
    VcpuState& s = m_vcpus[v];
    if (!s.queued) return;  // parked: held off every queue
    m_runqs.erase(s.home, v, s.pinned_to);
    s.queued = false;
    --m_queued;
  }

  void charge(VcpuId prev, unsigned cpu, Cycles /*ran*/, Cycles now) override {
    burn(prev, now);  // by timestamp: `ran` would miss VMM time spent on its behalf
    m_pcpus[cpu].prev = prev;
    m_pcpus[cpu].prev_runtime = now - m_pcpus[cpu].dispatched;
  }

  void requeue(VcpuId prev, Cycles /*now*/) override {
    VcpuState& s = m_vcpus[prev];
    if (s.parked) return;
    if (!allowed(prev, s.home)) s.home = s.pinned_to.front();
    push(prev, s.yielding);
  }

  // csched_schedule.
  vmm_decision_t select(unsigned cpu, Cycles now) override {
    PcpuState& pc = m_pcpus[cpu];
    const VcpuId prev = pc.prev;
    pc.prev = kIdle;
    if (prev != kIdle) {
      VcpuState& p = m_vcpus[prev];
      const bool yielded = p.yielding;
      p.yielding = false;
      // Ratelimit: the owner keeps the pCPU unless it blocked, yielded or was parked.
      if (m_ratelimit != 0 && !yielded && runnable(prev) && !p.parked &&
          pc.prev_runtime < m_ratelimit) {
        dequeue(prev);
        return vmm_decision_t{prev, std::max(m_ratelimit - pc.prev_runtime, m_min_timer)};
      }
    }
    const QueueKey* head = m_runqs.head(cpu);
    VcpuId next = kIdle;
    if (head && m_vcpus[head->vcpu].pri > kOver) {
      next = head->vcpu;
    } else if (auto stolen = find_steal(cpu, head ? m_vcpus[head->vcpu].pri : kIdlePri)) {
      next = stolen->second.vcpu;
      m_balance_bias = stolen->first;
    } else if (head) {
      next = head->vcpu;
    }
    if (next == kIdle) {
      m_idlers.insert(cpu);
      return vmm_decision_t{kIdle, VMM_FOREVER};  // a wake or a tick tickles it
    }
    dequeue(next);
    VcpuState& n = m_vcpus[next];
    n.home = cpu;
    n.burned_to = now;
    m_idlers.erase(cpu);
    if (next != prev) pc.dispatched = now;
    return vmm_decision_t{next, m_tslice};
  }

  vmm_tickle_t tickle_for(VcpuId v, Cycles now) override {
    if (!m_vcpus[v].queued) return vmm_tickle_t{kNoCpu, 0};  // parked
    return runq_tickle(v, now);
  }

  void on_yield(VcpuId v, Cycles /*now*/) override { m_vcpus[v].yielding = true; }

  // A vCPU waking with credit left is boosted, unless it is parked or never
  // left its pCPU (woken before the VMM descheduled it).
  void on_wake(VcpuId v, Cycles /*now*/) override {
    VcpuState& s = m_vcpus[v];
    if (s.pri == kUnder && !s.parked && running_on(v) == kNoCpu) s.pri = kBoost;
  }

  void on_remove(VcpuId v, Cycles /*now*/) override {
    VcpuState& s = m_vcpus[v];
    if (s.active) acct_stop(v);
    for (PcpuState& pc : m_pcpus)
      if (pc.prev == v) pc.prev = kIdle;
    s = VcpuState{};
  }

  const Cycles m_tslice;     // cycles; also the accounting period
  const Cycles m_ratelimit;  // cycles; 0 = off
  const Cycles m_tick;       // cycles
  const Cycles m_min_timer;  // cycles
  const std::int64_t m_credits_per_tslice;
  CreditAccounting m_accounting;  // shares out one tslice of credits per pCPU
  std::vector<VcpuState> m_vcpus;
  std::vector<PcpuState> m_pcpus;
  CreditRunQueues m_runqs;           // by pCPU
  std::vector<QueueKey> m_resorted;  // resort_queues' copy of a queue, kept for its capacity
  Cycles m_next_acct = 0;            // 0 until the first tick sets the grid
  CpuSet m_idlers;                   // idle pCPUs nobody has tickled
  unsigned m_last_tickle = 0;
  unsigned m_balance_bias = 0;
  std::size_t m_queued = 0;  // over all run queues
  std::uint64_t m_seq = 1;
};

}  // namespace

const vmm_sched_ops_t& credit_ops() {
  static const vmm_sched_ops_t ops = policy_ops<Credit>(
      "credit", "Xen credit1: credits by weight and cap, BOOST > UNDER > OVER, load balancing",
      kImageBytes, kParams, std::size(kParams), kVmParams, std::size(kVmParams));
  return ops;
}

}  // namespace vmmsim::sched
