// A bounded-memory latency distribution: exact count, sum, min and max;
// percentiles from log-linear buckets (values below 128 exact, relative error
// under 1/128 above). O(1) per sample. Sparse: an octave's 128 counters exist
// once a sample falls in it (waits cluster in a few octaves: 4096 vCPUs' dense
// histograms up to a 160 ms wait were ~86 MiB and a cache miss per sample).
// Narrow: a counter keeps its bucket's count modulo 2^16 and the few buckets
// past that keep the rest in a side list: a platform's wait histograms take
// a quarter of the cache lines (docs/performance/ninth-round.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace vmmsim {

class alignas(64) Histogram {
 public:
  Histogram() = default;
  // Copied and moved whole; m_hot.counts then points into this one's counters.
  Histogram(const Histogram& other) { *this = other; }
  Histogram(Histogram&& other) noexcept { *this = std::move(other); }
  Histogram& operator=(const Histogram& other);
  Histogram& operator=(Histogram&& other) noexcept;

  // Inline: the VMM adds a sample per dispatch.
  void add(std::uint64_t value) {
    const auto [o, i] = bucket_of(value);
    const std::uint8_t number = m_hot.block[o];
    Counter* counts = number ? m_hot.counts + (number - 1u) * kSub : add_octave(o);
    if (__builtin_expect(++counts[i] == 0, 0)) carry(o * kSub + i, 1);
    ++m_hot.count;
    m_hot.sum_low += value;
    if (m_hot.sum_low < value) ++m_sum_high;  // a carry: not before 2^64 cycles of samples
    if (value < m_hot.min) m_hot.min = value;
    if (value > m_hot.max) m_hot.max = value;
  }

  // Asks for the line of value's counter ahead of an add (a hint: nothing
  // changes), once this histogram's first line is in cache.
  void prefetch(std::uint64_t value) const {
    const auto [o, i] = bucket_of(value);
    if (const std::uint8_t number = m_hot.block[o]) __builtin_prefetch(m_hot.counts + (number - 1u) * kSub + i, 1);
  }

  std::uint64_t count() const { return m_hot.count; }
  std::uint64_t min() const { return m_hot.count ? m_hot.min : 0; }
  std::uint64_t max() const { return m_hot.max; }
  std::uint64_t sum() const { return m_hot.sum_low; }
  double mean() const;
  // Nearest-rank percentile (p in 0..100), clamped to [min, max]; 0 if empty.
  std::uint64_t percentile(double p) const;
  // Adds another distribution's samples (its own too: h.merge(h) doubles h).
  void merge(const Histogram& other);
  // The cumulative distribution as (value, fraction <= value) points, at
  // most `max_points`, ascending, ending at (max, 1).
  std::vector<std::pair<std::uint64_t, double>> cdf(std::size_t max_points) const;

 private:
  using Counter = std::uint16_t;  // a bucket's count modulo 2^16
  static constexpr unsigned kCounterBits = std::numeric_limits<Counter>::digits;
  static constexpr unsigned kSubBits = 7;  // 128 buckets per octave
  static constexpr std::size_t kSub = std::size_t{1} << kSubBits;
  // Octave 0 holds the exact values below 128; octave k > 0 the values of
  // bit length k + 7. A bucket number is octave * 128 + mantissa.
  static constexpr std::size_t kOctaves = 64 - kSubBits + 1;
  static std::uint64_t bucket_low(std::size_t bucket);
  // Value's octave and its bucket in the octave.
  static std::pair<std::size_t, std::size_t> bucket_of(std::uint64_t value) {
    if (value < kSub) return {0, static_cast<std::size_t>(value)};
    const unsigned shift = 63 - static_cast<unsigned>(__builtin_clzll(value)) - kSubBits;
    return {shift + 1, static_cast<std::size_t>((value >> shift) - kSub)};
  }
  // The counters of `octave` (added if absent).
  Counter* octave(std::size_t octave);
  // Adds the counters of an absent octave (out of line: once per octave).
  Counter* add_octave(std::size_t octave);
  // Adds `high` * 2^16 to the count of `bucket` (out of line: once per 65,536 samples of a bucket).
  void carry(std::size_t bucket, std::uint64_t high);
  // Calls f(bucket, count) for every non-empty bucket, ascending.
  template <typename F>
  void for_each_bucket(F f) const;

  unsigned __int128 total() const { return static_cast<unsigned __int128>(m_sum_high) << 64 | m_hot.sum_low; }

  // What add() reads and writes besides the sample's counter, in one cache
  // line (the class is aligned to one): a platform of thousands of vCPUs
  // adds to a histogram per dispatch that is seldom still in cache. The
  // block numbers of the 24 octaves below 2^30 (waits under about a second
  // at 1 GHz, almost all of them) are in that line, the others in the next.
  // A block number is 1 + the octave's block of 128 counters in m_counts;
  // 0: none.
  struct Hot {
    std::uint64_t count = 0;
    std::uint64_t min = ~std::uint64_t{0};
    std::uint64_t max = 0;
    std::uint64_t sum_low = 0;        // the sum's low 64 bits
    Counter* counts = nullptr;  // m_counts.data()
    std::array<std::uint8_t, kOctaves> block{};
  };
  static_assert(offsetof(Hot, block) + 24 == 64, "the first 24 octaves' block numbers in the first line");
  Hot m_hot;
  std::uint64_t m_sum_high = 0;  // the sum's high 64 bits
  std::vector<Counter> m_counts;  // 128 per octave in use, in order of first use
  // The counts' bits above the counters': (bucket, count >> 16), ascending by bucket.
  std::vector<std::pair<std::size_t, std::uint64_t>> m_carries;
};

}  // namespace vmmsim
