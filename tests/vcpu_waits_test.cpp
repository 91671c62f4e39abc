// vmm::VcpuWaits adds the waits at once on a small platform and in batches
// on a large one: whenever a histogram is read, every wait before counts.
#include <gtest/gtest.h>

#include <vector>

#include "vmm/vcpu_waits.h"

using namespace vmmsim;

namespace {

// Three vCPUs of a platform of `platform`: 3 adds at once, 4096 logs first.
void every_wait_counts(std::size_t platform) {
  constexpr int kVcpus = 3;
  vmm::VcpuWaits waits(platform);
  std::vector<Histogram> want(kVcpus);
  std::uint64_t seed = 7;
  // Each read empties the log: the 256 waits after the read at 255 fill it
  // at the 511th, read at once; then one logged, then two more fills.
  const std::vector<int> reads = {1, 255, 511, 512, 1000};
  int added = 0;
  for (int read : reads) {
    for (; added < read; ++added) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      const vmm::VcpuId id = static_cast<vmm::VcpuId>((seed >> 33) % kVcpus);
      const Cycles wait = (seed >> 40) % 5000000;
      waits.add(id, wait);
      want[static_cast<std::size_t>(id)].add(wait);
    }
    for (int v = 0; v < kVcpus; ++v) {
      const Histogram& got = waits.of(v);
      const Histogram& w = want[static_cast<std::size_t>(v)];
      ASSERT_EQ(got.count(), w.count()) << "after " << read << " waits, vCPU " << v;
      EXPECT_EQ(got.sum(), w.sum());
      EXPECT_EQ(got.min(), w.min());
      EXPECT_EQ(got.max(), w.max());
      EXPECT_EQ(got.percentile(50), w.percentile(50));
      EXPECT_EQ(got.cdf(1000), w.cdf(1000));
    }
  }
}

TEST(VcpuWaits, AHistogramReadAtAnyPointHoldsEveryWaitLoggedBefore) {
  every_wait_counts(3);
  every_wait_counts(4096);
}

}  // namespace
