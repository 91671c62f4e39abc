// credit2's runqueues, after xen/common/sched/credit2.c: how Xen splits one
// socket's pCPUs into runqueues (cpu_add_to_runqueue), what each runqueue
// keeps for itself (its queue by credit, its max_weight, its busy pCPUs by
// credit, its credit resets), and the load averages balance_load compares
// (update_runq_load, update_svc_load). What moves vCPUs between runqueues is
// credit2_balance.h.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "base/units.h"
#include "schedulers/cpu_heap.h"
#include "schedulers/id_list.h"
#include "schedulers/indexed_heap.h"

namespace vmmsim::sched::credit2 {

// Xen's layout of one socket of N pCPUs, runqueues of at most `max_cpus`
// (sched_credit2_max_cpus_runqueue): the fewest runqueues that can hold
// them, R = ceil(N / max_cpus), each of C = floor(N / R) pCPUs handed out
// in pCPU order, so that runqueue k holds pCPUs [k*C, (k+1)*C) and a last
// one the N mod C left over (17 pCPUs: 8, 8 and 1).
struct RunqueueLayout {
  unsigned per_runqueue = 1;  // C
  unsigned count = 1;         // ceil(N / C)

  static RunqueueLayout of(unsigned cpus, unsigned max_cpus) {
    const unsigned fewest = (cpus - 1) / max_cpus + 1;
    const unsigned per = cpus / fewest;
    return RunqueueLayout{per, (cpus + per - 1) / per};
  }
  unsigned first_cpu(unsigned rq) const { return rq * per_runqueue; }
  unsigned cpus_of(unsigned rq, unsigned cpus) const {
    return std::min(per_runqueue, cpus - first_cpu(rq));
  }
};

// Load averages in fixed point, 2^kLoadPrecision being one always-runnable
// vCPU (Xen's defaults: load_precision_shift 18; load_window_shift 30 over
// a granularity of 2^10 ns, a window of 2^20 units).
constexpr unsigned kLoadPrecision = 18;
constexpr unsigned kLoadWindow = 20;
constexpr unsigned kLoadGranularity = 10;
using Load = std::int64_t;

// One step of the average `avg`, last updated at unit `last`, toward
// `sample` (fixed point) held until unit `now`: Xen's exponentially
// weighted average with its rounding (two shifts of the old value); more
// than a window since the last update forgets the history.
inline Load load_step(Load avg, Load sample, std::int64_t last, std::int64_t now) {
  if (last + (std::int64_t{1} << kLoadWindow) < now) return sample;
  const std::int64_t delta = std::max<std::int64_t>(now - last, 0);
  return avg + ((delta * sample) >> kLoadWindow) - ((delta * avg) >> kLoadWindow);
}

// Busy, untickled pCPUs whose owners have one weight, ordered by the owner's
// credit (credit2_credit.h credit_key), by their index in the runqueue.
using CreditKey = __int128;
struct WeightClass {
  std::int64_t weight;
  CpuHeap<CreditKey, std::less<CreditKey>> by_credit;
};

// A runqueue's queue: a vCPU heap whose positions sit in one array for all
// runqueues (a vCPU is queued in one at most).
using RunqueueHeap = IndexedHeap<IntegerKey, std::less<IntegerKey>, 4, false, SharedPositions>;

// Its fields in the order a decision reads them: the queue on the first
// cache line, the pCPUs, the tickle's fields and the load on the second.
struct alignas(64) Runqueue {
  RunqueueHeap queue;  // runnable, not running, by credit (keys unique: seq)
  unsigned first_cpu = 0;
  unsigned cpus = 0;
  Cycles scan_time = 0;              // its last tickle that compared every busy pCPU
  std::vector<WeightClass> classes;  // its busy untickled pCPUs by owner weight
  // Load: runnable vCPUs (running or queued), and its averages: b_avgload
  // also jumps by a vCPU's average when one is assigned or taken away.
  int load = 0;
  unsigned pick_bias = 0;  // the pCPU last handed out; the next comes after it
  Load avgload = 0;
  Load b_avgload = 0;
  std::int64_t load_updated = 0;             // in units of 2^kLoadGranularity ns
  std::int64_t max_weight = 1;               // weights' last, 1 while empty
  std::map<std::int64_t, unsigned> weights;  // of the assigned vCPUs: weight -> count
  IdList assigned;  // every vCPU of the runqueue, running, queued or blocked (Xen: svc)
  std::uint64_t resets = 0;

  bool holds(unsigned cpu) const { return cpu - first_cpu < cpus; }
};

}  // namespace vmmsim::sched::credit2
