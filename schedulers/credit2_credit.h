// credit2's credit, after xen/common/sched/credit2.c (t2c_update, c2t,
// burn_credits, reset_credit, runq_insert): each vCPU's credit in cycles,
// burned at max_weight / weight per cycle while it runs (lazily: a tickle
// that compares every busy pCPU only records its time), the busy pCPUs
// ordered by their owner's credit for the wake's tickle, the run queue by
// credit, and the reset that refills every vCPU when the best runnable one
// has none left. When each happens is the policy's (schedulers/credit2.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "schedulers/cpu_heap.h"
#include "schedulers/cpu_set.h"
#include "schedulers/indexed_heap.h"
#include "schedulers/policy.h"

namespace vmmsim::sched::credit2 {

// Credit in cycles of the platform clock (Xen: nanoseconds). Signed: it goes
// negative when a vCPU overruns, down to -CREDIT_INIT.
using Credit = std::int64_t;

constexpr std::int64_t kCreditInitUs = 10'000;  // CSCHED2_CREDIT_INIT, 10 ms
constexpr std::int64_t kWeightDefault = 256;    // CSCHED2_DEFAULT_WEIGHT

class Credit2Credit : public Policy {
 protected:
  explicit Credit2Credit(const vmm_sched_config_t& config)
      : Policy(config),
        m_credit_init(from_us(kCreditInitUs)),
        m_credit_min(-m_credit_init),
        m_credit_max(m_credit_init +
                     static_cast<Credit>(static_cast<Cycles>(config_param("min_timer")))),
        m_pcpus(config.cpus),
        m_idle_free(config.cpus, true) {}

  // The run queue order: most credit first; equal credit in the order queued
  // (Xen's runq_insert puts a vCPU after every one with as much credit), as
  // an integer_key of ~credit, compared without a branch.
  IntegerKey next_runq_key(Credit credit) { return integer_key(~credit, m_next_seq++); }

  struct VcpuState {
    Credit credit = 0;
    std::int64_t weight = kWeightDefault;
    std::int64_t residual = 0;  // t2c remainder, so short runs add up (Xen's residual)
    bool queued = false;
    int last_cpu = kNoCpu;  // where it last ran (Xen: sched_unit_master)
    bool yielded = false;
  };

  struct PcpuState {
    Cycles dispatched = 0;     // when the owner was last picked (credit burns from here)
    Cycles accounted = 0;      // cycles of this dispatch already burned
    Cycles running_since = 0;  // when the owner began running (ratelimit; Xen: state_entry_time)
    bool tickled = false;      // asked to reschedule and has not picked yet
    int weight_class = -1;     // index in m_classes while busy and not tickled
  };

  // Busy, untickled pCPUs whose owners have one weight, ordered by the owner's
  // credit. Credit burns at max_weight / weight per cycle, the same rate for
  // the whole class, so the order does not change while they run: the key is
  // credit * weight - residual + (dispatched + accounted) * max_weight, which
  // burning leaves unchanged (see credit_key()).
  using CreditKey = __int128;
  struct WeightClass {
    std::int64_t weight;
    CpuHeap<CreditKey, std::less<CreditKey>> by_credit;
  };

  Credit from_us(std::int64_t us) const {
    return static_cast<Credit>(static_cast<unsigned __int128>(clock()) * us / 1'000'000);
  }

  // --- credit ---

  // Read at every burn and key: kept beside the map, not looked up in it.
  std::int64_t max_weight() const { return m_max_weight; }
  // After each change of m_weights.
  void weights_changed() { m_max_weight = m_weights.empty() ? 1 : m_weights.rbegin()->first; }

  // t2c_update: `cycles` of running cost cycles * max_weight / weight credit.
  void burn(VcpuState& s, Cycles cycles) {
    s.credit = burned(s, cycles, &s.residual);
  }

  // s's credit after `cycles` of running, and the residual left; 64-bit
  // arithmetic below 2^40 cycles (weights are below 2^16), 128-bit beyond.
  Credit burned(const VcpuState& s, Cycles cycles, std::int64_t* residual) const {
    const auto weight = static_cast<std::uint64_t>(s.weight);
    std::uint64_t val = 0;
    if (cycles < (Cycles{1} << 40)) {
      std::uint64_t num = cycles * static_cast<std::uint64_t>(max_weight()) +
                          static_cast<std::uint64_t>(s.residual);
      *residual = static_cast<std::int64_t>(num % weight);
      val = num / weight;
    } else {
      unsigned __int128 num = static_cast<unsigned __int128>(cycles) * max_weight() +
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
  Cycles to_time(Credit credit, const VcpuState& s) const {
    if (credit < (Credit{1} << 47) && credit > -(Credit{1} << 47))
      return static_cast<Cycles>(credit * s.weight / max_weight());
    return static_cast<Cycles>(static_cast<__int128>(credit) * s.weight / max_weight());
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
      burn(m_vcpus[owner], elapsed - pc.accounted);
      pc.accounted = elapsed;
    }
  }

  // Xen burns every busy pCPU's owner in each runq_tickle. Here a tickle that
  // may look at every pCPU only records its time; an owner is burned up to it
  // when its credit is needed (charge, reset, a change of max_weight), and the
  // tickle compares credits through the ordered classes. pCPUs tickled since
  // were burned when tickled and are not burned further, as in Xen.
  Cycles pending_time(int cpu) const { return m_pcpus[cpu].tickled ? 0 : m_scan_time; }
  void settle(unsigned cpu) { burn_running(cpu, pending_time(static_cast<int>(cpu))); }
  void settle_all() {
    for (unsigned c = 0; c < cpus(); ++c) settle(c);
  }

  // The credit of cpu's owner burned up to `at`, without burning it.
  Credit credit_at(unsigned cpu, Cycles at) const {
    const VcpuState& s = m_vcpus[current(cpu)];
    const PcpuState& pc = m_pcpus[cpu];
    if (at <= pc.dispatched || at - pc.dispatched <= pc.accounted) return s.credit;
    std::int64_t residual = 0;
    return burned(s, at - pc.dispatched - pc.accounted, &residual);
  }

  // w x (credit at time t) = key - t x max_weight, up to the rounding burn()
  // does; burning moves credit, residual and accounted together and keeps it.
  CreditKey credit_key(unsigned cpu) const {
    const VcpuState& s = m_vcpus[current(cpu)];
    const PcpuState& pc = m_pcpus[cpu];
    return static_cast<CreditKey>(s.credit) * s.weight - s.residual +
           static_cast<CreditKey>(pc.dispatched + pc.accounted) * max_weight();
  }

  // Puts cpu in its owner's weight class, or takes it out (idle or tickled).
  void rekey(unsigned cpu) {
    PcpuState& pc = m_pcpus[cpu];
    const VcpuId owner = current(cpu);
    const bool member = owner != kIdle && !pc.tickled;
    const std::int64_t weight = member ? m_vcpus[owner].weight : 0;
    if (pc.weight_class >= 0 && (!member || m_classes[pc.weight_class].weight != weight)) {
      m_classes[pc.weight_class].by_credit.erase(cpu);
      pc.weight_class = -1;
    }
    if (!member) return;
    if (pc.weight_class < 0) {
      auto it = std::find_if(m_classes.begin(), m_classes.end(),
                             [&](const WeightClass& k) { return k.weight == weight; });
      if (it == m_classes.end())
        it = m_classes.insert(m_classes.end(), WeightClass{weight, CpuHeap<CreditKey, std::less<CreditKey>>(cpus())});
      pc.weight_class = static_cast<int>(it - m_classes.begin());
    }
    m_classes[pc.weight_class].by_credit.set(cpu, credit_key(cpu));
  }
  void rekey_all() {
    for (unsigned c = 0; c < cpus(); ++c) rekey(c);
  }

  void tickle(int cpu) {
    m_pcpus[cpu].tickled = true;
    m_idle_free.erase(static_cast<unsigned>(cpu));
    rekey(static_cast<unsigned>(cpu));
  }

  // The busy untickled pCPU other than `skip` whose owner has the least
  // credit now (ties: the lowest pCPU), as a scan in pCPU order finds it.
  // O(weight classes x log pCPUs), plus the pCPUs tied with it.
  int least_credit(int skip, Cycles now, Credit* least) const {
    int best = kNoCpu;
    for (const WeightClass& k : m_classes) {
      int first = kNoCpu;  // of this class
      Credit first_credit = 0;
      k.by_credit.find_in_order([&](unsigned c) {
        if (static_cast<int>(c) == skip) return false;
        // A key a whole weight above the first's is a credit above it (unless
        // the first sits at CREDIT_MIN, where more may be clipped to it).
        if (first != kNoCpu && first_credit > m_credit_min &&
            k.by_credit.key(c) >= k.by_credit.key(static_cast<unsigned>(first)) + k.weight)
          return true;
        Credit credit = credit_at(c, now);
        if (first == kNoCpu) {
          first = static_cast<int>(c);
          first_credit = credit;
        } else if (credit > first_credit) {
          return true;  // in credit order: nobody further in this class is less
        }
        if (best == kNoCpu || credit < *least || (credit == *least && static_cast<int>(c) < best)) {
          best = static_cast<int>(c);
          *least = credit;
        }
        return best != kNoCpu && credit > *least;  // this class cannot beat the best
      });
    }
    return best;
  }

  // reset_credit: everyone gets CREDIT_INIT (twice if snext sits at the
  // floor), clipped to CREDIT_INIT + carry-over. O(vCPUs), as in Xen.
  void reset_credit(VcpuId snext, Cycles now) {
    ++m_resets;
    Credit reset = m_credit_init;
    if (m_vcpus[snext].credit == m_credit_min) reset += m_credit_init;
    for (unsigned c = 0; c < cpus(); ++c) burn_running(c, now);
    for (std::size_t v = 0; v < m_vcpus.size(); ++v) {
      if (!known(static_cast<VcpuId>(v))) continue;
      VcpuState& s = m_vcpus[v];
      s.credit = std::min(s.credit + reset, m_credit_max);
    }
    // Clipping can tie vCPUs that were ordered: rebuild keeping their order.
    std::vector<VcpuId> order;
    order.reserve(m_runq.size());
    m_runq.find_in_order([&](unsigned v) {
      order.push_back(static_cast<VcpuId>(v));
      return false;  // on to the next: all of them
    });
    for (VcpuId v : order) {
      VcpuState& s = m_vcpus[v];
      m_runq.set(static_cast<unsigned>(v), next_runq_key(s.credit));
    }
    rekey_all();
  }

  // --- run queue ---

  void runq_insert(VcpuId v) {
    VcpuState& s = m_vcpus[v];
    m_runq.set(static_cast<unsigned>(v), next_runq_key(s.credit));
    s.queued = true;
  }

  // The queue's head and its credit as queued; the queue not empty.
  VcpuId runq_head() const { return static_cast<VcpuId>(m_runq.top()); }
  Credit runq_head_credit() const { return ~value_of(m_runq.top_key()); }

  void runq_remove(VcpuId v) {
    VcpuState& s = m_vcpus[v];
    if (!s.queued) return;
    m_runq.erase(static_cast<unsigned>(v));
    s.queued = false;
  }

  const Credit m_credit_init;  // CSCHED2_CREDIT_INIT in cycles
  const Credit m_credit_min;   // CSCHED2_CREDIT_MIN = -CREDIT_INIT
  const Credit m_credit_max;   // CREDIT_INIT + CARRYOVER_MAX (= min_timer)
  std::vector<VcpuState> m_vcpus;
  std::vector<PcpuState> m_pcpus;
  CpuSet m_idle_free;                 // idle and not tickled
  std::vector<WeightClass> m_classes;  // busy untickled pCPUs by owner weight
  Cycles m_scan_time = 0;             // last tickle that compared every busy pCPU
  VcpuHeap<IntegerKey> m_runq;  // runnable, not running, by credit (keys unique: seq)
  std::map<std::int64_t, unsigned> m_weights;  // weight -> vCPUs: max_weight is the last
  std::int64_t m_max_weight = 1;               // m_weights' last, 1 while empty
  std::uint64_t m_next_seq = 0;
  std::uint64_t m_resets = 0;
};

}  // namespace vmmsim::sched::credit2
