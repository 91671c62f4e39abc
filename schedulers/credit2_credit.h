// credit2's credit, after xen/common/sched/credit2.c (t2c_update, c2t,
// burn_credits, reset_credit, runq_insert): each vCPU's credit in cycles,
// burned at its runqueue's max_weight / weight per cycle while it runs
// (lazily: a tickle that compares every busy pCPU only records its time),
// the busy pCPUs ordered by their owner's credit for the wake's tickle, the
// run queue by credit, and the reset that refills every vCPU of a runqueue
// when the best runnable one there has none left. Everything here is per
// runqueue (credit2_runqueue.h); when each happens is the policy's
// (schedulers/credit2.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "schedulers/cpu_set.h"
#include "schedulers/credit2_runqueue.h"
#include "schedulers/policy.h"

namespace vmmsim::sched::credit2 {

// Credit in cycles of the platform clock (Xen: nanoseconds). Signed: it goes
// negative when a vCPU overruns, down to -CREDIT_INIT.
using Credit = std::int64_t;

constexpr std::int64_t kCreditInitUs = 10'000;  // CSCHED2_CREDIT_INIT, 10 ms
constexpr std::int64_t kWeightDefault = 256;    // CSCHED2_DEFAULT_WEIGHT

class Credit2Credit : public Policy {
 protected:
  Credit2Credit(const vmm_sched_config_t& config, RunqueueLayout layout)
      : Policy(config),
        m_credit_init(from_us(kCreditInitUs)),
        m_credit_min(-m_credit_init),
        m_credit_max(m_credit_init +
                     static_cast<Credit>(static_cast<Cycles>(config_param("min_timer")))),
        m_pcpus(config.cpus),
        m_idle_free(config.cpus, true),
        m_more(layout.count - 1),
        m_several(layout.count > 1) {
    for (unsigned r = 0; r < layout.count; ++r) {
      Runqueue& rq = runqueue(r);
      rq.first_cpu = rq.pick_bias = layout.first_cpu(r);
      rq.cpus = layout.cpus_of(r, config.cpus);
      for (unsigned c = 0; c < rq.cpus; ++c) m_pcpus[rq.first_cpu + c].rq = &rq;
    }
  }

  // The run queue order: most credit first; equal credit in the order queued
  // (Xen's runq_insert puts a vCPU after every one with as much credit), as
  // an integer_key of ~credit, compared without a branch.
  IntegerKey next_runq_key(Credit credit) { return integer_key(~credit, m_next_seq++); }

  // 56 bytes, what several runqueues need included: a wake, a block or a
  // deschedule reads the load beside the credit.
  struct VcpuState {
    Credit credit = 0;
    std::int64_t weight = kWeightDefault;
    std::int64_t residual = 0;  // t2c remainder, so short runs add up (Xen's residual)
    Runqueue* rq = nullptr;     // its runqueue (Xen: svc->rqd), from its insert
    std::int64_t load_updated = 0;  // of avgload, in load units (credit2_runqueue.h)
    int last_cpu = kNoCpu;  // where it last ran, or was placed by a move (Xen: sched_unit_master)
    std::int32_t avgload = 1 << (kLoadPrecision - 1);  // at most 1 << kLoadPrecision; csched2_alloc_udata's 0.5
    std::int16_t migrate_to = -1;  // the runqueue it moves to at its deschedule (CSFLAG_runq_migrate_request)
    bool queued = false;
    bool yielded = false;
    bool loaded = false;  // counted in its runqueue's load (runnable there)
  };

  struct PcpuState {
    Cycles dispatched = 0;     // when the owner was last picked (credit burns from here)
    Cycles accounted = 0;      // cycles of this dispatch already burned
    Cycles running_since = 0;  // when the owner began running (ratelimit; Xen: state_entry_time)
    bool tickled = false;      // asked to reschedule and has not picked yet
    int weight_class = -1;     // index in its runqueue's classes while busy and not tickled
    Runqueue* rq = nullptr;    // its runqueue
    std::int64_t max_weight = 1;  // its runqueue's (weights_changed)
  };

  Credit from_us(std::int64_t us) const {
    return static_cast<Credit>(static_cast<unsigned __int128>(clock()) * us / 1'000'000);
  }

  // --- credit ---

  // Runqueues are made once, with the policy: pointers to them stay valid.
  // With one, the hot paths reach it in the policy itself, not through a
  // pCPU's or a vCPU's pointer.
  unsigned runqueue_count() const { return 1 + static_cast<unsigned>(m_more.size()); }
  Runqueue& runqueue(unsigned r) { return r == 0 ? m_first : m_more[r - 1]; }
  const Runqueue& runqueue(unsigned r) const { return r == 0 ? m_first : m_more[r - 1]; }
  unsigned index_of(const Runqueue& rq) const {
    return &rq == &m_first ? 0 : 1 + static_cast<unsigned>(&rq - m_more.data());
  }
  Runqueue& rq_of(const PcpuState& pc) { return m_several ? *pc.rq : m_first; }
  const Runqueue& rq_of(const PcpuState& pc) const { return m_several ? *pc.rq : m_first; }
  Runqueue& rq_of(const VcpuState& s) { return m_several ? *s.rq : m_first; }
  Runqueue& rq_of_cpu(unsigned cpu) { return rq_of(m_pcpus[cpu]); }
  const Runqueue& rq_of_cpu(unsigned cpu) const { return rq_of(m_pcpus[cpu]); }
  bool several_runqueues() const { return m_several; }

  // After each change of a runqueue's weights. Every burn and key reads
  // max_weight: kept beside the map, and copied to the runqueue's pCPUs
  // (a burn is always of a pCPU's owner: one load where it is needed).
  void weights_changed(Runqueue& rq) {
    rq.max_weight = rq.weights.empty() ? 1 : rq.weights.rbegin()->first;
    for (unsigned c = rq.first_cpu; c < rq.first_cpu + rq.cpus; ++c) m_pcpus[c].max_weight = rq.max_weight;
  }

  // t2c_update: `cycles` of running cost cycles * max_weight / weight credit.
  void burn(VcpuState& s, std::int64_t max_weight, Cycles cycles) {
    s.credit = burned(s, max_weight, cycles, &s.residual);
  }

  // s's credit after `cycles` of running, and the residual left; 64-bit
  // arithmetic below 2^40 cycles (weights are below 2^16), 128-bit beyond.
  Credit burned(const VcpuState& s, std::int64_t max_weight, Cycles cycles, std::int64_t* residual) const {
    const auto weight = static_cast<std::uint64_t>(s.weight);
    std::uint64_t val = 0;
    if (cycles < (Cycles{1} << 40)) {
      std::uint64_t num = cycles * static_cast<std::uint64_t>(max_weight) +
                          static_cast<std::uint64_t>(s.residual);
      *residual = static_cast<std::int64_t>(num % weight);
      val = num / weight;
    } else {
      unsigned __int128 num = static_cast<unsigned __int128>(cycles) * max_weight +
                              static_cast<unsigned __int128>(s.residual);
      *residual = static_cast<std::int64_t>(num % weight);
      num /= weight;
      if (num >> 64) return m_credit_min;
      val = static_cast<std::uint64_t>(num);
    }
    // Below CREDIT_MIN makes no sense (Xen clips there too).
    auto floor_gap = static_cast<std::uint64_t>(s.credit - m_credit_min);
    return val >= floor_gap ? m_credit_min : s.credit - static_cast<Credit>(val);
  }

  // c2t: how long `credit` lasts a vCPU. Credit stays far below 2^47 and
  // weights below 2^16, so the product fits 64 bits (no 128-bit division, a
  // libgcc call); the 128-bit path only guards the bound.
  static Cycles to_time(Credit credit, const VcpuState& s, std::int64_t max_weight) {
    if (credit < (Credit{1} << 47) && credit > -(Credit{1} << 47))
      return static_cast<Cycles>(credit * s.weight / max_weight);
    return static_cast<Cycles>(static_cast<__int128>(credit) * s.weight / max_weight);
  }

  // Burn what the owner of `cpu` ran since it was accounted last. Wall time
  // until the VMM reports `ran` at the deschedule (they agree without costs).
  // Burning is additive (the residual carries the remainders), so burning in
  // steps gives the credit that burning at once gives.
  void burn_running(unsigned cpu, Cycles now) {
    VcpuId owner = current(cpu);
    PcpuState& pc = m_pcpus[cpu];
    if (owner == kIdle || now <= pc.dispatched) return;
    Cycles elapsed = now - pc.dispatched;
    if (elapsed > pc.accounted) {
      burn(m_vcpus[owner], pc.max_weight, elapsed - pc.accounted);
      pc.accounted = elapsed;
    }
  }

  // Xen burns every busy pCPU's owner in each runq_tickle. Here a tickle that
  // may look at every pCPU only records its time; an owner is burned up to it
  // when its credit is needed (charge, reset, a change of max_weight), and the
  // tickle compares credits through the ordered classes. pCPUs tickled since
  // were burned when tickled and are not burned further, as in Xen.
  Cycles pending_time(int cpu) const {
    const PcpuState& pc = m_pcpus[cpu];
    return pc.tickled ? 0 : rq_of(pc).scan_time;
  }
  void settle(unsigned cpu) { burn_running(cpu, pending_time(static_cast<int>(cpu))); }
  void settle_all(const Runqueue& rq) {
    for (unsigned c = rq.first_cpu; c < rq.first_cpu + rq.cpus; ++c) settle(c);
  }

  // The credit of cpu's owner burned up to `at`, without burning it.
  Credit credit_at(unsigned cpu, Cycles at) const {
    const VcpuState& s = m_vcpus[current(cpu)];
    const PcpuState& pc = m_pcpus[cpu];
    if (at <= pc.dispatched || at - pc.dispatched <= pc.accounted) return s.credit;
    std::int64_t residual = 0;
    return burned(s, pc.max_weight, at - pc.dispatched - pc.accounted, &residual);
  }

  // A weight class's key: credit burns at max_weight / weight per cycle, the
  // same rate for the whole class, so the order does not change while they
  // run. w x (credit at time t) = key - t x max_weight, up to the rounding
  // burn() does; burning moves credit, residual and accounted together and
  // keeps it.
  CreditKey credit_key(unsigned cpu) const {
    const VcpuState& s = m_vcpus[current(cpu)];
    const PcpuState& pc = m_pcpus[cpu];
    return static_cast<CreditKey>(s.credit) * s.weight - s.residual +
           static_cast<CreditKey>(pc.dispatched + pc.accounted) * pc.max_weight;
  }

  // Puts cpu in its owner's weight class, or takes it out (idle or tickled).
  void rekey(unsigned cpu) {
    PcpuState& pc = m_pcpus[cpu];
    Runqueue& rq = rq_of(pc);
    const unsigned index = cpu - rq.first_cpu;
    const VcpuId owner = current(cpu);
    const bool member = owner != kIdle && !pc.tickled;
    const std::int64_t weight = member ? m_vcpus[owner].weight : 0;
    if (pc.weight_class >= 0 && (!member || rq.classes[pc.weight_class].weight != weight)) {
      rq.classes[pc.weight_class].by_credit.erase(index);
      pc.weight_class = -1;
    }
    if (!member) return;
    if (pc.weight_class < 0) {
      auto it = std::find_if(rq.classes.begin(), rq.classes.end(),
                             [&](const WeightClass& k) { return k.weight == weight; });
      if (it == rq.classes.end())
        it = rq.classes.insert(rq.classes.end(),
                               WeightClass{weight, CpuHeap<CreditKey, std::less<CreditKey>>(rq.cpus)});
      pc.weight_class = static_cast<int>(it - rq.classes.begin());
    }
    rq.classes[pc.weight_class].by_credit.set(index, credit_key(cpu));
  }
  void rekey_all(const Runqueue& rq) {
    for (unsigned c = rq.first_cpu; c < rq.first_cpu + rq.cpus; ++c) rekey(c);
  }

  void tickle(int cpu) {
    m_pcpus[cpu].tickled = true;
    m_idle_free.erase(static_cast<unsigned>(cpu));
    rekey(static_cast<unsigned>(cpu));
  }

  // The busy untickled pCPU of rq other than `skip` whose owner has the
  // least credit now (ties: the lowest pCPU), as a scan in pCPU order finds
  // it. O(weight classes x log pCPUs), plus the pCPUs tied with it.
  int least_credit(const Runqueue& rq, int skip, Cycles now, Credit* least) const {
    // In the runqueue's own pCPU numbers, from 0; `skip` outside it is -1 or less.
    const auto base = static_cast<int>(rq.first_cpu);
    const int skip_index = skip == kNoCpu ? kNoCpu : skip - base;
    int best = kNoCpu;
    for (const WeightClass& k : rq.classes) {
      int first = kNoCpu;  // of this class
      Credit first_credit = 0;
      k.by_credit.find_in_order([&](unsigned index) {
        const auto i = static_cast<int>(index);
        if (i == skip_index) return false;
        // A key a whole weight above the first's is a credit above it (unless
        // the first sits at CREDIT_MIN, where more may be clipped to it).
        if (first != kNoCpu && first_credit > m_credit_min &&
            k.by_credit.key(index) >= k.by_credit.key(static_cast<unsigned>(first)) + k.weight)
          return true;
        Credit credit = credit_at(static_cast<unsigned>(base + i), now);
        if (first == kNoCpu) {
          first = i;
          first_credit = credit;
        } else if (credit > first_credit) {
          return true;  // in credit order: nobody further in this class is less
        }
        if (best == kNoCpu || credit < *least || (credit == *least && i < best)) {
          best = i;
          *least = credit;
        }
        return best != kNoCpu && credit > *least;  // this class cannot beat the best
      });
    }
    return best == kNoCpu ? kNoCpu : base + best;
  }

  // reset_credit: every vCPU of rq (running, queued or blocked) gets
  // CREDIT_INIT (twice if snext sits at the floor), clipped to CREDIT_INIT +
  // carry-over. O(its vCPUs), as in Xen.
  void reset_credit(Runqueue& rq, VcpuId snext, Cycles now) {
    ++rq.resets;
    Credit reset = m_credit_init;
    if (m_vcpus[snext].credit == m_credit_min) reset += m_credit_init;
    for (unsigned c = rq.first_cpu; c < rq.first_cpu + rq.cpus; ++c) burn_running(c, now);
    for (int v = rq.assigned.front(); v != IdList::kNil; v = m_assigned_links.next(v)) {
      VcpuState& s = m_vcpus[static_cast<std::size_t>(v)];
      s.credit = std::min(s.credit + reset, m_credit_max);
    }
    // Clipping can tie vCPUs that were ordered: rebuild keeping their order.
    std::vector<VcpuId> order;
    order.reserve(rq.queue.size());
    rq.queue.find_in_order([&](unsigned v) {
      order.push_back(static_cast<VcpuId>(v));
      return false;  // on to the next: all of them
    });
    for (VcpuId v : order) {
      VcpuState& s = m_vcpus[v];
      rq.queue.set(static_cast<unsigned>(v), next_runq_key(s.credit));
    }
    rekey_all(rq);
  }

  // --- run queue ---

  void runq_insert(VcpuId v) {
    VcpuState& s = m_vcpus[v];
    rq_of(s).queue.set(static_cast<unsigned>(v), next_runq_key(s.credit));
    s.queued = true;
  }

  // A queue's head and its credit as queued; the queue not empty.
  static VcpuId runq_head(const Runqueue& rq) { return static_cast<VcpuId>(rq.queue.top()); }
  static Credit runq_head_credit(const Runqueue& rq) { return ~value_of(rq.queue.top_key()); }

  void runq_remove(VcpuId v) {
    VcpuState& s = m_vcpus[v];
    if (!s.queued) return;
    rq_of(s).queue.erase(static_cast<unsigned>(v));
    s.queued = false;
  }

  const Credit m_credit_init;  // CSCHED2_CREDIT_INIT in cycles
  const Credit m_credit_min;   // CSCHED2_CREDIT_MIN = -CREDIT_INIT
  const Credit m_credit_max;   // CREDIT_INIT + CARRYOVER_MAX (= min_timer)
  std::vector<VcpuState> m_vcpus;
  std::vector<PcpuState> m_pcpus;
  CpuSet m_idle_free;  // idle and not tickled
  Runqueue m_first;               // runqueue 0
  std::vector<Runqueue> m_more;   // runqueues 1..: made here, never resized
  const bool m_several;         // more than one runqueue
  IdLinks m_assigned_links;  // of the runqueues' assigned lists
  std::vector<int> m_queue_positions;  // of the runqueues' queues, by vCPU
  std::uint64_t m_next_seq = 0;
};

}  // namespace vmmsim::sched::credit2
