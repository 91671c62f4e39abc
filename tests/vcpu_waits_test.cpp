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
  vmm::VcpuWaits waits(std::vector<std::size_t>(platform, 0), 1);  // one VM
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

namespace {

// An epoch's waits by VM come from the vCPUs' open histograms; a vCPU's
// whole run is every epoch's (docs/replacement.md "Epochs"): each wait
// counts once in each, with its min and max, across closes, at once and
// batched. Every read below comes with waits still logged (batched): the
// whole run read mid-epoch, in either order, and an epoch closed with or
// without a read of it before.
void epochs_split_the_waits(std::size_t platform) {
  constexpr int kVcpus = 4;
  std::vector<std::size_t> vm_of(platform);  // two VMs, the vCPUs alternating
  for (std::size_t v = 0; v < platform; ++v) vm_of[v] = v % 2;
  vmm::VcpuWaits waits(vm_of, 2);
  // The epoch a run opens and closes at its start, before any wait.
  for (const Histogram& h : waits.close_epoch()) EXPECT_EQ(h.count(), 0u);
  std::vector<Histogram> whole(kVcpus);
  std::uint64_t seed = 11;
  for (int epoch = 0; epoch < 4; ++epoch) {
    std::vector<Histogram> want(2);
    for (int i = 0; i < 300; ++i) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      const auto id = static_cast<std::size_t>((seed >> 33) % kVcpus);
      const Cycles wait = (seed >> 40) % 5000000 + static_cast<Cycles>(epoch) * 10000000;
      waits.add(static_cast<vmm::VcpuId>(id), wait);
      whole[id].add(wait);
      want[vm_of[id]].add(wait);
    }
    for (int v = 0; v < kVcpus; ++v) {
      const Histogram& w = whole[static_cast<std::size_t>(v)];
      if (epoch % 2 == 0) {
        EXPECT_EQ(waits.sum_of(v), w.sum()) << "epoch " << epoch << ", vCPU " << v << ", first";
      }
      const Histogram got_whole = waits.of(v);
      ASSERT_EQ(got_whole.count(), w.count()) << "epoch " << epoch << ", vCPU " << v;
      EXPECT_EQ(got_whole.min(), w.min()) << "every epoch's waits";
      EXPECT_EQ(got_whole.max(), w.max());
      EXPECT_EQ(got_whole.cdf(1000), w.cdf(1000));
      EXPECT_EQ(waits.sum_of(v), w.sum());
    }
    // The last waits of the epoch, still logged when it closes.
    for (std::size_t id = 0; id < kVcpus; ++id) {
      const Cycles wait = 7 + static_cast<Cycles>(epoch) * 10000000;
      waits.add(static_cast<vmm::VcpuId>(id), wait);
      whole[id].add(wait);
      want[vm_of[id]].add(wait);
    }
    if (epoch % 2 == 1) {
      const std::vector<Histogram> open = waits.open_by_vm();
      for (std::size_t vm = 0; vm < 2; ++vm)
        EXPECT_EQ(open[vm].cdf(1000), want[vm].cdf(1000)) << "epoch " << epoch << ", VM " << vm << " read open";
    }
    const std::vector<Histogram> got = waits.close_epoch();
    for (std::size_t vm = 0; vm < 2; ++vm) {
      ASSERT_EQ(got[vm].count(), want[vm].count()) << "epoch " << epoch << ", VM " << vm;
      EXPECT_EQ(got[vm].min(), want[vm].min()) << "only this epoch's waits";
      EXPECT_EQ(got[vm].max(), want[vm].max());
      EXPECT_EQ(got[vm].cdf(1000), want[vm].cdf(1000));
    }
  }
}

TEST(VcpuWaits, AnEpochHoldsItsOwnWaitsByVmAndAVcpuEveryEpochs) {
  epochs_split_the_waits(4);
  epochs_split_the_waits(4096);
}

}  // namespace
