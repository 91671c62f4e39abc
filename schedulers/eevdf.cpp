// eevdf: Earliest Eligible Virtual Deadline First (I. Stoica and H.
// Abdel-Wahab, 1995), as Linux's fair class runs it since 6.6
// (kernel/sched/fair.c, Peter Zijlstra). A vCPU's vruntime advances by
// ran * 1024 / weight, its weight from its VM's nice (sched_prio_to_weight).
// V is the weighted average vruntime of the runnable vCPUs; a vCPU is eligible
// when its lag V - v is not negative. Each request of `slice` cycles has the
// virtual deadline v + slice * 1024 / weight; the eligible vCPU with the
// earliest deadline runs until its request is used up. A vCPU that blocks
// keeps its lag and gets it back when it wakes (PLACE_LAG). One run queue for
// all pCPUs. See docs/policies/eevdf.md.
#include <algorithm>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

#include "schedulers/eevdf_deadline_trees.h"
#include "schedulers/eevdf_entities.h"
#include "schedulers/policy.h"
#include "schedulers/registry.h"

namespace vmmsim::sched {
namespace {

using namespace eevdf;

// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 16 * 1024;
// Duration specs are in microseconds; the policy receives cycles.
// Linux's base slice is 0.75 ms x (1 + log2 of min(CPUs, 8)): 3 ms from 8 CPUs.
constexpr std::int64_t kSliceDefaultUs = 3'000;
constexpr std::int64_t kSliceMinUs = 100;  // sysctl_sched_base_slice's floor
constexpr std::int64_t kSliceMaxUs = 100'000;
// A wake looks at this many owners by deadline before it searches m_owners.
constexpr int kOwnersWalked = 4;

const vmm_param_spec_t kParams[] = {
    {"slice", VMM_PARAM_DURATION, kSliceDefaultUs, kSliceMinUs, kSliceMaxUs,
     "eevdf: request size r: the CPU time a vCPU asks for, from which its deadline follows"},
    {"run_to_parity", VMM_PARAM_INTEGER, 1, 0, 1,
     "eevdf: 1 lets an eligible vCPU finish its request before a waking one preempts it"},
};

const vmm_param_spec_t kVmParams[] = {
    {"nice", VMM_PARAM_INTEGER, 0, kNiceMin, kNiceMax,
     "eevdf: nice level of each vCPU of the VM; weight = 1024 / 1.25^nice (Linux table)"},
};

class Eevdf final : public EevdfEntities {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Eevdf(const vmm_sched_config_t& config) : EevdfEntities(config) {
    if (config_param("slice") <= 0)
      throw std::invalid_argument("eevdf: slice must be at least one cycle");
    m_classes.push_back(AffinityClass{});  // every pCPU
  }

  // An earlier virtual deadline runs sooner.
  std::int64_t priority(VcpuId v) const override { return known(v) ? -m_vcpus[v].deadline : 0; }

  std::string dump() const override {
    return "V=" + std::to_string(m_v.floor()) + " load=" + std::to_string(m_v.load()) +
           " queued=" + std::to_string(m_queued);
  }

  // update_curr + update_deadline: the owner's request is used up. An idle
  // pCPU with queued work it may run is woken too (a safety net: see tick()
  // in docs/policies/eevdf.md).
  bool tick(unsigned cpu, Cycles now) override {
    VcpuId owner = current(cpu);
    if (owner == kIdle) return !m_pcpus[cpu].tickled && pick_queued(cpu, m_v.limit()) != kIdle;
    charge_to(cpu, now);
    const Entity& e = m_vcpus[owner];
    return e.vruntime >= e.deadline;
  }

 private:
  struct AffinityClass {
    std::vector<bool> cpus;  // empty = every pCPU
    int root = DeadlineTrees::kNil;
  };

  // Keeps m_idle_free, m_owners and m_running after cpu's owner changed.
  // A pCPU left idle by pick_next or remove leaves m_owners at select's
  // idle decision or on_remove, the next hook of either: a decision that
  // finds a next owner moves the pCPU in m_owners once, not out and in
  // (m_owners is read by wakes only).
  // The old owner is still in m_running only after a remove (pick_next's
  // charge untracked it); the new one has nothing to charge yet (dispatched
  // at the last event, or idle).
  void owner_changed(unsigned cpu, VcpuId v) override {
    if (m_running.contains(cpu)) untrack(cpu);
    m_idle_free.set(cpu, v == kIdle && !m_pcpus[cpu].tickled);
    if (v == kIdle) {
      m_unplaced = static_cast<int>(cpu);
      return;
    }
    track(cpu);
    if (m_unplaced == static_cast<int>(cpu)) m_unplaced = kNoCpu;
    place_owner(cpu);
  }
  void place_unplaced() {
    if (m_unplaced == kNoCpu) return;
    place_owner(static_cast<unsigned>(m_unplaced));
    m_unplaced = kNoCpu;
  }

  // --- run queue ---

  bool allows(const AffinityClass& a, unsigned cpu) const { return a.cpus.empty() || a.cpus[cpu]; }

  // The eligible queued vCPU (vruntime <= limit, V's: AverageVruntime::limit)
  // with the earliest deadline that may run on cpu; if none is eligible (V
  // counts vCPUs running elsewhere), the one nearest to eligible.
  // O(affinity classes x log n).
  VcpuId pick_queued(unsigned cpu, VirtualTime limit) const {
    int best = DeadlineTrees::kNil;
    for (const AffinityClass& a : m_classes) {
      if (a.root == DeadlineTrees::kNil || !allows(a, cpu)) continue;
      int v = m_trees.pick(a.root, limit);
      if (v != DeadlineTrees::kNil && (best == DeadlineTrees::kNil || earlier(v, best))) best = v;
    }
    if (best != DeadlineTrees::kNil) return best;
    int nearest = DeadlineTrees::kNil;
    for (const AffinityClass& a : m_classes) {
      if (a.root == DeadlineTrees::kNil || !allows(a, cpu)) continue;
      int n = m_trees.least_vruntime(a.root);
      if (nearest == DeadlineTrees::kNil || m_vcpus[n].vruntime < m_vcpus[nearest].vruntime)
        nearest = n;
    }
    return nearest;
  }

  bool earlier(VcpuId a, VcpuId b) const {
    const Entity& x = m_vcpus[a];
    const Entity& y = m_vcpus[b];
    return x.deadline != y.deadline ? x.deadline < y.deadline : m_seq[a] < m_seq[b];
  }

  std::size_t affinity_class(const vmm_vcpu_info_t& info) {
    std::vector<bool> mask;
    if (info.affinity) {
      mask.assign(cpus(), false);
      for (unsigned c = 0; c < cpus() && c / 8 < info.affinity_bytes; ++c)
        mask[c] = (info.affinity[c / 8] >> (c % 8)) & 1u;
      if (std::all_of(mask.begin(), mask.end(), [](bool b) { return b; })) mask.clear();
    }
    for (std::size_t i = 0; i < m_classes.size(); ++i)
      if (m_classes[i].cpus == mask) return i;
    m_classes.push_back(AffinityClass{std::move(mask), DeadlineTrees::kNil});
    return m_classes.size() - 1;
  }

  // --- hooks ---

  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    std::int64_t nice = param(info.vm_params, info.vm_param_count, "nice", 0);
    if (nice < kNiceMin || nice > kNiceMax)
      throw std::invalid_argument("eevdf: VM " + std::to_string(info.vm) + ": nice " +
                                  std::to_string(nice) + " is out of range -20..19");
    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) {
      m_vcpus.resize(info.id + 1);
      m_seq.resize(info.id + 1);
      m_trees.resize(info.id + 1);
    }
    Entity& e = m_vcpus[info.id];
    e = Entity{};
    set_weight(e, kNiceWeight[nice - kNiceMin]);
    e.affinity = affinity_class(info);
    if (info.runnable || info.running_on != kNoCpu) {
      sync(now);
      place(e);
    }
    if (info.running_on != kNoCpu) {
      PcpuState& pc = m_pcpus[info.running_on];
      pc.dispatched = now;
      pc.accounted = 0;
      e.vprot = e.deadline;
    }
  }

  // A woken (or inserted) vCPU: tickle_for, which follows a wake's enqueue,
  // asks whether it is the pick, which the insert answers on its way.
  void enqueue(VcpuId v, Cycles /*now*/) override {
    Entity& e = m_vcpus[v];
    m_seq[v] = m_next_seq++;
    m_least_before = m_trees.insert_least_before(m_classes[e.affinity].root, v, e.deadline, e.vruntime);
    m_least_before_of = v;
    e.queued = true;
    ++m_queued;
  }
  // A descheduled owner, still runnable: no tickle follows.
  void requeue(VcpuId v, Cycles /*now*/) override {
    Entity& e = m_vcpus[v];
    m_seq[v] = m_next_seq++;
    m_trees.insert(m_classes[e.affinity].root, v, e.deadline, e.vruntime);
    m_least_before_of = kIdle;
    e.queued = true;
    ++m_queued;
  }

  void dequeue(VcpuId v) override {
    Entity& e = m_vcpus[v];
    if (!e.queued) return;
    m_trees.erase(m_classes[e.affinity].root, v);
    m_least_before_of = kIdle;
    e.queued = false;
    --m_queued;
  }

  // v, eligible and the last vCPU enqueued (no change since), is the pick of
  // its class: nothing eligible is queued before it. Else asks the tree.
  bool first_eligible(VcpuId v, VirtualTime limit) const {
    if (m_least_before_of == v) return m_least_before > limit;
    return pick_queued(0, limit) == v;
  }

  void charge(VcpuId prev, unsigned cpu, Cycles ran, Cycles /*now*/) override {
    untrack(cpu);
    PcpuState& pc = m_pcpus[cpu];
    Entity& e = m_vcpus[prev];
    if (ran > pc.accounted) advance(e, ran - pc.accounted);
    pc.accounted = std::max(pc.accounted, ran);
    if (e.on_rq) renew_deadline(e);
    pc.prev = prev;
  }

  vmm_decision_t select(unsigned cpu, Cycles now) override {
    PcpuState& pc = m_pcpus[cpu];
    pc.tickled = false;
    m_idle_free.insert(cpu);  // idle until the decision: owner_changed follows
    VcpuId prev = pc.prev;
    pc.prev = kIdle;
    sync(now);
    const VirtualTime limit = m_v.settle_limit();
    // RUN_TO_PARITY: an eligible prev keeps the pCPU until its request ends.
    VcpuId next = prev != kIdle && m_vcpus[prev].queued && m_vcpus[prev].vruntime <= limit &&
                          protected_eligible(m_vcpus[prev], m_vcpus[prev].vruntime)
                      ? prev
                      : pick_queued(cpu, limit);
    if (next == kIdle) {
      place_unplaced();
      return vmm_decision_t{kIdle, VMM_FOREVER};  // a wake tickles it
    }
    dequeue(next);
    Entity& e = m_vcpus[next];
    if (next != prev) e.vprot = e.deadline;  // set_protect_slice
    e.yielded = false;
    pc.dispatched = now;
    pc.accounted = 0;
    return vmm_decision_t{next, request_left(e)};
  }

  // An idle pCPU, else check_preempt_wakeup_fair: a pCPU where v is now the
  // pick, i.e. v is eligible, ahead of every queued vCPU that may run there,
  // and the owner is not eligible, or is protected (RUN_TO_PARITY) or has
  // the earlier deadline. Of several, the owner with the latest deadline.
  // Without affinity v's pick is the same on every pCPU. Owners are searched
  // by deadline, latest first, skipping whole subtrees of owners that cannot
  // be preempted (m_owners): O(weights x log pCPUs).
  vmm_tickle_t tickle_for(VcpuId v, Cycles now) override {
    const int idle = unrestricted(v) ? m_idle_free.first() : m_idle_free.first_in(affinity(v));
    if (idle != kNoCpu) {
      tickle(static_cast<unsigned>(idle));
      return tickle_now(idle, now);
    }
    const Entity& p = m_vcpus[v];
    const VirtualTime limit = m_v.limit();  // eligible(x) is x <= limit
    if (p.vruntime > limit) return vmm_tickle_t{kNoCpu, 0};
    const bool one_class = m_classes.size() == 1;
    if (one_class && !first_eligible(v, limit)) return vmm_tickle_t{kNoCpu, 0};
    auto preemptible = [&](unsigned c) {
      if (!allowed(v, c)) return false;
      const Entity& o = m_vcpus[current(c)];
      VirtualTime vo = vruntime_at(c, now);
      if (vo <= limit && (protected_eligible(o, vo) || o.deadline < p.deadline)) return false;
      return one_class || pick_queued(c, limit) == v;  // O(log n) each with affinity classes
    };
    // Most wakes find their pCPU among the few latest deadlines: walk those.
    int walked = 0;
    bool found = false;
    int first = m_owners.by_deadline().find_in_order([&](unsigned c) {
      found = preemptible(c);
      return found || ++walked == kOwnersWalked;
    });
    if (found) {
      tickle(static_cast<unsigned>(first));
      return tickle_now(first, now);
    }
    if (walked < kOwnersWalked) return vmm_tickle_t{kNoCpu, 0};  // every owner seen
    // Per owner weight, the latest deadline that preemptible() accepts; the
    // maxima skip subtrees of owners all eligible and (protected or ahead of v).
    const VirtualTime v_floor = m_v.floor();
    const OwnerKey now_key = static_cast<OwnerKey>(now) * kNice0Load;
    refresh_owners();
    int target = kNoCpu;
    for (const BusyOwners::Weight& k : m_owners.weights()) {
      const OwnerKey ineligible_from =
          m_v.load() > 0 ? (static_cast<OwnerKey>(v_floor) + 1) * k.weight - now_key : kAlways + 1;
      auto may = [&](const OwnerKey& max_key, const OwnerKey& max_unprotected,
                     VirtualTime max_deadline) {
        return max_key >= ineligible_from ||
               (max_unprotected >= -now_key && max_deadline >= p.deadline);
      };
      int c = k.by_deadline.find_first(may, preemptible);
      if (c == kNoCpu) continue;
      if (target == kNoCpu) {
        target = c;
        continue;
      }
      VirtualTime dc = m_vcpus[current(static_cast<unsigned>(c))].deadline;
      VirtualTime dt = m_vcpus[current(static_cast<unsigned>(target))].deadline;
      if (dc > dt || (dc == dt && c < target)) target = c;
    }
    if (target == kNoCpu) return vmm_tickle_t{kNoCpu, 0};
    tickle(static_cast<unsigned>(target));
    return tickle_now(target, now);
  }

  void on_wake(VcpuId v, Cycles now) override {
    sync(now);
    const int cpu = running_on(v);
    if (cpu != kNoCpu) untrack(static_cast<unsigned>(cpu));  // blocked on its pCPU: charged
    place(m_vcpus[v]);
    if (cpu != kNoCpu) owner_changed(static_cast<unsigned>(cpu), v);  // runnable again, new deadline
  }

  void on_block(VcpuId v, Cycles now) override {
    sync(now);
    const int cpu = running_on(v);
    if (cpu != kNoCpu) untrack(static_cast<unsigned>(cpu));
    Entity& e = m_vcpus[v];
    e.yielded = false;
    if (e.on_rq) leave(e);
    // No longer yielded nor runnable: its keys change, its deadline (its
    // place by deadline) does not.
    if (cpu != kNoCpu) m_owners.touch(static_cast<unsigned>(cpu));
  }

  // yield_task_fair: give up the rest of this request and the next one.
  void on_yield(VcpuId v, Cycles now) override {
    int cpu = running_on(v);
    if (cpu == kNoCpu) return;
    charge_to(static_cast<unsigned>(cpu), now);
    Entity& e = m_vcpus[v];
    e.deadline += vslice(e);
    e.yielded = true;
    place_owner(static_cast<unsigned>(cpu));
  }

  void on_remove(VcpuId v, Cycles /*now*/) override {
    place_unplaced();
    Entity& e = m_vcpus[v];
    if (e.on_rq) count_out(e);
    for (PcpuState& pc : m_pcpus)
      if (pc.prev == v) pc.prev = kIdle;
    e = Entity{};
  }

  std::vector<std::uint64_t> m_seq;  // queue order, for deadline ties
  DeadlineTrees m_trees;
  std::vector<AffinityClass> m_classes;  // [0] = every pCPU
  std::size_t m_queued = 0;
  int m_unplaced = kNoCpu;  // left idle by owner_changed, not yet out of m_owners
  std::uint64_t m_next_seq = 0;
  VcpuId m_least_before_of = kIdle;  // enqueued last, the tree unchanged since
  VirtualTime m_least_before = 0;    // its insert_least_before

};

}  // namespace

const vmm_sched_ops_t& eevdf_ops() {
  static const vmm_sched_ops_t ops = policy_ops<Eevdf>(
      "eevdf",
      "Linux EEVDF: nice weights, lag, eligibility, earliest virtual deadline (one run queue)",
      kImageBytes, kParams, std::size(kParams), kVmParams, std::size(kVmParams));
  return ops;
}

}  // namespace vmmsim::sched
