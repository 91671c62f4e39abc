// The soak's random choices (docs/robustness.md, "Randomized soak"): one
// xoshiro stream per purpose, no std distributions, so that a seed gives the
// same scenario on every machine. Plain C++.
#pragma once

#include <cstdint>

#include "workload/random.h"

namespace vmmsim::soak {

// Draws from one xoshiro stream; every choice goes through here so that the
// scenario depends on the seed alone.
class Draw {
 public:
  Draw(std::uint64_t seed, std::uint64_t stream = 0x50a6) : m_rng(seed, stream) {}
  std::uint64_t below(std::uint64_t n) { return m_rng.next() % n; }
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(unsigned percent) { return below(100) < percent; }
  template <class C>
  auto pick(const C& c) -> decltype(c[0]) {
    return c[below(c.size())];
  }
  std::uint64_t seed() { return m_rng.next(); }

 private:
  workload::Rng m_rng;
};

}  // namespace vmmsim::soak
