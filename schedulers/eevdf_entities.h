// EEVDF's scheduling entities, after kernel/sched/fair.c (update_curr,
// place_entity, update_entity_lag, update_deadline): each vCPU's vruntime,
// lag, virtual deadline and protected slice, charged as it runs (lazily
// while it keeps its pCPU: see sync()), placed into V when it becomes
// runnable and taken out with its lag when it blocks, and the busy pCPUs'
// owners kept for the wake's preemption check. The run queue and when each
// of these happens are the policy's (schedulers/eevdf.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "schedulers/cpu_set.h"
#include "schedulers/eevdf_busy_owners.h"
#include "schedulers/eevdf_deadline_trees.h"
#include "schedulers/eevdf_virtual_time.h"
#include "schedulers/policy.h"
#include "schedulers/running_advance.h"

namespace vmmsim::sched::eevdf {

constexpr std::int64_t kTickUs = 1'000;  // a tick, in microseconds: the lag clamp's floor

class EevdfEntities : public Policy {
 protected:
  explicit EevdfEntities(const vmm_sched_config_t& config)
      : Policy(config),
        m_slice(static_cast<Cycles>(config_param("slice"))),
        m_run_to_parity(config_param("run_to_parity") != 0),
        m_tick(static_cast<Cycles>(static_cast<unsigned __int128>(clock()) * kTickUs / 1'000'000)),
        m_pcpus(config.cpus),
        m_idle_free(config.cpus, true),
        m_owners(config.cpus),
        m_running(config.cpus, kNice0Load) {}

  struct Entity {
    std::int64_t weight = kNice0Load;
    // From set_weight(), which on_insert calls: 0 in an entity never inserted
    // (or removed), which nothing reads.
    VirtualTime vslice = 0;     // the request, slice * 1024 / weight
    VirtualTime lag_limit = 0;  // the lag clamp, max(2 slices, a tick) * 1024 / weight
    VirtualTime vruntime = 0;
    std::int64_t remainder = 0;  // of ran * 1024 / weight, carried so nothing is lost
    VirtualTime deadline = 0;    // vruntime + slice * 1024 / weight at the request's start
    VirtualTime vprot = 0;       // RUN_TO_PARITY: protected while vruntime < vprot
    VirtualTime vlag = 0;        // V - vruntime when it left the run queue
    bool on_rq = false;          // runnable: counted in V
    bool queued = false;         // in a tree (runnable, not running)
    bool fresh = true;           // never placed: its first request is half a slice
    bool yielded = false;
    std::size_t affinity = 0;  // index into m_classes
  };

  struct PcpuState {
    Cycles dispatched = 0;  // when the owner was picked
    Cycles accounted = 0;   // cycles of this dispatch already in its vruntime
    bool tickled = false;   // asked to reschedule, has not picked yet
    VcpuId prev = kIdle;    // charged in this pick_next, for select()
  };

  // --- virtual time ---

  // The weight and what follows from it, divided once here rather than at
  // every request (a 64-bit division is among the slowest instructions).
  void set_weight(Entity& e, std::int64_t weight) const {
    e.weight = weight;
    e.vslice = to_virtual(m_slice, weight);
    e.lag_limit = to_virtual(std::max(2 * m_slice, m_tick), weight);
  }
  VirtualTime vslice(const Entity& e) const { return e.vslice; }
  VirtualTime avg_vruntime() { return m_v.settle(); }

  void count_in(Entity& e) {
    m_v.count_in(e.weight, e.vruntime);
    e.on_rq = true;
  }
  void count_out(Entity& e) {
    m_v.count_out(e.weight, e.vruntime);
    e.on_rq = false;
  }

  void advance(Entity& e, Cycles ran) {
    std::int64_t remainder = 0;
    VirtualTime dv = advance_by(e.weight, e.remainder, ran, &remainder);
    e.remainder = remainder;
    e.vruntime += dv;
    if (e.on_rq) m_v.advanced(e.weight, dv);
  }

  // update_curr: charge the owner of `cpu` for the time since it was last
  // accounted (wall time here; the VMM's `ran` settles it at the deschedule).
  void update_curr(unsigned cpu, Cycles now) {
    VcpuId owner = current(cpu);
    PcpuState& pc = m_pcpus[cpu];
    if (owner == kIdle || now <= pc.dispatched) return;
    Cycles elapsed = now - pc.dispatched;
    if (elapsed > pc.accounted) {
      advance(m_vcpus[owner], elapsed - pc.accounted);
      pc.accounted = elapsed;
    }
  }
  // The owner of cpu's vruntime if it were charged up to `at`.
  VirtualTime vruntime_at(unsigned cpu, Cycles at) const {
    const Entity& e = m_vcpus[current(cpu)];
    const PcpuState& pc = m_pcpus[cpu];
    if (at <= pc.dispatched || at - pc.dispatched <= pc.accounted) return e.vruntime;
    std::int64_t remainder = 0;
    return e.vruntime + advance_by(e.weight, e.remainder, at - pc.dispatched - pc.accounted, &remainder);
  }

  // Linux charges every running vCPU (update_curr) before V is used, which
  // here was O(pCPUs) on every wake, block and pick. Instead an event only
  // records its time (m_event_time) and what charging the running vCPUs up
  // to it would add to the weighted sum (m_lazy, from m_running in
  // O(log pCPUs)); a running vCPU is charged for real up to the last event
  // when it leaves its pCPU, blocks or is ticked. Charging is additive (the
  // remainder carries), so every vruntime and V are those of charging all.
  void sync(Cycles now) {
    m_event_time = now;
    m_v.set_lazy(m_running.total(now));
  }

  // Charges cpu's owner up to the last event and takes cpu out of m_running.
  void untrack(unsigned cpu) {
    if (m_running.contains(cpu)) {
      m_v.add_lazy(-m_running.of(cpu, m_event_time));  // moves into the sum just below
      m_running.remove(cpu);
    }
    update_curr(cpu, m_event_time);
  }
  // cpu counts in m_running while its owner is runnable (on_rq). Its owner
  // must be charged up to the last event (untrack) or dispatched since.
  void track(unsigned cpu) {
    VcpuId owner = current(cpu);
    if (owner == kIdle || !m_vcpus[owner].on_rq) return;
    const PcpuState& pc = m_pcpus[cpu];
    m_running.add(cpu, m_vcpus[owner].weight, pc.dispatched + pc.accounted,
                  m_vcpus[owner].remainder);
  }
  // update_curr(cpu, now) of a tick or a yield, between events: untrack,
  // whose charge up to the last event is part of this one (charging is
  // additive), then track.
  void charge_to(unsigned cpu, Cycles now) {
    if (m_running.contains(cpu)) {
      m_v.add_lazy(-m_running.of(cpu, m_event_time));  // moves into the sum just below
      m_running.remove(cpu);
    }
    update_curr(cpu, std::max(now, m_event_time));
    track(cpu);
  }

  void tickle(unsigned cpu) {
    m_pcpus[cpu].tickled = true;
    m_idle_free.erase(cpu);
    place_owner(cpu);
  }

  // --- busy pCPUs, for the wake's preemption check (eevdf_busy_owners.h) ---

  OwnerKey vruntime_key(unsigned cpu) const {
    const Entity& e = m_vcpus[current(cpu)];
    const PcpuState& pc = m_pcpus[cpu];
    return static_cast<OwnerKey>(e.vruntime) * e.weight + e.remainder -
           static_cast<OwnerKey>(pc.dispatched + pc.accounted) * kNice0Load;
  }

  void place_owner(unsigned cpu) {
    const VcpuId owner = current(cpu);
    const bool busy = owner != kIdle && !m_pcpus[cpu].tickled;
    m_owners.place(cpu, busy, busy ? m_vcpus[owner].deadline : 0);
  }

  void refresh_owners() {
    m_owners.refresh([this](unsigned cpu, OwnerKeys* k) {
      const VcpuId owner = current(cpu);
      if (owner == kIdle || m_pcpus[cpu].tickled) return false;
      const Entity& e = m_vcpus[owner];
      const OwnerKey key = vruntime_key(cpu);
      const OwnerKey unprotected =
          !m_run_to_parity || e.yielded ? kAlways : key - static_cast<OwnerKey>(e.vprot) * e.weight;
      *k = OwnerKeys{e.weight, e.deadline, key, unprotected};
      return true;
    });
  }

  // place_entity: v = V - lag, the lag inflated by (W + w) / W so that it
  // survives the shift of V the newcomer causes (PLACE_LAG); a first request
  // is half a slice (PLACE_DEADLINE_INITIAL).
  void place(Entity& e) {
    VirtualTime v = avg_vruntime();
    VirtualTime lag = 0;
    const std::int64_t load = m_v.load();
    if (load > 0 && e.vlag != 0) {
      std::int64_t scaled;  // in 64 bits when it fits: a 128-bit division is a libgcc call
      if (!__builtin_mul_overflow(e.vlag, load + e.weight, &scaled))
        lag = scaled / load;
      else
        lag = static_cast<VirtualTime>(static_cast<__int128>(e.vlag) * (load + e.weight) / load);
    }
    e.vruntime = v - lag;
    VirtualTime request = vslice(e);
    if (e.fresh) request /= 2;
    e.deadline = e.vruntime + request;
    e.fresh = false;
    count_in(e);
  }

  // update_entity_lag on the way out, clamped to max(2 slices, a tick).
  void leave(Entity& e) {
    e.vlag = std::clamp(avg_vruntime() - e.vruntime, -e.lag_limit, e.lag_limit);
    count_out(e);
  }

  // update_deadline: a used-up request is followed by the next one.
  void renew_deadline(Entity& e) {
    if (e.vruntime >= e.deadline) e.deadline = e.vruntime + vslice(e);
  }

  // RUN_TO_PARITY's protection of a vruntime known to be eligible.
  bool protected_eligible(const Entity& e, VirtualTime vruntime) const {
    return m_run_to_parity && !e.yielded && vruntime < e.vprot;
  }

  // Cycles until the request ends: (deadline - v) * weight / 1024, rounded up
  // so that the deadline is reached when the slice expires.
  Cycles request_left(const Entity& e) const {
    VirtualTime left = e.deadline - e.vruntime;
    if (left <= 0) return 1;
    return static_cast<Cycles>((static_cast<__int128>(left) * e.weight + kNice0Load - 1) /
                               kNice0Load);
  }

  const Cycles m_slice;  // r: the request size, cycles
  const bool m_run_to_parity;
  const Cycles m_tick;  // cycles; the lag clamp's floor
  std::vector<Entity> m_vcpus;
  std::vector<PcpuState> m_pcpus;
  CpuSet m_idle_free;  // idle and not tickled
  BusyOwners m_owners;  // busy, untickled pCPUs by their owner's deadline
  RunningAdvance m_running;  // busy pCPUs whose owner is runnable (on_rq)
  Cycles m_event_time = 0;   // the last wake, block or pick: V is kept as of then
  AverageVruntime m_v;  // V over the runnable vCPUs (running ones too)
};

}  // namespace vmmsim::sched::eevdf
