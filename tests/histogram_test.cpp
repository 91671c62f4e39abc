#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/histogram.h"
#include "report/results.h"

using namespace vmmsim;

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v : {5, 1, 3, 2, 4}) h.add(v);
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.percentile(50), 3u);
  EXPECT_EQ(h.percentile(100), 5u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_DOUBLE_EQ(h.mean(), 3.0);
}

TEST(Histogram, LargeValuesWithinOnePercent) {
  Histogram h;
  for (std::uint64_t i = 1; i <= 1000; ++i) h.add(i * 1000003);
  EXPECT_NEAR(static_cast<double>(h.percentile(50)), 500.0 * 1000003, 500.0 * 1000003 / 100);
  EXPECT_NEAR(static_cast<double>(h.percentile(99)), 990.0 * 1000003, 990.0 * 1000003 / 100);
  EXPECT_EQ(h.max(), 1000u * 1000003);
}

TEST(EntitledShare, FollowsWeightsAndCapsAtVcpuCount) {
  // Two 1-vCPU VMs on one pCPU: 2:1 by weight.
  auto s = report::entitled_shares({512, 256}, {1, 1}, 1);
  EXPECT_NEAR(s[0], 2.0 / 3, 1e-9);
  EXPECT_NEAR(s[1], 1.0 / 3, 1e-9);
  // On two pCPUs a 1-vCPU VM can use at most half: the rest goes to the other.
  s = report::entitled_shares({1000, 10}, {1, 2}, 2);
  EXPECT_NEAR(s[0], 0.5, 1e-9);
  EXPECT_NEAR(s[1], 0.5, 1e-9);
  EXPECT_NEAR(report::jain_index({1, 1, 1}), 1.0, 1e-12);
  EXPECT_NEAR(report::jain_index({1, 0}), 0.5, 1e-12);
}

TEST(Histogram, SparseOctavesMergeAndRankAcrossTheWholeRange) {
  // Samples in far-apart octaves, added out of order, split over two
  // histograms: percentiles and the CDF see them in value order.
  std::vector<std::uint64_t> values = {std::uint64_t{1} << 62, 7, 300000, 90, std::uint64_t{1} << 40, 5000};
  Histogram a, b, all;
  for (std::size_t i = 0; i < values.size(); ++i) (i % 2 ? a : b).add(values[i]), all.add(values[i]);
  a.merge(b);
  EXPECT_EQ(a.count(), 6u);
  EXPECT_EQ(a.min(), 7u);
  EXPECT_EQ(a.max(), std::uint64_t{1} << 62);
  const std::uint64_t expected[] = {7, 90, 5000, 300000, std::uint64_t{1} << 40, std::uint64_t{1} << 62};
  for (int k = 1; k <= 6; ++k) {
    const double p = 100.0 * k / 6;
    EXPECT_NEAR(static_cast<double>(a.percentile(p)), static_cast<double>(expected[k - 1]),
                static_cast<double>(expected[k - 1]) / 128)
        << "p" << p;
    EXPECT_EQ(a.percentile(p), all.percentile(p));
  }
  auto cdf = a.cdf(64);
  ASSERT_EQ(cdf.size(), 6u);
  EXPECT_EQ(cdf.front().first, 7u);
  EXPECT_EQ(cdf.back().first, std::uint64_t{1} << 62);
  EXPECT_DOUBLE_EQ(cdf.back().second, 1.0);
}

// The block numbers of the octaves below 2^30 share add()'s cache line, the
// others do not: samples spread over every octave and added in random order
// rank as a sorted list of the same samples does, each percentile its sample
// cut to its bucket.
TEST(Histogram, SamplesOfEveryOctaveRankAsTheSortedSamples) {
  std::uint64_t seed = 42;
  auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return seed;
  };
  std::vector<std::uint64_t> values;
  for (int i = 0; i < 20000; ++i) {
    const unsigned bits = static_cast<unsigned>(next() % 65);  // bit lengths 0..64: every octave
    values.push_back(bits == 0 ? 0 : (next() >> (64 - bits)) | (std::uint64_t{1} << (bits - 1)));
  }
  Histogram a, b;
  for (std::size_t i = 0; i < values.size(); ++i) (i % 3 ? a : b).add(values[i]);
  a.merge(b);
  std::sort(values.begin(), values.end());
  auto bucket_low = [](std::uint64_t v) {
    if (v < 128) return v;
    const unsigned shift = 63 - static_cast<unsigned>(__builtin_clzll(v)) - 7;
    return v >> shift << shift;
  };
  ASSERT_EQ(a.count(), values.size());
  for (int k = 1; k <= 200; ++k) {
    const double p = k / 2.0;
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    rank = std::clamp<std::size_t>(rank, 1, values.size());
    const std::uint64_t want = std::clamp(bucket_low(values[rank - 1]), values.front(), values.back());
    ASSERT_EQ(a.percentile(p), want) << "p" << p;
  }
}

// add() reaches the counters through a pointer kept in its cache line: a copy
// counts into its own counters, a move takes them and leaves an empty
// histogram that still counts.
TEST(Histogram, CopiesAndMovesCountIntoTheirOwnCounters) {
  Histogram h;
  for (std::uint64_t v : {std::uint64_t{3}, std::uint64_t{300}, std::uint64_t{1} << 40}) h.add(v);
  Histogram copy = h;
  for (int i = 0; i < 10; ++i) copy.add(5);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.percentile(34), 300u) << "the original's counters are its own";
  EXPECT_EQ(copy.count(), 13u);
  EXPECT_EQ(copy.percentile(50), 5u);
  Histogram assigned;
  assigned.add(7);
  assigned = copy;
  copy.add(1000);
  EXPECT_EQ(assigned.count(), 13u);
  EXPECT_EQ(assigned.percentile(100), std::uint64_t{1} << 40);
  Histogram moved = std::move(copy);
  EXPECT_EQ(moved.count(), 14u);
  EXPECT_EQ(copy.count(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is empty, and usable
  copy.add(9);
  EXPECT_EQ(copy.percentile(100), 9u);
  EXPECT_EQ(moved.count(), 14u);
  EXPECT_EQ(moved.sum(), 3 + 300 + (std::uint64_t{1} << 40) + 10 * 5 + 1000);
}

// The sum's high word, beside add()'s line, takes the carry: four samples of
// 2^63 have the mean 2^63, alone and merged.
TEST(Histogram, TheSumCarriesPast64Bits) {
  const std::uint64_t big = std::uint64_t{1} << 63;
  Histogram a, b;
  for (int i = 0; i < 4; ++i) a.add(big);
  EXPECT_DOUBLE_EQ(a.mean(), static_cast<double>(big));
  for (int i = 0; i < 4; ++i) b.add(big);
  a.merge(b);
  EXPECT_EQ(a.count(), 8u);
  EXPECT_DOUBLE_EQ(a.mean(), static_cast<double>(big));
}

// A counter keeps 16 bits; a bucket's count past them carries to a side list.
// A count of exactly 2^16 leaves its counter at 0 and must still rank.
TEST(Histogram, ABucketOfExactly65536SamplesIsNotEmpty) {
  Histogram h;
  for (int i = 0; i < 65536; ++i) h.add(10);  // counter 0, carry 1
  h.add(20);
  EXPECT_EQ(h.count(), 65537u);
  EXPECT_EQ(h.percentile(50), 10u);
  EXPECT_EQ(h.percentile(99.998), 10u);
  EXPECT_EQ(h.percentile(100), 20u);
  auto cdf = h.cdf(4);
  ASSERT_FALSE(cdf.empty());
  EXPECT_EQ(cdf.front().first, 10u);
  EXPECT_DOUBLE_EQ(cdf.front().second, 65536.0 / 65537.0);
}

// Every bucket's count whole, through the CDF (a point per bucket at this many points): carried
// twice by add(), carried in both histograms of a merge, carried by the sum
// of the low halves alone; then moved, copied and merged with itself.
TEST(Histogram, CountsPastSixteenBitsSurviveMergesMovesAndCopies) {
  Histogram a, b;
  for (int i = 0; i < 140000; ++i) a.add(5);  // two carries in a
  for (int i = 0; i < 70000; ++i) b.add(5);   // one in b
  for (int i = 0; i < 40000; ++i) a.add(300), b.add(300);  // 2 * 40,000: only the low halves' sum carries
  a.add(7);
  a.add(400);
  a.merge(b);
  const double n = 290002;  // 210,000 of 5, one of 7, 80,000 of 300, one of 400
  const std::vector<std::pair<std::uint64_t, double>> want = {
      {5, 210000 / n}, {7, 210001 / n}, {300, 290001 / n}, {400, 1.0}};
  EXPECT_EQ(a.count(), 290002u);
  EXPECT_EQ(a.cdf(1000000000), want);

  Histogram moved = std::move(a);
  EXPECT_EQ(moved.cdf(1000000000), want) << "a move takes the carries";
  Histogram copy = moved;
  copy.add(5);
  EXPECT_EQ(moved.cdf(1000000000), want) << "the copy counts into counters of its own";
  // 40,000 of 9 carry only when doubled: a carry inserted during the
  // merge's own walk, before those of 300 and 400 (room for it: no move).
  for (int i = 0; i < 70000; ++i) copy.add(400);
  for (int i = 0; i < 40000; ++i) copy.add(9);
  copy.merge(copy);
  const double m = 400003;
  EXPECT_EQ(copy.count(), 2 * 400003u);
  const std::vector<std::pair<std::uint64_t, double>> doubled = {
      {5, 210001 / m}, {7, 210002 / m}, {9, 250002 / m}, {300, 330002 / m}, {400, 1.0}};
  EXPECT_EQ(copy.cdf(1000000000), doubled) << "merged with itself: every count doubled";
}
