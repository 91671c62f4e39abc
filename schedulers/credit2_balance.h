// credit2's vCPUs between runqueues, after xen/common/sched/credit2.c: a new
// vCPU goes to the least loaded runqueue (csched2_res_pick), and after a
// runqueue's credit reset balance_load moves at most one vCPU each way
// between it and the runqueue whose load is furthest from its own (migrate).
// A vCPU that is running is only asked to move: it moves when its pCPU next
// deschedules it (CSFLAG_runq_migrate_request). With one runqueue none of
// this runs. See docs/policies/credit2.md "Multiple pCPUs".
#pragma once

#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <vector>

#include "schedulers/credit2_credit.h"

namespace vmmsim::sched::credit2 {

class Credit2Balance : public Credit2Credit {
 protected:
  Credit2Balance(const vmm_sched_config_t& config, RunqueueLayout layout)
      : Credit2Credit(config, layout),
        m_deferred_at(config.cpus, kForever),
        m_ns_num(1'000'000'000 / std::gcd(std::uint64_t{1'000'000'000}, config.clock_hz)),
        m_ns_den(config.clock_hz / std::gcd(std::uint64_t{1'000'000'000}, config.clock_hz)) {}

  bool moving(VcpuId v) const { return several_runqueues() && m_vcpus[v].migrate_to >= 0; }

  // --- load (update_runq_load, update_svc_load, update_load) ---

  // Time in Xen's load units: nanoseconds >> 10, whatever the clock
  // (cycles x 10^9 / clock, the fraction reduced: at 1 GHz a shift alone).
  std::int64_t load_time(Cycles now) const {
    if (m_ns_den == 1 && now < kForever / m_ns_num)
      return static_cast<std::int64_t>((now * m_ns_num) >> kLoadGranularity);
    const auto ns = static_cast<unsigned __int128>(now) * m_ns_num / m_ns_den;
    return static_cast<std::int64_t>(ns >> kLoadGranularity);
  }
  void update_rq_load(Runqueue& rq, int change, Cycles now) {
    const std::int64_t t = load_time(now);
    const Load sample = static_cast<Load>(rq.load) << kLoadPrecision;
    rq.avgload = load_step(rq.avgload, sample, rq.load_updated, t);
    rq.b_avgload = load_step(rq.b_avgload, sample, rq.load_updated, t);
    rq.load += change;
    rq.load_updated = t;
  }
  // v's own average: the sample is whether it was runnable until now.
  void update_vcpu_load(VcpuId v, int change, Cycles now) {
    VcpuState& s = m_vcpus[v];
    const Load runnable_until_now = change < 0 ? 1 : change > 0 ? 0 : runnable(v) ? 1 : 0;
    const std::int64_t t = load_time(now);
    s.avgload = static_cast<std::int32_t>(
        load_step(s.avgload, runnable_until_now << kLoadPrecision, s.load_updated, t));
    s.load_updated = t;
  }
  // v became runnable in its runqueue (+1) or stopped being (-1). With one
  // runqueue nothing reads a load: nothing is counted.
  void load_changed(VcpuId v, int change, Cycles now) {
    if (several_runqueues()) count_load(v, change, now);
  }
  [[gnu::noinline]] void count_load(VcpuId v, int change, Cycles now) {
    VcpuState& s = m_vcpus[v];
    if (s.loaded == (change > 0)) return;
    s.loaded = change > 0;
    update_rq_load(rq_of(s), change, now);
    update_vcpu_load(v, change, now);
  }

  // --- assignment (_runq_assign, _runq_deassign) ---

  void assign(VcpuId v, Runqueue& rq) {
    VcpuState& s = m_vcpus[v];
    s.rq = &rq;
    rq.assigned.push_back(m_assigned_links, v);
    rq.b_avgload += s.avgload;
    add_weight(rq, s.weight);
  }
  void deassign(VcpuId v) {
    VcpuState& s = m_vcpus[v];
    Runqueue& rq = rq_of(s);
    rq.assigned.erase(m_assigned_links, v);
    rq.b_avgload = std::max<Load>(rq.b_avgload - s.avgload, 0);
    remove_weight(rq, s.weight);
  }
  // update_max_weight: owners are burned at the old max_weight first.
  void add_weight(Runqueue& rq, std::int64_t weight) {
    const bool new_max = weight > rq.max_weight || rq.weights.empty();
    if (new_max) settle_all(rq);
    ++rq.weights[weight];
    weights_changed(rq);
    if (new_max) rekey_all(rq);
  }
  void remove_weight(Runqueue& rq, std::int64_t weight) {
    auto it = rq.weights.find(weight);
    const bool max_goes = it != rq.weights.end() && it->second == 1 && it->first == rq.max_weight;
    if (max_goes) settle_all(rq);
    if (it != rq.weights.end() && --it->second == 0) rq.weights.erase(it);
    weights_changed(rq);
    if (max_goes) rekey_all(rq);
  }

  // --- where a vCPU goes ---

  // May v (with `mask`, empty: anywhere) run on a pCPU of rq?
  static bool may_run_in(const CpuSet& mask, const Runqueue& rq) {
    if (mask.size() == 0) return true;
    const int c = mask.first_from(rq.first_cpu);
    return c != CpuSet::kNone && rq.holds(static_cast<unsigned>(c));
  }
  // cpumask_cycle over rq's pCPUs in `mask`: the first after rq.pick_bias,
  // wrapping; it becomes the new pick_bias.
  static unsigned next_pick(Runqueue& rq, const CpuSet& mask) {
    for (unsigned step = 1; step <= rq.cpus; ++step) {
      const unsigned c = rq.first_cpu + (rq.pick_bias - rq.first_cpu + step) % rq.cpus;
      if (mask.size() == 0 || mask.test(c)) return rq.pick_bias = c;
    }
    return rq.pick_bias;
  }
  // csched2_res_pick for a new vCPU: the runqueue with the least b_avgload
  // that it may run in (ties: the lowest), whose pick_bias moves on.
  Runqueue& least_loaded(const CpuSet& mask) {
    unsigned best = 0;
    bool found = false;
    for (unsigned r = 0; r < runqueue_count(); ++r) {
      if (!may_run_in(mask, runqueue(r))) continue;
      if (!found || runqueue(r).b_avgload < runqueue(best).b_avgload) best = r;
      found = true;
    }
    next_pick(runqueue(best), mask);
    return runqueue(best);
  }

  // Is v on a pCPU, or being chosen or set aside by the decision under way
  // (Xen: CSFLAG_scheduled)?
  bool scheduled(VcpuId v) const {
    return running_on(v) != kNoCpu || v == m_choosing || v == m_aside || v == m_blocked_prev;
  }

  // migrate(): a scheduled vCPU is asked to move (its pCPU tickled, unless it
  // is this decision's); any other moves now, with its place in the queue.
  void migrate(VcpuId v, Runqueue& to, Cycles now) {
    VcpuState& s = m_vcpus[v];
    if (scheduled(v)) {
      s.migrate_to = static_cast<std::int16_t>(index_of(to));
      const int cpu = running_on(v);
      if (cpu != kNoCpu) {
        settle(static_cast<unsigned>(cpu));  // burned up to this tickle, as a wake's
        tickle(cpu);
        defer_tickle(vmm_tickle_t{cpu, now});
      }
      return;
    }
    const bool queued = s.queued;
    if (queued) {
      runq_remove(v);
      update_rq_load(rq_of(s), -1, now);
    }
    move(v, to);
    if (queued) {
      update_rq_load(to, +1, now);
      runq_insert(v);
      defer_tickle(tickle_for(v, now));
    }
  }
  // Reassigned to runqueue `to`, its pCPU the next one of `to` (Xen sets the
  // vCPU's pCPU there, so its resist and compensation count from it).
  void move(VcpuId v, Runqueue& to) {
    deassign(v);
    m_vcpus[v].last_cpu = static_cast<int>(next_pick(to, affinity(v)));
    assign(v, to);
  }
  // v, asked to move, is off its pCPU now (context_saved, then
  // sched_unit_migrate_finish): it leaves its runqueue's load, res_pick
  // hands it a pCPU of the target (moving pick_bias, as migrate() then does
  // once more), and if runnable it wakes there.
  [[gnu::noinline]] void finish_move(VcpuId v, Cycles now) {
    Runqueue& to = runqueue(static_cast<unsigned>(m_vcpus[v].migrate_to));
    m_vcpus[v].migrate_to = -1;
    load_changed(v, -1, now);
    next_pick(to, affinity(v));
    move(v, to);
    if (!runnable(v)) return;
    load_changed(v, +1, now);
    runq_insert(v);
    defer_tickle(tickle_for(v, now));
  }

  // A tickle made inside a decision, which can answer only for its own pCPU:
  // tick() asks that pCPU at the next PIT tick from t.at on.
  void defer_tickle(vmm_tickle_t t) {
    if (t.cpu == kNoCpu) return;
    m_deferred_at[t.cpu] = t.at;
  }

  // --- balance_load ---

  struct Balance {
    Runqueue* local;
    Runqueue* other;
    Load distance;  // the best |local - other| found so far
    VcpuId push = kIdle;
    VcpuId pull = kIdle;
  };
  // A vCPU weighed by the search, with its average (0 for "none").
  struct Candidate {
    VcpuId v = kIdle;
    Load load = 0;
  };
  // consider(): would pushing `push` and pulling `pull` (kIdle: none) bring
  // the two loads closer than the best so far? The first such pair wins.
  static void consider(Balance& b, Candidate push, Candidate pull) {
    const Load l = b.local->b_avgload - push.load + pull.load;
    const Load o = b.other->b_avgload + push.load - pull.load;
    const Load d = std::llabs(l - o);
    if (d < b.distance) b = Balance{b.local, b.other, d, push.v, pull.v};
  }
  bool migrateable(VcpuId v, const Runqueue& to) const {
    return m_vcpus[v].migrate_to < 0 && may_run_in(affinity(v), to);
  }

  // After a reset on `cpu`'s runqueue: find the runqueue whose load is
  // furthest from it, and the push, pull or swap that brings them closest,
  // if their distance is worth it (a whole vCPU while under capacity, an
  // eighth above). Xen's pair search is O(n x m), and so is this.
  [[gnu::noinline]] void balance_load(unsigned cpu, Cycles now) {
    Runqueue& local = rq_of_cpu(cpu);
    update_rq_load(local, 0, now);
    Runqueue* furthest = nullptr;
    Runqueue* last = nullptr;
    Load max_distance = 0;
    for (unsigned r = 0; r < runqueue_count(); ++r) {
      Runqueue& rq = runqueue(r);
      last = &rq;
      if (&rq == &local) continue;
      update_rq_load(rq, 0, now);
      const Load d = std::llabs(local.b_avgload - rq.b_avgload);
      if (d > max_distance) max_distance = d, furthest = &rq;
    }
    if (!furthest) return;
    // Xen compares against the runqueue its loop ended on, not the furthest.
    const Load load_max = std::max(local.b_avgload, last->b_avgload);
    const Load cpus_max = std::max(local.cpus, last->cpus);
    const Load needed = load_max < (cpus_max << kLoadPrecision) ? Load{1} << kLoadPrecision
                                                                : Load{1} << (kLoadPrecision - 3);
    if (max_distance < needed) return;

    Balance b{&local, furthest, max_distance};
    // Xen's pair search, in its order: for each of this runqueue's vCPUs
    // that may go, each of the other's that may come, then each alone. Who
    // may come does not change during the search: it is listed once (Xen
    // asks at every pair), in the first inner pass, which also refreshes
    // every average of the other side, as Xen's does.
    std::vector<Candidate>& pulls = m_pulls;
    pulls.clear();
    bool listed = false;
    for (int p = local.assigned.front(); p != IdList::kNil; p = m_assigned_links.next(p)) {
      update_vcpu_load(p, 0, now);
      if (!migrateable(p, *furthest)) continue;
      if (!listed) {
        for (int q = furthest->assigned.front(); q != IdList::kNil; q = m_assigned_links.next(q)) {
          update_vcpu_load(q, 0, now);
          if (migrateable(q, local)) pulls.push_back({q, m_vcpus[q].avgload});
        }
        listed = true;
      }
      const Candidate push{p, m_vcpus[p].avgload};
      for (const Candidate& pull : pulls) consider(b, push, pull);
      consider(b, push, Candidate{});
    }
    if (!listed)  // no vCPU may go: the other side's averages stay as they were
      for (int q = furthest->assigned.front(); q != IdList::kNil; q = m_assigned_links.next(q))
        if (migrateable(q, local)) pulls.push_back({q, m_vcpus[q].avgload});
    for (const Candidate& pull : pulls) consider(b, Candidate{}, pull);
    if (b.push != kIdle) migrate(b.push, *furthest, now);
    if (b.pull != kIdle) migrate(b.pull, local, now);
  }

  // prev, just off its pCPU and blocked: Xen's context_saved takes it out
  // of the load after the decision (and moves it, if asked), so that the
  // decision's balance_load sees it scheduled (requeue() takes a runnable
  // one).
  void descheduled(VcpuId prev) {
    if (!runnable(prev)) m_blocked_prev = prev;
  }
  [[gnu::noinline]] void context_saved(Cycles now) {
    const VcpuId prev = m_blocked_prev;
    if (prev == kIdle) return;
    m_blocked_prev = kIdle;
    count_load(prev, -1, now);
    if (m_vcpus[prev].migrate_to >= 0) finish_move(prev, now);
  }

  // A decision's own part, with several runqueues. Xen keeps the averages
  // fresh when a pCPU keeps its vCPU (kept) or goes idle (kIdle).
  [[gnu::noinline]] void refresh_load(Runqueue& rq, VcpuId kept, Cycles now) {
    update_rq_load(rq, 0, now);
    if (kept != kIdle) update_vcpu_load(kept, 0, now);
  }
  // After a reset on cpu, whose decision set `scurr` aside (kIdle: none) and
  // chose `snext`: balance_load. A vCPU of this decision asked to move moves
  // at once (Xen would run it for no time first). True if snext moved and
  // the choice must be made again.
  [[gnu::noinline]] bool balance_after_reset(unsigned cpu, VcpuId& scurr, VcpuId snext,
                                             Cycles now) {
    m_idle_free.erase(cpu);  // Xen has taken it out of the idle mask: no move asks it
    m_choosing = snext;
    m_aside = scurr;
    balance_load(cpu, now);
    m_choosing = m_aside = kIdle;
    m_idle_free.insert(cpu);
    if (scurr != kIdle && m_vcpus[scurr].migrate_to >= 0) {
      const bool was_chosen = snext == scurr;
      finish_move(scurr, now);
      scurr = kIdle;
      if (was_chosen) return true;
    }
    if (m_vcpus[snext].migrate_to < 0) return false;
    finish_move(snext, now);
    return true;
  }

  VcpuId m_descheduled = kIdle;       // prev between requeue() and select()
  VcpuId m_choosing = kIdle;          // during balance_load: the next owner select() has chosen,
  VcpuId m_aside = kIdle;             // and the one it set aside
  VcpuId m_blocked_prev = kIdle;      // descheduled blocked, until the decision ends
  std::vector<Candidate> m_pulls;     // balance_load's: the other runqueue's vCPUs that may come
  std::vector<Cycles> m_deferred_at;  // by pCPU: tick() asks it from then on (kForever: no)
  const std::uint64_t m_ns_num;       // nanoseconds per cycle, as a reduced fraction
  const std::uint64_t m_ns_den;
};

}  // namespace vmmsim::sched::credit2
