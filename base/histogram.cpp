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

Histogram& Histogram::operator=(const Histogram& other) {
  if (this == &other) return *this;
  // Copied before anything changes: a throw leaves this histogram as it was.
  std::vector<Counter> counts = other.m_counts;
  std::vector<std::pair<std::size_t, std::uint64_t>> carries = other.m_carries;
  m_counts = std::move(counts);
  m_carries = std::move(carries);
  m_hot = other.m_hot;
  m_sum_high = other.m_sum_high;
  m_hot.counts = m_counts.data();
  return *this;
}

Histogram& Histogram::operator=(Histogram&& other) noexcept {
  if (this == &other) return *this;
  m_hot = other.m_hot;
  m_sum_high = other.m_sum_high;
  m_counts = std::move(other.m_counts);
  m_carries = std::move(other.m_carries);
  m_hot.counts = m_counts.data();
  other.m_counts.clear();  // the moved-from histogram is empty, not pointing here
  other.m_carries.clear();
  other.m_hot = Hot{};
  other.m_sum_high = 0;
  return *this;
}

Histogram::Counter* Histogram::octave(std::size_t o) {
  return m_hot.block[o] ? m_hot.counts + (m_hot.block[o] - 1u) * kSub : add_octave(o);
}

Histogram::Counter* Histogram::add_octave(std::size_t o) {
  m_counts.resize(m_counts.size() + kSub, 0);
  m_hot.counts = m_counts.data();
  m_hot.block[o] = static_cast<std::uint8_t>(m_counts.size() / kSub);
  return m_hot.counts + (m_hot.block[o] - 1u) * kSub;
}

void Histogram::carry(std::size_t bucket, std::uint64_t high) {
  auto at = std::lower_bound(m_carries.begin(), m_carries.end(), bucket,
                             [](const auto& c, std::size_t b) { return c.first < b; });
  if (at != m_carries.end() && at->first == bucket)
    at->second += high;
  else
    m_carries.insert(at, {bucket, high});
}

template <typename F>
void Histogram::for_each_bucket(F f) const {
  auto carried = m_carries.begin();  // ascending, as the buckets are visited
  for (std::size_t o = 0; o < kOctaves; ++o) {
    if (m_hot.block[o] == 0) continue;
    const Counter* counts = m_hot.counts + (m_hot.block[o] - 1u) * kSub;
    for (std::size_t j = 0; j < kSub; ++j) {
      const std::size_t b = o * kSub + j;
      std::uint64_t n = counts[j];
      // A count of exactly k * 2^16 has a zero counter: the carry alone says it is not empty.
      if (carried != m_carries.end() && carried->first == b) {
        n += carried->second << kCounterBits;
        ++carried;
      }
      if (n != 0) f(b, n);
    }
  }
}

double Histogram::mean() const {
  return m_hot.count ? static_cast<double>(total()) / static_cast<double>(m_hot.count) : 0.0;
}

std::uint64_t Histogram::percentile(double p) const {
  if (m_hot.count == 0) return 0;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(m_hot.count)));
  rank = std::clamp<std::uint64_t>(rank, 1, m_hot.count);
  std::uint64_t seen = 0, found = m_hot.max;
  bool done = false;
  for_each_bucket([&](std::size_t b, std::uint64_t n) {
    if (done) return;
    seen += n;
    if (seen >= rank) found = std::clamp(bucket_low(b), min(), m_hot.max), done = true;
  });
  return found;
}

void Histogram::merge(const Histogram& other) {
  // Its own samples from a copy: a carry added during the walk would move the carries it walks.
  if (&other == this) return merge(Histogram(other));
  // An octave's 128 counters at a time, in loops the compiler vectorizes: a
  // run's report merges every vCPU's wait histogram, 8 instructions a bucket
  // when walked one bucket at a time (docs/performance/sixteenth-round.md).
  for (std::size_t o = 0; o < kOctaves; ++o) {
    if (other.m_hot.block[o] == 0) continue;
    const Counter* from = other.m_hot.counts + (other.m_hot.block[o] - 1u) * kSub;
    Counter* to = octave(o);
    unsigned passed = 0;  // whether a sum passes 2^16
    for (std::size_t j = 0; j < kSub; ++j) passed |= (unsigned{to[j]} + from[j]) >> kCounterBits;
    if (passed == 0) {
      for (std::size_t j = 0; j < kSub; ++j) to[j] = static_cast<Counter>(to[j] + from[j]);
      continue;
    }
    for (std::size_t j = 0; j < kSub; ++j) {
      const unsigned sum = unsigned{to[j]} + from[j];
      to[j] = static_cast<Counter>(sum);
      if (sum >> kCounterBits) carry(o * kSub + j, 1);  // the low bits' sum carries
    }
  }
  for (const auto& [bucket, high] : other.m_carries) carry(bucket, high);
  m_hot.count += other.m_hot.count;
  const unsigned __int128 sum = total() + other.total();
  m_hot.sum_low = static_cast<std::uint64_t>(sum);
  m_sum_high = static_cast<std::uint64_t>(sum >> 64);
  m_hot.min = std::min(m_hot.min, other.m_hot.min);
  m_hot.max = std::max(m_hot.max, other.m_hot.max);
}

std::vector<std::pair<std::uint64_t, double>> Histogram::cdf(std::size_t max_points) const {
  std::vector<std::pair<std::uint64_t, double>> points;
  if (m_hot.count == 0 || max_points == 0) return points;
  const double samples = static_cast<double>(m_hot.count);
  std::uint64_t seen = 0;
  double next = 0;  // the fraction the next kept point must reach
  for_each_bucket([&](std::size_t b, std::uint64_t n) {
    seen += n;
    double fraction = static_cast<double>(seen) / samples;
    if (fraction + 1e-12 >= next || seen == m_hot.count) {
      std::uint64_t value = std::clamp(bucket_low(b), min(), m_hot.max);
      if (seen == m_hot.count) value = m_hot.max;
      points.emplace_back(value, fraction);
      next = fraction + 1.0 / static_cast<double>(max_points);
    }
  });
  return points;
}

}  // namespace vmmsim
