// Time that stands still: a run whose simulated time stops advancing (a loop
// of program steps that take no time while every cost is 0, a scheduler
// handing out zero-length slices) serves ever more requests at one cycle and
// never returns to the SystemC kernel, so neither `until` nor a signal ends
// it. The guard counts what the VMM serves at the current cycle; past a bound
// no legitimate run reaches, the VMM ends the loop (docs/robustness.md,
// "Runs that cannot hang").
#pragma once

#include <cstdint>

#include "base/units.h"

namespace vmmsim::vmm {

class StallGuard {
 public:
  // A run serves a few requests per vCPU and pCPU at one cycle (arrivals,
  // wakes, decisions, a short run of zero-time steps): the bound is a
  // thousand per vCPU and pCPU, plus a million.
  static constexpr std::uint64_t kPerAgent = 1000;
  static constexpr std::uint64_t kFloor = 1000000;
  static constexpr std::uint64_t limit_for(std::uint64_t vcpus, std::uint64_t pcpus) {
    return kFloor + kPerAgent * (vcpus + pcpus);
  }

  explicit StallGuard(std::uint64_t limit) : m_limit(limit) {}

  // One request or program step served at `now`: true when it is one more
  // than the bound allows at this cycle. One compare on the request path.
  bool count(Cycles now) {
    if (now != m_cycle) {
      m_cycle = now;
      m_served = 0;
    }
    return ++m_served > m_limit;
  }
  // The loop was broken (a scheduler ejected): the count starts again.
  void restart() { m_served = 0; }
  std::uint64_t limit() const { return m_limit; }

 private:
  std::uint64_t m_limit;
  Cycles m_cycle = kForever;
  std::uint64_t m_served = 0;
};

}  // namespace vmmsim::vmm
