// A bounded-memory latency distribution: exact count, sum, min and max;
// percentiles from log-linear buckets (values below 128 exact, relative error
// under 1/128 above). O(1) per sample, no allocation after the first octaves.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace vmmsim {

class Histogram {
 public:
  void add(std::uint64_t value);

  std::uint64_t count() const { return m_count; }
  std::uint64_t min() const { return m_count ? m_min : 0; }
  std::uint64_t max() const { return m_max; }
  std::uint64_t sum() const { return static_cast<std::uint64_t>(m_sum); }
  double mean() const;
  // Nearest-rank percentile (p in 0..100), clamped to [min, max]; 0 if empty.
  std::uint64_t percentile(double p) const;
  // Adds another distribution's samples.
  void merge(const Histogram& other);
  // The cumulative distribution as (value, fraction <= value) points, at
  // most `max_points`, ascending, ending at (max, 1).
  std::vector<std::pair<std::uint64_t, double>> cdf(std::size_t max_points) const;

 private:
  static constexpr unsigned kSubBits = 7;  // 128 buckets per octave
  static std::size_t bucket_of(std::uint64_t value);
  static std::uint64_t bucket_low(std::size_t bucket);

  std::vector<std::uint64_t> m_buckets;
  std::uint64_t m_count = 0;
  unsigned __int128 m_sum = 0;
  std::uint64_t m_min = ~std::uint64_t{0};
  std::uint64_t m_max = 0;
};

}  // namespace vmmsim
