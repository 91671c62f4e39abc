// The credit scheduler (Xen credit1) on the whole platform, ticked by the
// PIT at 1 kHz: shares by weight and cap, timestamp accounting against a
// tick-dodging yielder, BOOST wake latency, load balancing with migrations
// that pay cache refill, and affinity. Policy-level cases computed by hand
// are in tests/credit_test.cpp.
#include <string>

#include "base/input_error.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";

// Zero VMM costs; cache refill only after a migration: 256 KiB at 8 B/cycle.
constexpr const char* kMigrationRefillOnly =
    "[vmm]\nvm_exit = 0\nvm_entry = 0\nhypercall = 0\ncontext_switch = 0\n"
    "[activation]\nid_register_dispatch = 0\nfunction_table_dispatch = 0\npatch_dispatch = 0\n"
    "[memory]\nrefill_bandwidth = 0\nremote_refill_bandwidth = 8\n";
constexpr Cycles kRemoteRefill = 256 * 1024 / 8;

class CreditPlatformTest : public vmmsim::testing::SimTest {
 protected:
  // `n` CPU-bound VMs of equal weight named v0.. on `cpus` pCPUs.
  report::Results hogs(unsigned n, unsigned cpus, Cycles until) {
    file("hog.trace", kHog);
    std::string ini = std::string(kMigrationRefillOnly) + "[vmm]\nscheduler = credit\n" +
                      "[platform]\ncpus = " + std::to_string(cpus) + "\n";
    for (unsigned i = 0; i < n; ++i)
      ini += "[vm.v" + std::to_string(i) + "]\ntrace = hog.trace\nworking_set = 256KiB\n";
    auto& p = build(ini);
    p.run(until);
    return p.results();
  }
};

TEST_F(CreditPlatformTest, WeightsTwoToOneGiveTwoThirdsAndOneThird) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[vmm]\nscheduler = credit\n[vm.gold]\ntrace = hog.trace\nweight = 512\n"
                  "[vm.silver]\ntrace = hog.trace\nweight = 256\n");
  p.run(ms(3000));
  report::Results r = p.results();
  RecordProperty("share_512", std::to_string(r.vms[0].share));
  RecordProperty("share_256", std::to_string(r.vms[1].share));
  EXPECT_NEAR(r.vms[0].share, 2.0 / 3, 0.01);
  EXPECT_NEAR(r.vms[1].share, 1.0 / 3, 0.01);
  EXPECT_NEAR(r.vms[0].entitled, 2.0 / 3, 1e-9);
}

// When a run stops, a vCPU may have run ahead of the credits it earned by
// what it may owe before the next accounting: a capped one (cap 50) by its
// per-vCPU credit_cap (150) plus one tslice (300), 45 ms; an uncapped one by
// the -300 floor plus one tslice, 60 ms. Over 30 s: 0.15% and 0.2%.
constexpr double kCappedDebtOver30s = 45.0 / 30000;
constexpr double kDebtOver30s = 60.0 / 30000;

TEST_F(CreditPlatformTest, CapFiftyAloneGetsAtMostHalfAPcpu) {
  // Alone on an idle pCPU, a VM capped at 50% earns 150 credits per 30 ms
  // and is parked once it owes more than that (tests/credit_test.cpp
  // computes the 60 ms on / 60 ms off cycle by hand).
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[vmm]\nscheduler = credit\n[vm.capped]\ntrace = hog.trace\ncap = 50\n");
  p.run(ms(30000));
  report::Results r = p.results();
  RecordProperty("capped_share", std::to_string(r.vms[0].share));
  EXPECT_LE(r.vms[0].share, 0.5 + kCappedDebtOver30s);
  EXPECT_GE(r.vms[0].share, 0.49) << "and it does get its cap";
  EXPECT_GT(r.pcpus[0].idle, ms(14900)) << "the pCPU idles while the VM is parked";
}

TEST_F(CreditPlatformTest, YielderIsChargedForWhatItRan) {
  // The yielder runs 9.9 ms and yields, so it often gives the pCPU up just
  // before a 10 ms tick. Charged 100 credits per tick it was seen at (early
  // credit1's sampling) it would pay for about 20% of the CPU while using
  // 50% (tests/credit_test.cpp measures 19.7% against 49.8%) and stay UNDER
  // ahead of the hog. Burned by timestamp, it pays for every cycle and gets
  // no more than its entitlement.
  file("yielder.trace", "vcpu 0\n  repeat forever\n    run 9900us\n    yield\n  end\n");
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[vmm]\nscheduler = credit\n[vm.yielder]\ntrace = yielder.trace\n"
                  "[vm.hog]\ntrace = hog.trace\n");
  p.run(ms(30000));
  report::Results r = p.results();
  RecordProperty("yielder_share", std::to_string(r.vms[0].share));
  EXPECT_NEAR(r.vms[0].entitled, 0.5, 1e-9);
  EXPECT_LE(r.vms[0].share, r.vms[0].entitled + kDebtOver30s);
  EXPECT_GT(r.vms[0].share, 0.45) << "and yielding does not cost it its share";
}

TEST_F(CreditPlatformTest, IoVmWokenIntoBoostWaitsAtMostTheRatelimit) {
  // Two hogs and an I/O-bound VM (200 us of CPU per 5 ms of I/O) that
  // arrives once the hogs' start-up boosts are over. Each wake BOOSTs it
  // (policy test: priority() is 2 right after the wake) and it preempts
  // whichever hog runs once that hog has held the pCPU for the 1 ms
  // ratelimit: its wake-to-dispatch wait is at most 1 ms, against 30 ms
  // slices.
  file("hog.trace", kHog);
  file("io.trace", "vcpu 0\n  arrive 100ms\n  repeat forever\n    run 200us\n    io 5ms\n  end\n");
  auto& p =
      build(std::string(kZeroCosts) +
            "[vmm]\nscheduler = credit\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n"
            "[vm.io]\ntrace = io.trace\n");
  p.run(ms(3000));
  report::Results r = p.results();
  const Histogram& wait = r.vcpus[2].wait;
  RecordProperty("io_wait_mean_us", std::to_string(wait.mean() / 1000));
  RecordProperty("io_wait_max_us", std::to_string(wait.max() / 1000.0));
  EXPECT_GT(wait.count(), 500u);
  EXPECT_LE(wait.max(), ms(1));
  EXPECT_LT(wait.mean(), 0.1 * ms(1));
}

TEST_F(CreditPlatformTest, FourPcpusEightVmsGetEqualShares) {
  report::Results r = hogs(8, 4, ms(3000));
  std::uint64_t migrations = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    RecordProperty("share_" + std::to_string(i), std::to_string(r.vms[i].share));
    EXPECT_NEAR(r.vms[i].share, 1.0 / 8, 0.02 / 8) << r.vms[i].name;
    migrations += r.vcpus[i].migrations;
    EXPECT_EQ(r.vcpus[i].refill % kRemoteRefill, 0u) << "refill only after migrations";
    EXPECT_LE(r.vcpus[i].refill, r.vcpus[i].migrations * kRemoteRefill);
  }
  RecordProperty("migrations", std::to_string(migrations));
  EXPECT_GT(r.jain_fairness, 0.999);
  for (const auto& c : r.pcpus) EXPECT_EQ(c.idle, 0u) << "no pCPU idles while work is queued";
}

TEST_F(CreditPlatformTest, FiveVmsOnFourPcpusMigrateAndPayRefill) {
  // pCPU 0 starts with two of them; pCPUs whose next vCPU is OVER steal the
  // UNDER one waiting there, so all five rotate and get 4/5 of a pCPU each.
  // Each migration costs a remote refill of the 256 KiB working set.
  report::Results r = hogs(5, 4, ms(3000));
  std::uint64_t migrations = 0, refill = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    RecordProperty("share_" + std::to_string(i), std::to_string(r.vms[i].share));
    EXPECT_NEAR(r.vms[i].share, 1.0 / 5, 0.02 / 5) << r.vms[i].name;
    RecordProperty("migrations_" + std::to_string(i), std::to_string(r.vcpus[i].migrations));
    EXPECT_EQ(r.vcpus[i].refill % kRemoteRefill, 0u);
    EXPECT_LE(r.vcpus[i].refill, r.vcpus[i].migrations * kRemoteRefill);
    migrations += r.vcpus[i].migrations;
    refill += r.vcpus[i].refill;
  }
  RecordProperty("migrations", std::to_string(migrations));
  RecordProperty("refill_cycles", std::to_string(refill));
  EXPECT_GT(migrations, 0u);
  EXPECT_GT(refill, 0u);
}

TEST_F(CreditPlatformTest, AffinityKeepsVmsOnTheirPcpus) {
  // a and b may run only on pCPU 0; c anywhere. c gets pCPU 1 to itself and
  // pCPU 1 never takes a or b, however long they wait.
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) +
                  "[platform]\ncpus = 2\n[vmm]\nscheduler = credit\n"
                  "[vm.a]\ntrace = hog.trace\naffinity = 0\n"
                  "[vm.b]\ntrace = hog.trace\naffinity = 0\n"
                  "[vm.c]\ntrace = hog.trace\n");
  p.run(ms(3000));
  report::Results r = p.results();
  for (std::size_t i = 0; i < 3; ++i)
    RecordProperty("share_" + r.vms[i].name, std::to_string(r.vms[i].share));
  EXPECT_NEAR(r.vms[0].share, 0.25, 0.005);
  EXPECT_NEAR(r.vms[1].share, 0.25, 0.005);
  EXPECT_NEAR(r.vms[2].share, 0.5, 0.005);
  EXPECT_EQ(r.vcpus[0].migrations, 0u);
  EXPECT_EQ(r.vcpus[1].migrations, 0u);
}

TEST_F(CreditPlatformTest, ParametersAreRangeCheckedWithTheirKeys) {
  file("hog.trace", kHog);
  EXPECT_THROW(build(std::string(kZeroCosts) +
                     "[vmm]\nscheduler = credit\n[vm.a]\ntrace = hog.trace\ncap = 6401\n"),
               InputError);
}

}  // namespace
