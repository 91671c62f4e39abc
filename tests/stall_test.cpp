// Runs that cannot hang (docs/robustness.md): when simulated time stops
// advancing, the VMM counts the requests it serves at one cycle and, past
// a bound no legitimate run reaches, names what loops. A guest program that
// takes no time ends the run with its vCPU and trace line; a plugin handing
// out zero-length slices is ejected and the run goes on.
#include <fmt/format.h>

#include "base/input_error.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

class StallTest : public vmmsim::testing::SimTest {
 protected:
  // The InputError a run to `until` ends in ("" if it ends well).
  std::string run_error(Cycles until) {
    try {
      m_platform->run(until);
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  }
  std::string trace_path(const std::string& name) const { return (m_dir / name).string(); }
};

// 10^18 yields at one cycle: with every cost 0 a yield takes no time. The
// run ended never; it ends at the bound, a million and a thousand per vCPU
// and pCPU, with the vCPU and the line of its last step.
TEST_F(StallTest, AVcpuWhoseStepsTakeNoTimeEndsTheRunNamingItsLine) {
  file("yields.trace", "vcpu 0\n  run 1ms\n  repeat 1000000000\n    repeat 1000000000\n      yield\n    end\n  end\n");
  build(std::string(kZeroCosts) + "[vm.a]\ntrace = yields.trace\n");
  EXPECT_EQ(vmm::StallGuard::limit_for(1, 1), 1002000u);
  EXPECT_EQ(run_error(ms(10)),
            fmt::format("{}:5: vCPU a.0 takes no simulated time: more than 1002000 requests and steps at cycle "
                        "1000000; expected a step that takes time (run, io or sleep above 0) in each loop, or a "
                        "non-zero [vmm] vm_exit, vm_entry or hypercall",
                        trace_path("yields.trace")));
  EXPECT_EQ(m_platform->vmm().stalled().substr(0, 10), trace_path("yields.trace").substr(0, 10));
}

// The same loop of zero-time steps with io 0 (no request reaches the
// scheduler: the hypercall completes at once) is caught as well.
TEST_F(StallTest, ZeroTimeHypercallsThatCompleteAtOnceCountToo) {
  file("io0.trace", "vcpu 0\nvcpu 1\n  repeat 1000000000\n    repeat 1000000000\n      io 0\n      console 0\n"
                    "    end\n  end\n");
  build(std::string(kZeroCosts) + "[platform]\ncpus = 2\n[vm.b]\ntrace = io0.trace\n");
  const std::string e = run_error(ms(10));
  EXPECT_NE(e.find("io0.trace:5: vCPU b.1 takes no simulated time: more than 1004000 requests"), std::string::npos)
      << e;
}

// With a cost, the same trace advances: it is not a stall, the run reaches its end.
TEST_F(StallTest, TheSameLoopWithACostIsARun) {
  file("yields.trace", "vcpu 0\n  repeat 1000000000\n    yield\n  end\n");
  build("[vm.a]\ntrace = yields.trace\n");
  EXPECT_EQ(run_error(ms(5)), "");
  EXPECT_EQ(m_platform->results().elapsed, ms(5));
}

// A legitimate burst of zero-time steps far below the bound is left alone.
TEST_F(StallTest, ManyZeroTimeStepsBelowTheBoundAreLeftAlone) {
  file("burst.trace", "vcpu 0\n  repeat 100000\n    yield\n    io 0\n  end\n  run 1ms\n");
  build(std::string(kZeroCosts) + "[vm.a]\ntrace = burst.trace\n");
  EXPECT_EQ(run_error(ms(5)), "");
  EXPECT_EQ(m_platform->results().vcpus[0].turnaround, ms(1));
}

// broken's fault 7 gives every vCPU it picks a slice of 0 cycles: with
// every cost 0 its pCPU expired the slice at once, over and over, at one
// cycle. It is ejected as a scheduler that starves a vCPU is.
TEST_F(StallTest, APluginHandingOutZeroLengthSlicesIsEjectedAndTheRunGoesOn) {
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 1ms\n  end\n");
  build(std::string(kZeroCosts) + "[vm.a]\ntrace = hog.trace\n[run]\nswap = 1ms:" + VMMSIM_PLUGIN_DIR +
        "/vmmsim_broken.so,fault=7,after=0\n");
  EXPECT_EQ(run_error(ms(20)), "");
  report::Results r = m_platform->results();
  EXPECT_EQ(r.elapsed, ms(20));
  ASSERT_EQ(r.replacements.size(), 2u);
  const report::ReplacementResult& load = r.replacements[0];
  const report::ReplacementResult& eject = r.replacements[1];
  EXPECT_TRUE(load.ok) << load.reason;
  EXPECT_EQ(eject.kind, "eject");
  EXPECT_EQ(eject.requester, "watchdog");
  EXPECT_TRUE(eject.ok);
  EXPECT_EQ(eject.to, "rr");
  EXPECT_EQ(eject.requested_at, ms(1) + load.downtime) << "at the cycle it was activated: time stood still there";
  EXPECT_EQ(eject.reason, fmt::format("broken handed out zero-length slices on cpu0: more than 1002000 requests at "
                                      "cycle {} without simulated time passing",
                                      eject.requested_at));
  EXPECT_EQ(r.scheduler, "rr");
  EXPECT_EQ(r.vcpus[0].cpu, ms(20) - load.downtime - eject.downtime) << "the hog ran again under rr";
  EXPECT_TRUE(m_platform->vmm().stalled().empty());
}

}  // namespace
