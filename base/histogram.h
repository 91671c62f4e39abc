// A bounded-memory latency distribution: exact count, sum, min and max;
// percentiles from log-linear buckets (values below 128 exact, relative error
// under 1/128 above). O(1) per sample. Sparse: an octave's 128 counters exist
// once a sample falls in it (waits cluster in a few octaves: 4096 vCPUs' dense
// histograms up to a 160 ms wait were ~86 MiB and a cache miss per sample).
#pragma once

#include <array>
#include <cstdint>
#include <utility>
#include <vector>

namespace vmmsim {

class alignas(64) Histogram {
 public:
  // Inline: the VMM adds two samples per dispatch.
  void add(std::uint64_t value) {
    std::size_t o = 0;                                // its octave
    std::size_t i = static_cast<std::size_t>(value);  // its bucket in the octave
    if (value >= kSub) {
      const unsigned shift = 63 - static_cast<unsigned>(__builtin_clzll(value)) - kSubBits;
      o = shift + 1;
      i = static_cast<std::size_t>((value >> shift) - kSub);
    }
    std::uint64_t* counts = m_block[o] ? &m_counts[(m_block[o] - 1u) * kSub] : add_octave(o);
    ++counts[i];
    ++m_count;
    m_sum += value;
    if (value < m_min) m_min = value;
    if (value > m_max) m_max = value;
  }

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
  static constexpr std::size_t kSub = std::size_t{1} << kSubBits;
  // Octave 0 holds the exact values below 128; octave k > 0 the values of
  // bit length k + 7. A bucket number is octave * 128 + mantissa.
  static constexpr std::size_t kOctaves = 64 - kSubBits + 1;
  static std::uint64_t bucket_low(std::size_t bucket);
  // The counters of `octave` (added if absent).
  std::uint64_t* octave(std::size_t octave);
  // Adds the counters of an absent octave (out of line: once per octave).
  std::uint64_t* add_octave(std::size_t octave);
  // Calls f(bucket, count) for every non-empty bucket, ascending.
  template <typename F>
  void for_each_bucket(F f) const;

  // What add() reads and writes, in one cache line (the class is aligned to
  // one): a platform of thousands of vCPUs adds to a histogram per dispatch
  // that is seldom still in cache.
  unsigned __int128 m_sum = 0;
  std::uint64_t m_count = 0;
  std::uint64_t m_min = ~std::uint64_t{0};
  std::uint64_t m_max = 0;
  std::vector<std::uint64_t> m_counts;           // 128 per octave in use, in order of first use
  std::array<std::uint8_t, kOctaves> m_block{};  // 1 + an octave's block in m_counts; 0: none
};

}  // namespace vmmsim
