// Whole-platform properties a user relies on: textbook schedules to the
// cycle, shares by weight, cycle accounting that adds up.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

class PlatformTest : public vmmsim::testing::SimTest {
 protected:
  // Three one-shot jobs of 5, 3 and 1 ms arriving at 0 on one pCPU.
  report::Results run_jobs(const std::string& scheduler_section) {
    file("a.trace", "vcpu 0\n  run 5ms\n");
    file("b.trace", "vcpu 0\n  run 3ms\n");
    file("c.trace", "vcpu 0\n  run 1ms\n");
    auto& p = build(std::string(kZeroCosts) + scheduler_section +
                    "[vm.a]\ntrace = a.trace\n[vm.b]\ntrace = b.trace\n[vm.c]\ntrace = c.trace\n");
    p.run(ms(100));
    return p.results();
  }
};

TEST_F(PlatformTest, RoundRobinGivesTheTextbookSchedule) {
  // q = 2 ms: A 0-2, B 2-4, C 4-5, A 5-7, B 7-8, A 8-9.
  report::Results r = run_jobs("[vmm]\nscheduler = rr\n[sched.rr]\nquantum = 2ms\n");
  EXPECT_TRUE(r.all_finished);
  EXPECT_EQ(r.elapsed, ms(9)) << "the run stops when the last job ends";
  ASSERT_EQ(r.vcpus.size(), 3u);
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(9));
  EXPECT_EQ(*r.vcpus[1].turnaround, ms(8));
  EXPECT_EQ(*r.vcpus[2].turnaround, ms(5));
  EXPECT_EQ(*r.vcpus[0].response, 0u);
  EXPECT_EQ(*r.vcpus[1].response, ms(2));
  EXPECT_EQ(*r.vcpus[2].response, ms(4));
  // Waiting time = turnaround - service for each job.
  EXPECT_EQ(r.vcpus[0].wait.sum(), ms(4));
  EXPECT_EQ(r.vcpus[1].wait.sum(), ms(5));
  EXPECT_EQ(r.vcpus[2].wait.sum(), ms(4));
  EXPECT_EQ(r.vcpus[0].wait.max(), ms(3));
  EXPECT_EQ(r.vcpus[0].dispatches, 3u);
}

TEST_F(PlatformTest, FifoRunsEachJobToCompletionInArrivalOrder) {
  report::Results r = run_jobs("[vmm]\nscheduler = fifo\n");
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(5));
  EXPECT_EQ(*r.vcpus[1].turnaround, ms(8));
  EXPECT_EQ(*r.vcpus[2].turnaround, ms(9));
  EXPECT_EQ(r.vcpus[2].wait.sum(), ms(8));
  EXPECT_EQ(r.vcpus[0].dispatches, 1u);
}

TEST_F(PlatformTest, BlockingJobHandsOverAtOnce) {
  // A computes 1 ms then waits 10 ms for I/O: B gets the pCPU at 1 ms, not
  // at the end of A's 4 ms quantum.
  file("a.trace", "vcpu 0\n  run 1ms\n  io 10ms\n  run 1ms\n");
  file("b.trace", "vcpu 0\n  run 3ms\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[vmm]\nscheduler = rr\n[sched.rr]\nquantum = 4ms\n[vm.a]\ntrace = a.trace\n[vm.b]\ntrace = b.trace\n");
  p.run(ms(100));
  report::Results r = p.results();
  EXPECT_EQ(*r.vcpus[1].response, ms(1));
  EXPECT_EQ(*r.vcpus[1].turnaround, ms(4));
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(12)) << "woken at 11 ms on an idle pCPU, runs 1 ms";
  EXPECT_EQ(r.pcpus[0].idle, ms(7));
}

TEST_F(PlatformTest, BvtSharesFollowWeights) {
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[vmm]\nscheduler = bvt\n[vm.gold]\ntrace = hog.trace\nweight = 512\n"
                  "[vm.silver]\ntrace = hog.trace\nweight = 256\n");
  p.run(ms(3000));
  report::Results r = p.results();
  EXPECT_NEAR(r.vms[0].share, 2.0 / 3, 0.02 * 2 / 3);
  EXPECT_NEAR(r.vms[1].share, 1.0 / 3, 0.02 * 1 / 3);
  EXPECT_NEAR(r.vms[0].entitled, 2.0 / 3, 1e-9);
  EXPECT_GT(r.jain_fairness, 0.999);
}

TEST_F(PlatformTest, CyclesAddUpWithEveryCostCharged) {
  file("io.trace", "vcpu 0\n  repeat forever\n    run 300us\n    io 700us\n    console 20\n  end\n");
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(
      "[platform]\ncpus = 2\n[vmm]\nscheduler = rr\n"
      "[vm.io]\ntrace = io.trace\nvcpus = 3\nworking_set = 256KiB\n"
      "[vm.hog]\ntrace = hog.trace\nvcpus = 2\nworking_set = 1MiB\n");
  p.run(ms(200));
  report::Results r = p.results();
  Cycles guest = 0, vcpu_cpu = 0;
  for (const auto& c : r.pcpus) {
    EXPECT_EQ(c.guest + c.vmm + c.idle + c.ceased, r.elapsed);
    EXPECT_GT(c.vmm, 0u) << "VM exits, hypercalls and switches cost cycles";
    guest += c.guest;
  }
  for (const auto& v : r.vcpus) vcpu_cpu += v.cpu;
  EXPECT_EQ(vcpu_cpu, guest) << "every guest cycle belongs to one vCPU";
  EXPECT_GT(r.vcpus[0].refill, 0u) << "switches charge cache refill";
  EXPECT_GT(r.pit_ticks, 190u);
  EXPECT_GT(r.console_written, 0u);
  EXPECT_LE(r.console_written - r.console_transmitted, 16u) << "at most a FIFO's worth still in flight";
}

TEST_F(PlatformTest, ConsoleInputWakesTheFocusedReader) {
  file("shell.trace", "vcpu 0\n  repeat forever\n    read 1\n    run 100us\n  end\n");
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[console]\nfocus = shell\ninput_start = 10ms\ninput_every = 20ms\ninput_count = 5\n"
                  "[vmm]\nscheduler = rr\n[sched.rr]\nquantum = 1ms\n"
                  "[vm.hog]\ntrace = hog.trace\n[vm.shell]\ntrace = shell.trace\n");
  p.run(ms(200));
  report::Results r = p.results();
  const auto& latency = r.vms[1].input_latency;
  EXPECT_EQ(latency.count(), 5u) << "every keystroke woke the shell";
  // The byte takes 10 bit times at 115200 baud, then the shell waits at most
  // one quantum behind the hog.
  Cycles byte = (10ull * 1000000000 + 115199) / 115200;
  EXPECT_GE(latency.min(), byte);
  EXPECT_LE(latency.max(), byte + ms(1));
  EXPECT_EQ(r.console_received, 5u);
}

}  // namespace
