#include <gtest/gtest.h>

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
