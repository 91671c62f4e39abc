#include "report/results.h"

#include <algorithm>

namespace vmmsim::report {

std::vector<double> entitled_shares(const std::vector<std::uint32_t>& weights,
                                    const std::vector<unsigned>& vcpus, unsigned cpus) {
  const std::size_t n = weights.size();
  std::vector<double> share(n, 0.0);
  std::vector<bool> capped(n, false);
  double left = 1.0;
  // Each round gives the rest by weight to the uncapped VMs; a VM over its
  // cap is fixed at the cap and the round repeats. At most n rounds.
  for (std::size_t round = 0; round < n && left > 1e-12; ++round) {
    double total = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!capped[i]) total += weights[i];
    if (total == 0) break;
    bool changed = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (capped[i]) continue;
      double cap = std::min(1.0, static_cast<double>(vcpus[i]) / cpus);
      if (left * weights[i] / total > cap) {
        share[i] = cap, capped[i] = true, changed = true;
      }
    }
    if (!changed) {
      for (std::size_t i = 0; i < n; ++i)
        if (!capped[i]) share[i] = left * weights[i] / total;
      break;
    }
    left = 1.0;
    for (std::size_t i = 0; i < n; ++i)
      if (capped[i]) left -= share[i];
  }
  return share;
}

double jain_index(const std::vector<double>& xs) {
  double sum = 0, squares = 0;
  for (double x : xs) sum += x, squares += x * x;
  if (xs.empty() || squares == 0) return 1.0;
  return sum * sum / (static_cast<double>(xs.size()) * squares);
}

}  // namespace vmmsim::report
