#include "report/fair_share.h"

#include <algorithm>

namespace vmmsim::report {

std::vector<double> water_fill(const std::vector<double>& weights, const std::vector<double>& caps,
                               double capacity) {
  const std::size_t n = weights.size();
  std::vector<double> share(n, 0.0);
  std::vector<bool> fixed(n, false);
  double left = std::max(capacity, 0.0);
  // Each round shares what is left by weight among the claimants not yet at
  // their cap; those whose portion would pass their cap get the cap and the
  // round repeats with the rest. Capping one only raises the others'
  // portions, so a claimant over its cap stays over: at most n rounds.
  for (std::size_t round = 0; round <= n; ++round) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!fixed[i]) total += weights[i];
    if (total <= 0) break;
    bool capped = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (fixed[i]) continue;
      const double cap = std::max(caps[i], 0.0);
      if (left * weights[i] / total >= cap) share[i] = cap, fixed[i] = true, capped = true;
    }
    if (!capped) {
      for (std::size_t i = 0; i < n; ++i)
        if (!fixed[i]) share[i] = left * weights[i] / total;
      break;
    }
    left = std::max(capacity, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      if (fixed[i]) left -= share[i];
    left = std::max(left, 0.0);
  }
  return share;
}

std::vector<double> entitled_shares(const std::vector<std::uint32_t>& weights,
                                    const std::vector<unsigned>& vcpus, unsigned cpus) {
  std::vector<double> w, caps;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    w.push_back(weights[i]);
    caps.push_back(std::min(1.0, static_cast<double>(vcpus[i]) / cpus));
  }
  return water_fill(w, caps, 1.0);
}

double jain_index(const std::vector<double>& xs) {
  double sum = 0, squares = 0;
  for (double x : xs) sum += x, squares += x * x;
  if (xs.empty() || squares == 0) return 1.0;
  return sum * sum / (static_cast<double>(xs.size()) * squares);
}

double demand_cycles(const VcpuTime& t) {
  if (t.ended) return static_cast<double>(t.cpu);
  if (t.lifetime == 0) return 0;
  if (t.jobs > 0 && t.period > 0) {
    const double per_job = static_cast<double>(t.cpu) / static_cast<double>(t.jobs);
    return std::min(static_cast<double>(t.lifetime),
                    per_job * static_cast<double>(t.lifetime) / static_cast<double>(t.period));
  }
  const Cycles free = t.lifetime > t.waited ? t.lifetime - t.waited : 0;  // not held back
  if (free == 0) return static_cast<double>(t.lifetime);
  const double rate = std::min(1.0, static_cast<double>(t.cpu) / static_cast<double>(free));
  return rate * static_cast<double>(t.lifetime);
}

}  // namespace vmmsim::report
