// rtds and arinc653 on the whole platform: shares of CPU-bound guests, idle
// time, periodic jobs (`every`) and their deadline misses, with zero costs.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";

class RtPlatformTest : public vmmsim::testing::SimTest {
 protected:
  report::Results run(const std::string& ini, Cycles until) {
    auto& p = build(std::string(kZeroCosts) + ini);
    p.run(until);
    return p.results();
  }
  std::uint64_t total_misses(const report::Results& r) const {
    std::uint64_t n = 0;
    for (const auto& v : r.vcpus) n += v.deadline_misses;
    return n;
  }
};

// ------------------------------------------------------------------ rtds

TEST_F(RtPlatformTest, RtdsTwoDefaultVmsGetFortyPercentEachAndTwentyIdle) {
  file("hog.trace", kHog);
  report::Results r = run(
      "[vmm]\nscheduler = rtds\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n", ms(1000));
  EXPECT_NEAR(r.vms[0].share, 0.4, 0.002);
  EXPECT_NEAR(r.vms[1].share, 0.4, 0.002);
  EXPECT_NEAR(static_cast<double>(r.pcpus[0].idle) / r.elapsed, 0.2, 0.002);
  RecordProperty("share_a", std::to_string(r.vms[0].share));
  RecordProperty("idle", std::to_string(static_cast<double>(r.pcpus[0].idle) / r.elapsed));
}

TEST_F(RtPlatformTest, RtdsJobsWithinTheirBudgetsMeetEveryDeadline) {
  // Two 4 ms jobs every 10 ms under the default 4 ms / 10 ms: no misses.
  // Mixed periods, EDF: 1 ms / 5 ms, 3 ms / 10 ms, 6 ms / 20 ms (80 %).
  file("a.trace", "vcpu 0\n  every 5ms run 1ms count 200\n");
  file("b.trace", "vcpu 0\n  every 10ms run 3ms count 100\n");
  file("c.trace", "vcpu 0\n  every 20ms run 6ms count 50\n");
  report::Results r =
      run("[vmm]\nscheduler = rtds\n"
          "[vm.a]\ntrace = a.trace\nperiod = 5ms\nbudget = 1ms\n"
          "[vm.b]\ntrace = b.trace\nperiod = 10ms\nbudget = 3ms\n"
          "[vm.c]\ntrace = c.trace\nperiod = 20ms\nbudget = 6ms\n",
          ms(2000));
  EXPECT_TRUE(r.all_finished);
  EXPECT_EQ(r.vcpus[0].jobs, 200u);
  EXPECT_EQ(r.vcpus[1].jobs, 100u);
  EXPECT_EQ(r.vcpus[2].jobs, 50u);
  EXPECT_EQ(total_misses(r), 0u);
  for (const auto& v : r.vcpus) EXPECT_EQ(v.lateness.max(), 0u) << v.vm;
}

TEST_F(RtPlatformTest, RtdsDefaultJobsOfTwoVmsMeetEveryDeadline) {
  file("job.trace", "vcpu 0\n  every 10ms run 4ms count 100\n");
  report::Results two = run(
      "[vmm]\nscheduler = rtds\n[vm.a]\ntrace = job.trace\n[vm.b]\ntrace = job.trace\n", ms(2000));
  EXPECT_EQ(total_misses(two), 0u);
  EXPECT_EQ(two.vcpus[0].jobs + two.vcpus[1].jobs, 200u);
}

TEST_F(RtPlatformTest, RtdsOverloadMissesDeadlines) {
  // Three 4 ms jobs every 10 ms need 120 % of the pCPU: jobs finish late and
  // lateness grows by 2 ms a period; the pCPU never idles.
  file("job.trace", "vcpu 0\n  every 10ms run 4ms count 100\n");
  report::Results r =
      run("[vmm]\nscheduler = rtds\n[vm.a]\ntrace = job.trace\n[vm.b]\ntrace = job.trace\n"
          "[vm.c]\ntrace = job.trace\n",
          ms(500));
  std::uint64_t jobs = r.vcpus[0].jobs + r.vcpus[1].jobs + r.vcpus[2].jobs;
  RecordProperty("jobs", std::to_string(jobs));
  RecordProperty("misses", std::to_string(total_misses(r)));
  EXPECT_GT(total_misses(r), jobs / 2);
  Cycles worst = 0;
  for (const auto& v : r.vcpus) worst = std::max(worst, v.lateness.max());
  EXPECT_GT(worst, ms(50)) << "the backlog grows for 500 ms";
  EXPECT_EQ(r.pcpus[0].idle, 0u);
  for (const auto& vm : r.vms) EXPECT_NEAR(vm.share, 1.0 / 3, 0.02) << vm.name;
}

TEST_F(RtPlatformTest, RtdsExtratimeUsesTheIdleTime) {
  // A with extratime takes the 20 % that two budgets leave idle: 60 % + 40 %.
  file("hog.trace", kHog);
  report::Results r =
      run("[vmm]\nscheduler = rtds\n[vm.a]\ntrace = hog.trace\nextratime = 1\n[vm.b]\ntrace = "
          "hog.trace\n",
          ms(1000));
  EXPECT_NEAR(r.vms[0].share, 0.6, 0.002);
  EXPECT_NEAR(r.vms[1].share, 0.4, 0.002);
  EXPECT_EQ(r.pcpus[0].idle, 0u);
  RecordProperty("share_a", std::to_string(r.vms[0].share));
}

TEST_F(RtPlatformTest, RtdsExtratimeAloneFillsThePcpu) {
  file("hog.trace", kHog);
  report::Results r = run(
      "[vmm]\nscheduler = rtds\n[vm.a]\ntrace = hog.trace\nbudget = 1ms\nextratime = 1\n", ms(500));
  EXPECT_NEAR(r.vms[0].share, 1.0, 0.002);
}

TEST_F(RtPlatformTest, RtdsGlobalEdfOverTwoPcpus) {
  // Three default VMs on two pCPUs: each gets its 4 ms every 10 ms.
  file("hog.trace", kHog);
  report::Results r =
      run("[platform]\ncpus = 2\n[vmm]\nscheduler = rtds\n[vm.a]\ntrace = hog.trace\n"
          "[vm.b]\ntrace = hog.trace\n[vm.c]\ntrace = hog.trace\n",
          ms(1000));
  for (const auto& vm : r.vms) EXPECT_NEAR(vm.share, 0.2, 0.002) << vm.name << " (of 2 pCPUs)";
  EXPECT_NEAR(static_cast<double>(r.pcpus[0].idle + r.pcpus[1].idle) / r.elapsed, 0.8, 0.004);
}

// A vCPU that begins to wait after a busy pCPU's slice was chosen is not
// in that slice's end; the tick asks the pCPU when the waiter precedes its
// owner. r wakes from each 2 ms sleep depleted and is replenished at its
// next 10 ms boundary, ahead of the hog b (deadline 100 ms): it runs then,
// within a tick, not at the end of b's 50 ms budget (without the tick's
// check r got 6 ms of 100 and waited up to 48 ms).
TEST_F(RtPlatformTest, RtdsAVcpuWokenDepletedRunsAtItsReplenishment) {
  file("hog.trace", kHog);
  file("r.trace", "vcpu 0\n  repeat forever\n    run 1ms\n    sleep 2ms\n  end\n");
  report::Results r =
      run("[vmm]\nscheduler = rtds\n[vm.b]\ntrace = hog.trace\nperiod = 100ms\nbudget = 50ms\n"
          "[vm.r]\ntrace = r.trace\nperiod = 10ms\nbudget = 1ms\n",
          ms(100));
  EXPECT_EQ(r.vcpus[1].cpu, ms(10)) << "its 1 ms in each of the ten periods";
  EXPECT_LT(r.vcpus[1].wait.max(), ms(9));
}

// w, pinned to pCPU 0, preempts p there at 5 ms; p goes back to the queue
// in pick_next, which tickles nobody, and precedes q (deadline 100 ms) on
// pCPU 1: the tick moves it there (without the check it waited to 15 ms).
TEST_F(RtPlatformTest, RtdsAVcpuPreemptedByAPinnedOneTakesAPcpuItPrecedes) {
  file("hog.trace", kHog);
  file("w.trace", "vcpu 0\n  arrive 5ms\n  repeat forever\n    run 10ms\n  end\n");
  report::Results r =
      run("[platform]\ncpus = 2\n[vmm]\nscheduler = rtds\n"
          "[vm.p]\ntrace = hog.trace\nperiod = 50ms\nbudget = 40ms\n"
          "[vm.q]\ntrace = hog.trace\nperiod = 100ms\nbudget = 90ms\naffinity = 1\n"
          "[vm.w]\ntrace = w.trace\nperiod = 10ms\nbudget = 5ms\naffinity = 0\n",
          ms(30));
  EXPECT_LT(r.vcpus[0].wait.max(), ms(1)) << "p";
  EXPECT_EQ(r.vcpus[0].migrations, 1u) << "p";
}

TEST_F(RtPlatformTest, RtdsRejectsABudgetAboveItsPeriod) {
  file("hog.trace", kHog);
  try {
    run("[vmm]\nscheduler = rtds\n[vm.a]\ntrace = hog.trace\nperiod = 2ms\nbudget = 3ms\n", ms(10));
    ADD_FAILURE() << "a budget above the period was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds period"), std::string::npos) << e.what();
  }
}

TEST_F(RtPlatformTest, RtdsLoadedLiveTakesOverWithEveryBudget) {
  // rr shares the first 100 ms (50 ms each); then rtds gives each 4 ms of
  // every 10 ms period: 4 ms in [100, 110) and 89 x 4 ms in [110, 1000).
  file("hog.trace", kHog);
  report::Results r = run(
      "[run]\nswap = 100ms:rtds\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n", ms(1000));
  ASSERT_EQ(r.replacements.size(), 1u);
  EXPECT_TRUE(r.replacements[0].ok) << r.replacements[0].reason;
  EXPECT_EQ(r.scheduler, "rtds");
  for (const auto& v : r.vcpus) EXPECT_NEAR(static_cast<double>(v.cpu), ms(410), ms(1)) << v.vm;
  EXPECT_NEAR(static_cast<double>(r.pcpus[0].idle), ms(180), ms(1));
}

// -------------------------------------------------------------- arinc653

TEST_F(RtPlatformTest, Arinc653LoadedLiveStartsItsFramesAtTheResume) {
  // rr for 100 ms, then 5 ms windows each: the first frame starts when the
  // processors resume, and the two VMs keep sharing half and half.
  file("hog.trace", kHog);
  report::Results r =
      run("[run]\nswap = 100ms:arinc653\n[vm.a]\ntrace = hog.trace\nwindow = 5ms\n"
          "[vm.b]\ntrace = hog.trace\nwindow = 5ms\n",
          ms(1000));
  ASSERT_EQ(r.replacements.size(), 1u);
  EXPECT_TRUE(r.replacements[0].ok) << r.replacements[0].reason;
  const Cycles resumed = r.replacements[0].started_at + r.replacements[0].downtime;
  // From the resume: a, b, a, ... in 5 ms windows; a's last window may be cut.
  Cycles after = ms(1000) - resumed;
  Cycles frames = after / ms(10), rest = after % ms(10);
  EXPECT_EQ(r.vcpus[0].cpu, ms(50) + frames * ms(5) + std::min(rest, ms(5)));
  EXPECT_EQ(r.vcpus[1].cpu, ms(50) + frames * ms(5) + (rest > ms(5) ? rest - ms(5) : 0));
  EXPECT_EQ(r.pcpus[0].idle, 0u);
}

// arinc653 windows after an idle stretch start on their cycle only if the VMM
// times an idle pCPU's slice (VMM_IDLE with a finite slice), which it does: the
// policy has no tick to fall back on (docs/policies/arinc653.md).

TEST_F(RtPlatformTest, Arinc653WindowsGiveFiftyThirtyAndTwentyIdle) {
  file("hog.trace", kHog);
  report::Results r =
      run("[vmm]\nscheduler = arinc653\n[sched.arinc653]\nmajor_frame = 10ms\n"
          "[vm.a]\ntrace = hog.trace\nwindow = 5ms\n[vm.b]\ntrace = hog.trace\nwindow = 3ms\n",
          ms(1000));
  // Exact: every frame gives a 5 ms and b 3 ms, and idles 2 ms.
  EXPECT_EQ(r.vcpus[0].cpu, ms(500));
  EXPECT_EQ(r.vcpus[1].cpu, ms(300));
  EXPECT_EQ(r.pcpus[0].idle, ms(200));
  EXPECT_DOUBLE_EQ(r.vms[0].share, 0.5);
  EXPECT_DOUBLE_EQ(r.vms[1].share, 0.3);
  EXPECT_EQ(r.vcpus[0].dispatches, 100u) << "one dispatch per window";
}

TEST_F(RtPlatformTest, Arinc653NonRunnableOwnerLeavesItsWindowIdle) {
  // a computes 1 ms then waits 100 ms for I/O, over and over: it uses 1 ms of
  // each window it is awake in; b, CPU-bound, never gets a's time.
  file("io.trace", "vcpu 0\n  repeat forever\n    run 1ms\n    io 100ms\n  end\n");
  file("hog.trace", kHog);
  report::Results r =
      run("[vmm]\nscheduler = arinc653\n[sched.arinc653]\nmajor_frame = 10ms\n"
          "[vm.a]\ntrace = io.trace\nwindow = 5ms\n[vm.b]\ntrace = hog.trace\nwindow = 3ms\n",
          ms(1000));
  EXPECT_EQ(r.vcpus[1].cpu, ms(300)) << "b runs in its own windows only";
  // a wakes at 101, 202, ... (inside windows): 1 ms at 0 and at each of 9 wakes.
  EXPECT_EQ(r.vcpus[0].cpu, ms(10));
  EXPECT_EQ(r.pcpus[0].idle, ms(1000) - ms(300) - ms(10));
}

TEST_F(RtPlatformTest, Arinc653PeriodicJobInItsWindowNeverMisses) {
  // A 4 ms job every 10 ms in a 5 ms window of a 10 ms frame: done by 4 ms
  // into each frame; a CPU-bound b in a 3 ms window does not disturb it.
  file("job.trace", "vcpu 0\n  every 10ms run 4ms count 100\n");
  file("hog.trace", kHog);
  report::Results r =
      run("[vmm]\nscheduler = arinc653\n[sched.arinc653]\nmajor_frame = 10ms\n"
          "[vm.a]\ntrace = job.trace\nwindow = 5ms\n[vm.b]\ntrace = hog.trace\nwindow = 3ms\n",
          ms(1000));
  EXPECT_EQ(r.vcpus[0].jobs, 100u);
  EXPECT_EQ(r.vcpus[0].deadline_misses, 0u);
  EXPECT_EQ(r.vcpus[1].cpu, ms(300));
}

TEST_F(RtPlatformTest, Arinc653RunsOnPcpuZeroOnly) {
  file("hog.trace", kHog);
  report::Results r =
      run("[platform]\ncpus = 2\n[vmm]\nscheduler = arinc653\n"
          "[vm.a]\ntrace = hog.trace\nwindow = 5ms\n[vm.b]\ntrace = hog.trace\nwindow = 5ms\n",
          ms(500));
  EXPECT_EQ(r.pcpus[1].guest, 0u);
  EXPECT_EQ(r.vcpus[0].cpu, ms(250)) << "major frame = 10 ms, the sum of the windows";
  EXPECT_EQ(r.vcpus[1].cpu, ms(250));
  EXPECT_EQ(r.vcpus[0].migrations + r.vcpus[1].migrations, 0u);
}

}  // namespace
