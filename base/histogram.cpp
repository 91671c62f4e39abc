#include "base/histogram.h"

#include <algorithm>
#include <cmath>

namespace vmmsim {

std::size_t Histogram::bucket_of(std::uint64_t value) {
  constexpr std::uint64_t sub = std::uint64_t{1} << kSubBits;
  if (value < sub) return static_cast<std::size_t>(value);
  unsigned msb = 63 - static_cast<unsigned>(__builtin_clzll(value));
  unsigned shift = msb - kSubBits;
  std::uint64_t mantissa = (value >> shift) - sub;  // 0..127
  return static_cast<std::size_t>(sub + (shift) * sub + mantissa);
}

std::uint64_t Histogram::bucket_low(std::size_t bucket) {
  constexpr std::uint64_t sub = std::uint64_t{1} << kSubBits;
  if (bucket < sub) return bucket;
  std::uint64_t shift = (bucket - sub) / sub;
  std::uint64_t mantissa = (bucket - sub) % sub;
  return (sub + mantissa) << shift;
}

void Histogram::add(std::uint64_t value) {
  std::size_t b = bucket_of(value);
  if (b >= m_buckets.size()) m_buckets.resize(b + 1, 0);
  ++m_buckets[b];
  ++m_count;
  m_sum += value;
  m_min = std::min(m_min, value);
  m_max = std::max(m_max, value);
}

double Histogram::mean() const {
  return m_count ? static_cast<double>(m_sum) / static_cast<double>(m_count) : 0.0;
}

std::uint64_t Histogram::percentile(double p) const {
  if (m_count == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(m_count)));
  rank = std::clamp<std::uint64_t>(rank, 1, m_count);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < m_buckets.size(); ++b) {
    seen += m_buckets[b];
    if (seen >= rank) return std::clamp(bucket_low(b), min(), m_max);
  }
  return m_max;
}

void Histogram::merge(const Histogram& other) {
  if (other.m_buckets.size() > m_buckets.size()) m_buckets.resize(other.m_buckets.size(), 0);
  for (std::size_t b = 0; b < other.m_buckets.size(); ++b) m_buckets[b] += other.m_buckets[b];
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
  for (std::size_t b = 0; b < m_buckets.size(); ++b) {
    if (m_buckets[b] == 0) continue;
    seen += m_buckets[b];
    double fraction = static_cast<double>(seen) / total;
    if (fraction + 1e-12 >= next || seen == m_count) {
      std::uint64_t value = std::clamp(bucket_low(b), min(), m_max);
      if (seen == m_count) value = m_max;
      points.emplace_back(value, fraction);
      next = fraction + 1.0 / static_cast<double>(max_points);
    }
  }
  return points;
}

}  // namespace vmmsim
