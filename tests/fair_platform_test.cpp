// credit2 and eevdf on the whole platform with zero overheads: CPU shares by
// weight and by nice, an I/O vCPU's wake latency beside a hog, and equal
// shares of two pCPUs.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";

class FairPlatformTest : public vmmsim::testing::SimTest {
 protected:
  // A hog and an I/O vCPU (`run` of work per `io` of waiting) on one pCPU.
  report::Results hog_and_io(const std::string& scheduler, const char* run, const char* io) {
    file("hog.trace", kHog);
    file("io.trace",
         std::string("vcpu 0\n  repeat forever\n    run ") + run + "\n    io " + io + "\n  end\n");
    auto& p = build(std::string(kZeroCosts) + "[vmm]\nscheduler = " + scheduler +
                    "\n[vm.hog]\ntrace = hog.trace\n[vm.io]\ntrace = io.trace\n");
    p.run(ms(1000));
    return p.results();
  }
};

// --- credit2 ---

TEST_F(FairPlatformTest, Credit2SharesFollowWeights) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[vmm]\nscheduler = credit2\n[vm.gold]\ntrace = hog.trace\nweight = 512\n"
                  "[vm.silver]\ntrace = hog.trace\nweight = 256\n");
  p.run(ms(3000));
  report::Results r = p.results();
  EXPECT_EQ(r.scheduler, "credit2");
  EXPECT_NEAR(r.vms[0].share, 2.0 / 3, 0.02 * 2 / 3);
  EXPECT_NEAR(r.vms[1].share, 1.0 / 3, 0.02 * 1 / 3);
  EXPECT_GT(r.jain_fairness, 0.999);
  RecordProperty("gold_share", std::to_string(r.vms[0].share));
}

TEST_F(FairPlatformTest, Credit2WakingIoVcpuPreemptsTheHog) {
  // The I/O vCPU burns 0.2 ms of credit per 2.2 ms, the hog all the time: on
  // every wake it has more credit, and the hog has run past the 1 ms
  // ratelimit (it got the pCPU 2 ms before): it runs at once. Only its first
  // arrival waits, for the hog's first 1 ms (both arrive at 0, hog first).
  report::Results r = hog_and_io("credit2", "200us", "2ms");
  const Histogram& wait = r.vcpus[1].wait;
  RecordProperty("io_wait_max_us", std::to_string(wait.max() / 1000));
  RecordProperty("io_wait_mean_ns", std::to_string(wait.mean()));
  EXPECT_GT(wait.count(), 400u);
  EXPECT_LE(wait.max(), ms(1)) << "never more than the ratelimit";
  EXPECT_EQ(wait.percentile(99), 0u);
  EXPECT_NEAR(r.vms[1].share, 0.2 / 2.2, 0.01) << "its demand is met";
}

TEST_F(FairPlatformTest, Credit2RatelimitBoundsTheWaitOfAnEarlyWaker) {
  // Woken 0.3 ms after the hog got the pCPU, the I/O vCPU waits out the
  // ratelimit: 0.7 ms each time, never the hog's credit-long slice.
  report::Results r = hog_and_io("credit2", "200us", "300us");
  const Histogram& wait = r.vcpus[1].wait;
  EXPECT_EQ(wait.max(), ms(1)) << "the first arrival waits the hog's first 1 ms";
  EXPECT_EQ(wait.percentile(50), ms(0.7));
}

// --- eevdf ---

TEST_F(FairPlatformTest, EevdfSharesFollowNiceWeights) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[vmm]\nscheduler = eevdf\n[vm.nice0]\ntrace = hog.trace\nnice = 0\n"
                  "[vm.nice5]\ntrace = hog.trace\nnice = 5\n");
  p.run(ms(3000));
  report::Results r = p.results();
  EXPECT_EQ(r.scheduler, "eevdf");
  const double w0 = 1024, w5 = 335;  // sched_prio_to_weight
  EXPECT_NEAR(r.vms[0].share, w0 / (w0 + w5), 0.02 * w0 / (w0 + w5));
  EXPECT_NEAR(r.vms[1].share, w5 / (w0 + w5), 0.02 * w5 / (w0 + w5));
  RecordProperty("nice0_share", std::to_string(r.vms[0].share));
  RecordProperty("nice5_share", std::to_string(r.vms[1].share));
}

TEST_F(FairPlatformTest, EevdfFourVcpusShareTwoPcpusEqually) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[platform]\ncpus = 2\n[vmm]\nscheduler = eevdf\n"
                  "[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n"
                  "[vm.c]\ntrace = hog.trace\n[vm.d]\ntrace = hog.trace\n");
  p.run(ms(3000));
  report::Results r = p.results();
  ASSERT_EQ(r.vms.size(), 4u);
  for (const auto& vm : r.vms) EXPECT_NEAR(vm.share, 0.25, 0.25 * 0.02) << vm.name;
  for (const auto& c : r.pcpus) EXPECT_EQ(c.idle, 0u);
}

TEST_F(FairPlatformTest, EevdfWakerWithLagRunsAtOnceMostly) {
  // The I/O vCPU (0.3 ms per 2 ms) sleeps with positive lag and, placed with
  // it on waking, is eligible with the earlier deadline: it preempts the hog
  // at once. A wake after a burst that overdrew its lag waits, at most until
  // the hog's 3 ms request ends.
  report::Results r = hog_and_io("eevdf", "300us", "1700us");
  const Histogram& wait = r.vcpus[1].wait;
  RecordProperty("io_wait_max_us", std::to_string(wait.max() / 1000));
  RecordProperty("io_wait_mean_ns", std::to_string(wait.mean()));
  EXPECT_GT(wait.count(), 400u);
  EXPECT_EQ(wait.percentile(50), 0u) << "most wakes are dispatched on the wake";
  EXPECT_LE(wait.max(), ms(3)) << "never more than one request (slice) of the hog";
}

}  // namespace
