// Fair shares of the pCPUs (docs/results.md "Fairness"): weighted max-min
// water-filling with caps, used twice — with the vCPU count as the cap (the
// weight-only entitlement) and with each VM's demand as the cap (the fair
// share a VM that asks for little is judged against). Plain C++.
#pragma once

#include <cstdint>
#include <vector>

#include "base/units.h"

namespace vmmsim::report {

// Divides `capacity` by weight, no claimant above its cap: the level rises
// until every claimant either sits at its cap or shares what is left in
// proportion to its weight. If the caps add up to no more than `capacity`,
// each gets its cap (the rest stays unused). A zero weight gets nothing
// beyond what no one else can take (nothing, here: it never rises).
std::vector<double> water_fill(const std::vector<double>& weights, const std::vector<double>& caps,
                               double capacity);

// Entitled shares by weight, water-filled: a VM never gets more than its
// vCPUs can use (vcpus / cpus), the excess goes to the others by weight.
std::vector<double> entitled_shares(const std::vector<std::uint32_t>& weights,
                                    const std::vector<unsigned>& vcpus, unsigned cpus);

// Jain's index of xs: (sum x)^2 / (n * sum x^2); 1 = perfectly fair.
double jain_index(const std::vector<double>& xs);

// Where a vCPU's time went over a run, for its demand.
struct VcpuTime {
  Cycles cpu = 0;          // guest cycles on a pCPU
  Cycles waited = 0;       // runnable but not running (all its waits, an open one too)
  Cycles lifetime = 0;     // from its arrival to its program's end, its halt or the run's end
  bool ended = false;      // its program ended (or its VM halted) within the run
  std::uint64_t jobs = 0;  // periodic jobs (`every`) finished
  Cycles period = 0;       // their period; 0: no periodic jobs
};

// The guest cycles the vCPU would have used had it never waited for a pCPU:
// a program that ended asked for what it ran; one still going computes, while
// not held back, at the rate cpu / (lifetime - waited), and would have kept
// that rate over its whole lifetime. A vCPU that waited all its life asked
// for all of it. Periodic jobs are released by the clock, not after a
// block, so a job finishing late starts the next one at once and the rate
// would read as CPU-bound: they ask for their work per job (cpu / jobs) each
// period of their lifetime.
double demand_cycles(const VcpuTime& t);

}  // namespace vmmsim::report
