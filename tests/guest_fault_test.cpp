// A guest `fault` halts its VM; the service VM takes the VM's vCPUs off the
// run queues and the other VMs go on (docs/replacement.md "Guest faults").
//
// The schedule, to the cycle (zero costs, rr with 1 ms quanta, 2 pCPUs):
// g.0 computes 4.5 ms then faults, g.1 and h are hogs, the service VM sleeps.
//   0-1    cpu0 g.0  cpu1 g.1          (the service VM waits in the queue)
//   1-2    cpu0 h    cpu1 g.0          (the service VM ran at 1 ms: sleep)
//   2-3    cpu0 g.1  cpu1 h
//   3-4    cpu0 g.0  cpu1 g.1
//   4-5    cpu0 h    cpu1 g.0
//   5-6    cpu0 g.1  cpu1 h
//   6-6.5  cpu0 g.0  cpu1 g.1          g.0 has run 4.5 ms: fault at 6.5 ms
//   6.5-   cpu0 h                      the woken service VM waits for a pCPU
//   7      cpu1: g.1's quantum ends; the service VM runs and halts g.1
// So g.0 ran 4.5 ms and g.1 5 ms; h ran 4 ms by 6.5 ms and everything after.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
// Steps after `fault` are never reached.
constexpr const char* kFaulty = "vcpu 0\n  run 4500us\n  fault\n  run 1ms\nvcpu 1\n  repeat forever\n    run 10ms\n  end\n";

class GuestFaultTest : public vmmsim::testing::SimTest {
 protected:
  // VM g (2 vCPUs, ids 0 and 1), VM h (id 2), the service VM (id 3) if its
  // trace is given.
  models::Platform& start(const std::string& service_trace) {
    file("g.trace", kFaulty);
    file("hog.trace", kHog);
    std::string service;
    if (!service_trace.empty()) {
      file("svc.trace", service_trace);
      service = "[service]\ntrace = svc.trace\n";
    }
    return build(std::string(kZeroCosts) + "[platform]\ncpus = 2\n[sched.rr]\nquantum = 1ms\n"
                                           "[vm.g]\ntrace = g.trace\n[vm.h]\ntrace = hog.trace\n" + service);
  }
  // Runs on to absolute cycle `t` (Platform::run runs for a span) and reports.
  report::Results advance_to(Cycles t) {
    if (t > m_platform->clock().now()) m_platform->run(t - m_platform->clock().now());
    return m_platform->results();
  }
  static std::uint64_t requests(const report::Results& r, vmm::RequestKind k) {
    return r.requests[static_cast<std::size_t>(k)].second;
  }
  void expect_fault(const report::Results& r, Cycles at, Cycles halted_at) {
    ASSERT_EQ(r.faults.size(), 1u);
    const report::FaultResult& f = r.faults[0];
    EXPECT_EQ(f.vm, "g");
    EXPECT_EQ(f.vcpu, 0u);
    EXPECT_EQ(f.at, at);
    EXPECT_EQ(f.halted_at, halted_at);
    EXPECT_GE(f.halted_at, f.at);
    EXPECT_EQ(f.vcpus_halted, 1u) << "the rest of the VM: g.1";
  }
  // g is halted for good: both vCPUs Halted, its cycles and dispatches frozen
  // between `then` and `now`; h went on alone on one pCPU.
  void expect_g_frozen_h_running(const report::Results& then, const report::Results& now) {
    for (std::size_t v = 0; v < 2; ++v) {
      EXPECT_EQ(m_platform->vcpus()[v].state, vmm::RunState::Halted) << "g." << v;
      EXPECT_EQ(now.vcpus[v].cpu, then.vcpus[v].cpu) << "g." << v << " ran after its VM was halted";
      EXPECT_EQ(now.vcpus[v].dispatches, then.vcpus[v].dispatches) << "g." << v << " was dispatched again";
    }
    EXPECT_EQ(now.vcpus[2].cpu - then.vcpus[2].cpu, now.elapsed - then.elapsed) << "h never waited again";
    EXPECT_GT(now.vms[1].share, then.vms[1].share) << "h's share rises";
    EXPECT_EQ(now.elapsed, ms(100)) << "the run ends at `until`, normally";
    EXPECT_FALSE(now.all_finished);
    for (const auto& c : now.pcpus) EXPECT_EQ(c.guest + c.vmm + c.idle + c.ceased, now.elapsed);
  }
};

TEST_F(GuestFaultTest, ServiceVmHaltsTheFaultedVmAndOthersContinue) {
  start("vcpu 0\n  sleep 1s\n");
  report::Results mid = advance_to(ms(7.5));
  expect_fault(mid, ms(6.5), ms(7));
  EXPECT_EQ(mid.vcpus[0].cpu, ms(4.5)) << "g.0 halted at its fault";
  EXPECT_EQ(mid.vcpus[1].cpu, ms(5)) << "g.1 ran until the service VM halted it at 7 ms";
  EXPECT_EQ(mid.vcpus[2].cpu, ms(5)) << "h: 4 ms by 6.5 ms, then on cpu0 from 6.5 ms";
  EXPECT_EQ(mid.vcpus[3].cpu, 0u) << "handling the fault takes the service VM no guest time here";
  EXPECT_EQ(requests(mid, vmm::RequestKind::Fault), 1u);
  EXPECT_EQ(requests(mid, vmm::RequestKind::ServiceIrq), 1u);
  EXPECT_EQ(requests(mid, vmm::RequestKind::HaltVm), 1u);

  report::Results end = advance_to(ms(100));
  expect_g_frozen_h_running(mid, end);
  EXPECT_EQ(end.vcpus[2].cpu, ms(97.5));
  EXPECT_NEAR(end.vms[1].share, 97.5 / 200, 1e-9);
  EXPECT_EQ(end.pcpus[0].idle + end.pcpus[1].idle, ms(93)) << "one pCPU idles from 7 ms on";
  EXPECT_EQ(end.faults.size(), 1u);
}

TEST_F(GuestFaultTest, WithoutServiceVmTheVmmHaltsTheVmAtOnce) {
  start("");
  report::Results mid = advance_to(ms(7.5));
  expect_fault(mid, ms(6.5), ms(6.5));
  EXPECT_EQ(mid.vcpus[0].cpu, ms(4.5));
  EXPECT_EQ(mid.vcpus[1].cpu, ms(4.5)) << "g.1 left cpu1 at the fault, mid-quantum";
  EXPECT_EQ(requests(mid, vmm::RequestKind::HaltVm), 0u) << "no service VM to ask";

  report::Results end = advance_to(ms(100));
  expect_g_frozen_h_running(mid, end);
  EXPECT_EQ(end.vcpus[2].cpu, ms(97.5));
  EXPECT_EQ(end.pcpus[0].idle + end.pcpus[1].idle, ms(93.5)) << "one pCPU idles from 6.5 ms on";
}

// The fault reaches the service VM in the middle of its 10 ms sleep (1 ms to
// 11 ms): it handles the fault at 7 ms, sleeps on, and still wakes at 11 ms to
// write its console line and compute 2 ms, as if nothing had happened.
TEST_F(GuestFaultTest, FaultDuringTheServiceVmsSleepLeavesItsTimingUnchanged) {
  start("vcpu 0\n  sleep 10ms\n  console 10\n  run 2ms\n  sleep 1s\n");
  report::Results r = advance_to(ms(11));
  expect_fault(r, ms(6.5), ms(7));
  EXPECT_EQ(r.console_written, 0u) << "still asleep until 11 ms";
  EXPECT_EQ(r.vcpus[3].cpu, 0u);
  r = advance_to(ms(11) + 1);
  EXPECT_EQ(r.console_written, 10u) << "woke at 11 ms and wrote its line at once";
  r = advance_to(ms(12));
  EXPECT_EQ(r.vcpus[3].cpu, ms(1));
  report::Results mid = advance_to(ms(20));
  EXPECT_EQ(mid.vcpus[3].cpu, ms(2)) << "computed 11-13 ms on the pCPU g.1 left";
  EXPECT_EQ(mid.console_transmitted, 10u);
  EXPECT_EQ(mid.vcpus[2].cpu, ms(4) + ms(20) - ms(6.5)) << "h was not disturbed";

  report::Results end = advance_to(ms(100));
  expect_g_frozen_h_running(mid, end);
  EXPECT_EQ(end.vcpus[3].cpu, ms(2));
  EXPECT_EQ(end.console_written, 10u);
}

// Once the service VM can no longer run (its program ended, or it faulted
// itself) the VMM halts a faulted VM at once, as when there is no service VM.
// (Regression: the fault used to be queued for the service VM and never
// handled; halted_at stayed 0 and g.1 ran on to the end of the run.)
TEST_F(GuestFaultTest, AfterTheServiceVmEndedTheVmmHaltsTheVmAtOnce) {
  start("vcpu 0\n  sleep 2ms\n");
  report::Results mid = advance_to(ms(7.5));
  expect_fault(mid, ms(6.5), ms(6.5));
  EXPECT_EQ(mid.vcpus[1].cpu, ms(4.5));
  expect_g_frozen_h_running(mid, advance_to(ms(100)));
}

TEST_F(GuestFaultTest, AfterTheServiceVmFaultedTheVmmHaltsTheVmAtOnce) {
  start("vcpu 0\n  sleep 2ms\n  fault\n");
  report::Results mid = advance_to(ms(7.5));
  ASSERT_EQ(mid.faults.size(), 2u);
  EXPECT_EQ(mid.faults[0].vm, "service");
  EXPECT_EQ(mid.faults[1].vm, "g");
  EXPECT_EQ(mid.faults[1].at, ms(6.5));
  EXPECT_EQ(mid.faults[1].halted_at, ms(6.5));
  expect_g_frozen_h_running(mid, advance_to(ms(100)));
}

// A service VM that computes for ever is kicked to handle a fault at once:
// its endless run steps, one burst (workload::ProgramCursor's
// merge_endless), do not delay it to the end of its quantum (10 ms).
TEST_F(GuestFaultTest, AComputingServiceVmHandlesTheFaultAtOnce) {
  file("f.trace", "vcpu 0\n  run 4500us\n  fault\n");
  file("svc.trace", "vcpu 0\n  repeat forever\n    run 400us\n  end\n");
  file("hog.trace", kHog);  // a guest left, so that the run goes on
  build(std::string(kZeroCosts) +
        "[platform]\ncpus = 3\n[sched.rr]\nquantum = 10ms\n[vm.g]\ntrace = f.trace\n[vm.h]\ntrace = hog.trace\n"
        "[service]\ntrace = svc.trace\n");
  report::Results r = advance_to(ms(20));
  ASSERT_EQ(r.faults.size(), 1u);
  EXPECT_EQ(r.faults[0].at, ms(4.5));
  EXPECT_EQ(r.faults[0].halted_at, ms(4.5)) << "kicked at the fault";
  EXPECT_EQ(r.vcpus[2].cpu, ms(20)) << "the service VM computed on, on its own pCPU";
}

}  // namespace
