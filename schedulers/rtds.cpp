// rtds: global preemptive EDF with per-vCPU budget and period, after Xen
// xen/common/sched/rt.c (Xi, Xu et al.; event-driven by Chen and Golomb).
// Each vCPU is a deferrable server: it burns budget only while it runs, and at
// every period boundary its budget is refilled and its deadline moves to the
// end of the new period. One global run queue feeds every pCPU; the runnable
// vCPU with the earliest deadline runs. A depleted vCPU waits for its next
// period unless it has extratime: then it is refilled at a lower priority
// level, behind every vCPU with real-time budget. See docs/policies/rtds.md.
#include <algorithm>
#include <functional>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "schedulers/cpu_heap.h"
#include "schedulers/cpu_set.h"
#include "schedulers/deadline_buckets.h"
#include "schedulers/policy.h"
#include "schedulers/registry.h"
#include "schedulers/rtds_run_queue.h"

namespace vmmsim::sched {
namespace {

// The image a VMM loads for this policy: a nominal size, about its code.
constexpr std::uint64_t kImageBytes = 16 * 1024;
// Duration specs are in microseconds; the policy receives cycles.
constexpr std::int64_t kPeriodDefaultUs = 10'000;  // 10 ms, as Xen
constexpr std::int64_t kBudgetDefaultUs = 4'000;   // 4 ms, as Xen
constexpr std::int64_t kPeriodMinUs = 100;
constexpr std::int64_t kBudgetMinUs = 10;    // Xen's RTDS_MIN_BUDGET
constexpr std::int64_t kMaxUs = 10'000'000;  // 10 s
// priority(): each extratime level sits below every deadline of the level
// above (2^52 cycles is 52 days at 1 GHz); levels past kMaxShownLevel share one value.
constexpr std::int64_t kLevelStride = std::int64_t{1} << 52;
constexpr unsigned kMaxShownLevel = 1000;

const vmm_param_spec_t kVmParams[] = {
    {"period", VMM_PARAM_DURATION, kPeriodDefaultUs, kPeriodMinUs, kMaxUs,
     "rtds: replenishment period of each vCPU; its deadline is the period's end"},
    {"budget", VMM_PARAM_DURATION, kBudgetDefaultUs, kBudgetMinUs, kMaxUs,
     "rtds: CPU time each vCPU may use per period at real-time priority (<= period)"},
    {"extratime", VMM_PARAM_INTEGER, 0, 0, 1,
     "rtds: 1 lets a depleted vCPU run in idle time, below every vCPU with budget"},
};

class Rtds final : public Policy {
  friend class Policy;  // calls the hooks directly, not virtually (policy.h)

 public:
  explicit Rtds(const vmm_sched_config_t& config)
      : Policy(config), m_cpus(config.cpus), m_idle_free(config.cpus, true), m_by_priority(config.cpus) {}

  // Earlier deadline runs sooner; an extratime level lies below every deadline
  // of the level above.
  std::int64_t priority(VcpuId v) const override {
    if (!known(v)) return 0;
    const VcpuState& s = m_vcpus[v];
    // Depleted without extratime: held until its replenishment, on purpose.
    if (s.budget_left == 0 && !s.extratime) return VMM_PRIORITY_HELD;
    auto level = static_cast<std::int64_t>(std::min(s.level, kMaxShownLevel));
    return -static_cast<std::int64_t>(s.deadline) - level * kLevelStride;
  }

  // Deadline misses are counted at each period boundary a runnable vCPU
  // reaches with real-time budget left (blocked vCPUs had no work: no miss).
  std::string dump() const override {
    std::uint64_t total = 0;
    std::string per_vcpu;
    for (std::size_t v = 0; v < m_vcpus.size(); ++v) {
      if (m_vcpus[v].period == 0) continue;  // never inserted (a removed one still counts)
      total += m_vcpus[v].misses;
      per_vcpu += (per_vcpu.empty() ? "" : ",") + std::to_string(v) + ":" +
                  std::to_string(m_vcpus[v].misses);
    }
    std::size_t depleted = m_replq.size() - m_runq.size();  // queued without budget
    return "queued=" + std::to_string(m_runq.size()) + " depleted=" + std::to_string(depleted) +
           " misses=" + std::to_string(total) + " vcpu_misses=" + per_vcpu;
  }

  // Asks for a decision where a queued vCPU it may run is waiting: on an idle
  // pCPU, or ahead of a busy pCPU's owner. The busy pCPU's slice ends at every
  // deadline and replenishment known when it was chosen, not at a vCPU that
  // begins to wait later: one that wakes depleted and is replenished, one
  // preempted elsewhere and requeued (pick_next tickles nobody; Xen's
  // context_saved does). The owner's own deadline is not asked about: its
  // slice ends there, and the tick only cut short at a PIT edge the VMM's
  // costs that made that slice end late (guest time), so results moved with
  // pit.hz (docs/policies/rtds.md).
  bool tick(unsigned cpu, Cycles now) override {
    replenish(now);
    const VcpuId owner = current(cpu);
    const QueueKey* head = first_allowed(cpu);
    if (owner == kIdle) return head != nullptr;
    const VcpuState& o = m_vcpus[owner];
    return head && head->ahead_of(o.level, o.deadline);
  }

 private:
  using QueueKey = rtds::QueueKey;

  struct VcpuState {
    Cycles period = 0;
    Cycles budget = 0;
    bool extratime = false;
    Cycles deadline = 0;     // end of the current period
    Cycles budget_left = 0;  // of the current level
    unsigned level = 0;      // extratime priority level; 0 = real-time budget
    std::uint64_t misses = 0;
    bool in_runq = false;    // queued with budget (or extratime)
    bool in_replq = false;   // runnable and not running: waits for its replenishment
    bool yielded = false;    // requeue behind vCPUs of equal priority
    bool exhausted = false;  // used up its budget (or a level of it) in its last run
    Cycles since = 0;        // began to wait; ties among equal deadlines go to the oldest
    int last_cpu = kNoCpu;
  };

  // --- budget and deadlines ---

  // Moves v's deadline to the end of the period containing `now` and refills it.
  // `waiting`: v was runnable through the boundary, so budget left is a miss and
  // every further boundary it slept through unserved is one too.
  void refresh(VcpuState& s, Cycles now, bool waiting) {
    if (now < s.deadline) return;
    Cycles boundaries = (now - s.deadline) / s.period + 1;
    if (waiting) s.misses += (s.level == 0 && s.budget_left > 0 ? 1 : 0) + (boundaries - 1);
    s.deadline += boundaries * s.period;
    s.budget_left = s.budget;
    s.level = 0;
  }

  // Every replenishment due by `now` among vCPUs that wait (queued or
  // depleted), by deadline, then since, then id. Each goes to a deadline
  // after `now`, with a new sequence number in that order: with one period
  // in flight the batch is then in run-queue order already.
  void replenish(Cycles now) {
    if (m_replq.empty() || m_replq.first() > now) return;
    m_due.clear();
    m_replq.take_due(now, m_due);
    m_replenished.clear();
    for (unsigned id : m_due) {
      const auto v = static_cast<VcpuId>(id);
      VcpuState& s = m_vcpus[v];
      s.in_replq = false;
      if (s.in_runq) m_runq.erase(v);
      s.in_runq = false;
      refresh(s, now, true);
      if (const auto key = waits(v, false, s.since)) {
        m_replenished.push_back(*key);
        s.in_runq = true;
      }
    }
    m_runq.insert_replenished(m_replenished);
  }

  // --- queues ---

  // v waits from `since`, in the replenishment queue; its run-queue key,
  // or none if it is depleted (it waits for its replenishment).
  std::optional<QueueKey> waits(VcpuId v, bool front, Cycles since) {
    VcpuState& s = m_vcpus[v];
    s.since = since;
    m_replq.set(static_cast<unsigned>(v), s.deadline, since);
    s.in_replq = true;
    if (s.budget_left == 0) return std::nullopt;
    return QueueKey{s.level, s.deadline, !front, since, ++m_seq, v};
  }

  void queue(VcpuId v, bool front, Cycles since) {
    const auto key = waits(v, front, since);
    if (!key) return;
    m_runq.insert(*key);
    m_vcpus[v].in_runq = true;
  }

  void unqueue(VcpuId v) {
    VcpuState& s = m_vcpus[v];
    if (s.in_runq) m_runq.erase(v);
    if (s.in_replq) m_replq.erase(static_cast<unsigned>(v));
    s.in_runq = s.in_replq = false;
  }

  // The highest-priority queued vCPU allowed on cpu. O(1) without affinity;
  // with it, vCPUs pinned elsewhere are skipped (as Xen's runq_pick).
  const QueueKey* first_allowed(unsigned cpu) const {
    return m_runq.find_first([&](VcpuId v) { return allowed(v, cpu); });
  }

  Cycles next_replenishment() const {
    return m_replq.empty() ? VMM_FOREVER : m_replq.first();
  }

  // --- hooks ---

  void on_insert(const vmm_vcpu_info_t& info, Cycles now) override {
    auto vm_param = [&](const char* key, std::int64_t fallback) {
      return param(info.vm_params, info.vm_param_count, key, fallback);
    };
    const std::int64_t us = static_cast<std::int64_t>(clock() / 1'000'000);
    std::int64_t period = vm_param("period", kPeriodDefaultUs * us);
    std::int64_t budget = vm_param("budget", kBudgetDefaultUs * us);
    std::int64_t extratime = vm_param("extratime", 0);
    const std::string vm = "rtds: VM " + std::to_string(info.vm) + ": ";
    if (period <= 0) throw std::invalid_argument(vm + "period must be at least one cycle");
    if (budget <= 0) throw std::invalid_argument(vm + "budget must be at least one cycle");
    if (budget > period)
      throw std::invalid_argument(vm + "budget " + std::to_string(budget) +
                                  " cycles exceeds period " + std::to_string(period) + " cycles");
    if (extratime != 0 && extratime != 1)
      throw std::invalid_argument(vm + "extratime must be 0 or 1");

    if (static_cast<std::size_t>(info.id) >= m_vcpus.size()) {
      m_vcpus.resize(info.id + 1);
      m_replq.grow(static_cast<unsigned>(m_vcpus.size()));
      m_runq.grow(static_cast<unsigned>(m_vcpus.size()));
    }
    VcpuState& s = m_vcpus[info.id];
    s = VcpuState{};
    s.period = static_cast<Cycles>(period);
    s.budget = static_cast<Cycles>(budget);
    s.extratime = extratime == 1;
    // As Xen: periods are aligned to cycle 0, the first ends after `now`.
    s.deadline = 0;
    refresh(s, now, false);
    s.last_cpu = info.running_on;
  }

  void enqueue(VcpuId v, Cycles now) override { queue(v, false, now); }

  void dequeue(VcpuId v) override { unqueue(v); }

  // Burns what prev ran; a boundary reached while running is a replenishment.
  void charge(VcpuId prev, unsigned /*cpu*/, Cycles ran, Cycles now) override {
    VcpuState& s = m_vcpus[prev];
    s.exhausted = ran >= s.budget_left;
    if (!s.exhausted) {
      s.budget_left -= ran;
    } else if (s.extratime) {  // Xen: one level down, refilled
      ++s.level;
      s.budget_left = s.budget;
    } else {
      s.budget_left = 0;
    }
    refresh(s, now, runnable(prev));
  }

  // Slices also end where Xen would not reschedule (a replenishment, a
  // deadline): there the owner goes on unless a vCPU strictly ahead of it is
  // waiting. Where Xen reschedules (budget used up, yield) or once preempted,
  // it queues behind vCPUs of equal priority, as Xen's runq_insert.
  void requeue(VcpuId prev, Cycles now) override {
    VcpuState& s = m_vcpus[prev];
    bool keeps_place = !s.yielded && !s.exhausted;
    queue(prev, keeps_place, now);
    if (keeps_place) m_keeps_place = prev;
    s.yielded = s.exhausted = false;
  }

  vmm_decision_t select(unsigned cpu, Cycles now) override {
    replenish(now);
    m_tickled[cpu] = false;
    m_idle_free.insert(cpu);  // idle until the decision: owner_changed follows
    const QueueKey* head = first_allowed(cpu);
    // The previous owner lost the pCPU: behind its equals from now on.
    VcpuId kept = std::exchange(m_keeps_place, kIdle);
    if (kept != kIdle && (!head || head->vcpu != kept) && m_vcpus[kept].in_runq) {
      QueueKey k = m_runq.key(kept);
      m_runq.erase(kept);
      k.behind = true;
      m_runq.insert(k);
      head = first_allowed(cpu);
    }
    if (!head) {
      place_unplaced();
      // Idle until a wake tickles this pCPU or the next replenishment.
      Cycles next = next_replenishment();
      return vmm_decision_t{kIdle, next == VMM_FOREVER ? VMM_FOREVER : next - now};
    }
    VcpuId v = head->vcpu;
    unqueue(v);
    VcpuState& s = m_vcpus[v];
    s.last_cpu = static_cast<int>(cpu);
    // Ask again when its budget ends, its period ends, or any waiting vCPU is
    // replenished (that one may now precede it).
    Cycles until = std::min(s.deadline, next_replenishment());
    return vmm_decision_t{v, std::min(s.budget_left, until - now)};
  }

  // Xen's runq_tickle: an idle pCPU (v's last one first), else the pCPU whose
  // owner has the lowest priority, if v precedes it. pCPUs already tickled are
  // left alone. O(log pCPUs): idle pCPUs in a bitmap, busy ones in a heap.
  vmm_tickle_t tickle_for(VcpuId v, Cycles now) override {
    const VcpuState& s = m_vcpus[v];
    const bool anywhere = unrestricted(v);
    const int idle = anywhere ? m_idle_free.first() : m_idle_free.first_in(affinity(v));
    if (!s.in_runq) {
      // Depleted: an idle pCPU should look again at its replenishment.
      if (idle == kNoCpu) return vmm_tickle_t{kNoCpu, 0};
      return vmm_tickle_t{idle, s.deadline};
    }
    int chosen = idle;
    if (s.last_cpu != kNoCpu && m_idle_free.test(static_cast<unsigned>(s.last_cpu)) &&
        allowed(v, static_cast<unsigned>(s.last_cpu)))
      chosen = s.last_cpu;
    if (chosen == kNoCpu) {
      int victim = anywhere ? m_by_priority.top()
                            : m_by_priority.find_in_order([&](unsigned c) { return allowed(v, c); });
      if (victim != kNoCpu) {
        const VcpuState& w = m_vcpus[current(static_cast<unsigned>(victim))];
        if (s.level != w.level ? s.level < w.level : s.deadline < w.deadline) chosen = victim;
      }
    }
    if (chosen == kNoCpu) return vmm_tickle_t{kNoCpu, 0};
    m_tickled[chosen] = true;
    m_idle_free.erase(static_cast<unsigned>(chosen));
    m_by_priority.erase(static_cast<unsigned>(chosen));
    return tickle_now(chosen, now);
  }

  // Keeps m_idle_free and m_by_priority: untickled pCPUs, idle or by owner.
  // A pCPU left idle by pick_next or remove leaves m_by_priority at select's
  // idle decision or on_remove, the next hook of either: a decision that
  // finds a next owner moves the pCPU once, not out and in (m_by_priority
  // is read by wakes only).
  void owner_changed(unsigned cpu, VcpuId v) override {
    m_idle_free.set(cpu, v == kIdle && !m_tickled[cpu]);
    if (v == kIdle) {
      m_unplaced = static_cast<int>(cpu);
      return;
    }
    if (m_unplaced == static_cast<int>(cpu)) m_unplaced = kNoCpu;
    if (m_tickled[cpu])
      m_by_priority.erase(cpu);
    else
      m_by_priority.set(cpu, {m_vcpus[v].level, m_vcpus[v].deadline});
  }
  void place_unplaced() {
    if (m_unplaced == kNoCpu) return;
    m_by_priority.erase(static_cast<unsigned>(m_unplaced));
    m_unplaced = kNoCpu;
  }

  void on_remove(VcpuId /*v*/, Cycles /*now*/) override { place_unplaced(); }

  // A deadline passed while v slept: a new period, full budget, no miss.
  void on_wake(VcpuId v, Cycles now) override {
    replenish(now);
    refresh(m_vcpus[v], now, false);
    if (int cpu = running_on(v); cpu != kNoCpu) owner_changed(static_cast<unsigned>(cpu), v);
  }

  void on_yield(VcpuId v, Cycles /*now*/) override { m_vcpus[v].yielded = true; }

  void on_block(VcpuId v, Cycles now) override {
    m_vcpus[v].yielded = false;
    replenish(now);
  }

  const unsigned m_cpus;
  std::vector<VcpuState> m_vcpus;
  rtds::RunQueue m_runq;                        // queued with budget, by priority
  // Every waiting vCPU by deadline, in buckets of equal deadlines.
  DeadlineBuckets m_replq;
  std::vector<unsigned> m_due;  // replenish's, kept so that it allocates nothing
  std::vector<QueueKey> m_replenished;  // likewise
  std::vector<bool> m_tickled = std::vector<bool>(m_cpus, false);
  CpuSet m_idle_free;  // idle and not tickled
  // Busy, not tickled pCPUs by their owner's (level, deadline), the lowest
  // priority first (ties: lowest pCPU): the victim of a wake.
  CpuHeap<std::pair<unsigned, Cycles>, std::greater<std::pair<unsigned, Cycles>>> m_by_priority;
  VcpuId m_keeps_place = kIdle;  // requeued ahead of its equals, until select
  int m_unplaced = kNoCpu;       // left idle by owner_changed, not yet out of m_by_priority
  std::uint64_t m_seq = 0;
};

}  // namespace

const vmm_sched_ops_t& rtds_ops() {
  static const vmm_sched_ops_t ops =
      policy_ops<Rtds>("rtds", "global preemptive EDF with budget/period and extratime (Xen RTDS)",
                       kImageBytes, nullptr, 0, kVmParams, std::size(kVmParams));
  return ops;
}

}  // namespace vmmsim::sched
