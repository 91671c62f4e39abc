#include "base/histogram.h"

#include <algorithm>
#include <cmath>

namespace vmmsim {

std::uint64_t Histogram::bucket_low(std::size_t bucket) {
  constexpr std::uint64_t sub = std::uint64_t{1} << kSubBits;
  if (bucket < sub) return bucket;
  std::uint64_t shift = (bucket - sub) / sub;
  std::uint64_t mantissa = (bucket - sub) % sub;
  return (sub + mantissa) << shift;
}

std::uint64_t* Histogram::octave(std::size_t o) {
  return m_block[o] ? &m_counts[(m_block[o] - 1u) * kSub] : add_octave(o);
}

std::uint64_t* Histogram::add_octave(std::size_t o) {
  m_counts.resize(m_counts.size() + kSub, 0);
  m_block[o] = static_cast<std::uint8_t>(m_counts.size() / kSub);
  return &m_counts[(m_block[o] - 1u) * kSub];
}

template <typename F>
void Histogram::for_each_bucket(F f) const {
  for (std::size_t o = 0; o < kOctaves; ++o) {
    if (m_block[o] == 0) continue;
    const std::uint64_t* counts = &m_counts[(m_block[o] - 1u) * kSub];
    for (std::size_t j = 0; j < kSub; ++j)
      if (counts[j] != 0) f(o * kSub + j, counts[j]);
  }
}

double Histogram::mean() const {
  return m_count ? static_cast<double>(m_sum) / static_cast<double>(m_count) : 0.0;
}

std::uint64_t Histogram::percentile(double p) const {
  if (m_count == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(m_count)));
  rank = std::clamp<std::uint64_t>(rank, 1, m_count);
  std::uint64_t seen = 0, found = m_max;
  bool done = false;
  for_each_bucket([&](std::size_t b, std::uint64_t n) {
    if (done) return;
    seen += n;
    if (seen >= rank) found = std::clamp(bucket_low(b), min(), m_max), done = true;
  });
  return found;
}

void Histogram::merge(const Histogram& other) {
  other.for_each_bucket([this](std::size_t b, std::uint64_t n) { octave(b / kSub)[b % kSub] += n; });
  m_count += other.m_count;
  m_sum += other.m_sum;
  m_min = std::min(m_min, other.m_min);
  m_max = std::max(m_max, other.m_max);
}

std::vector<std::pair<std::uint64_t, double>> Histogram::cdf(std::size_t max_points) const {
  std::vector<std::pair<std::uint64_t, double>> points;
  if (m_count == 0 || max_points == 0) return points;
  const double total = static_cast<double>(m_count);
  std::uint64_t seen = 0;
  double next = 0;  // the fraction the next kept point must reach
  for_each_bucket([&](std::size_t b, std::uint64_t n) {
    seen += n;
    double fraction = static_cast<double>(seen) / total;
    if (fraction + 1e-12 >= next || seen == m_count) {
      std::uint64_t value = std::clamp(bucket_low(b), min(), m_max);
      if (seen == m_count) value = m_max;
      points.emplace_back(value, fraction);
      next = fraction + 1.0 / static_cast<double>(max_points);
    }
  });
  return points;
}

}  // namespace vmmsim
