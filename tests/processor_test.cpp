// The processor's cease sign and parked state (the switch-device half of a
// live scheduler replacement), and its per-state cycle accounting.
#include "tests/sim_fixture.h"

using namespace vmmsim;

namespace {

// Drives the cease sign from a SystemC thread at given cycles.
struct CeaseStimulus : sc_core::sc_module {
  SC_HAS_PROCESS(CeaseStimulus);
  CeaseStimulus(sc_core::sc_module_name n, models::Platform& p, Cycles cease_at, Cycles resume_at)
      : sc_core::sc_module(n), platform(p), cease_at(cease_at), resume_at(resume_at) {
    SC_THREAD(drive);
  }
  void drive() {
    const CycleClock& clock = platform.clock();
    wait(clock.span(cease_at));
    for (unsigned c = 0; c < 2; ++c) platform.processor(c).cease();
    for (unsigned c = 0; c < 2; ++c)
      if (!platform.processor(c).parked()) wait(platform.processor(c).parked_event());
    parked_at = clock.now();
    owners_while_parked = {platform.processor(0).owner(), platform.processor(1).owner()};
    wait(clock.span(resume_at - clock.now()));
    for (unsigned c = 0; c < 2; ++c) platform.processor(c).resume();
  }
  models::Platform& platform;
  Cycles cease_at, resume_at;
  Cycles parked_at = 0;
  std::vector<std::int32_t> owners_while_parked;
};

class ProcessorTest : public vmmsim::testing::SimTest {};

TEST_F(ProcessorTest, CeaseParksRunningGuestsAtTheirVmExit) {
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(
      "[platform]\ncpus = 2\n[vmm]\nscheduler = rr\nvm_exit = 700\nvm_entry = 0\nhypercall = 0\n"
      "context_switch = 0\n[activation]\nid_register_dispatch = 0\n[memory]\nrefill_bandwidth = 0\nremote_refill_bandwidth = 0\n"
      "[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n");
  CeaseStimulus stimulus("stimulus", p, ms(5), ms(8));
  p.run(ms(20));
  EXPECT_EQ(stimulus.parked_at, ms(5) + 700) << "kicked at 5 ms, parked after the VM exit";
  EXPECT_EQ(stimulus.owners_while_parked, (std::vector<std::int32_t>{0, 1})) << "parked with their owners";
  report::Results r = p.results();
  for (const auto& c : r.pcpus) {
    EXPECT_EQ(c.ceased, ms(3) - 700) << "from parking to the resume at 8 ms";
    EXPECT_EQ(c.guest + c.vmm + c.idle + c.ceased, r.elapsed);
  }
  // No guest ran while ceased: 20 ms minus the parked time minus VM exits.
  Cycles cpu = r.vcpus[0].cpu + r.vcpus[1].cpu;
  EXPECT_EQ(cpu, r.pcpus[0].guest + r.pcpus[1].guest);
  EXPECT_LE(cpu, 2 * (ms(20) - (ms(3) - 700)));
  EXPECT_EQ(r.requests[static_cast<std::size_t>(vmm::RequestKind::Resume)].second, 2u)
      << "each processor asked for its next owner on resume";
}

TEST_F(ProcessorTest, IdleProcessorParksAtOnce) {
  file("short.trace", "vcpu 0\n  run 1ms\n  sleep 50ms\n  run 1ms\n");
  auto& p = build(std::string(vmmsim::testing::kZeroCosts) +
                  "[platform]\ncpus = 2\n[vm.a]\ntrace = short.trace\n");
  CeaseStimulus stimulus("stimulus", p, ms(5), ms(10));
  p.run(ms(100));
  EXPECT_EQ(stimulus.parked_at, ms(5)) << "nothing to kick: both were idle";
  report::Results r = p.results();
  EXPECT_EQ(r.pcpus[0].ceased, ms(5));
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(52)) << "the sleeping vCPU was not disturbed";
}

}  // namespace

namespace {

// SystemC time ends at 2^64 - 1 ps: a span past it (a plugin's slice, a
// product of costs) is cut at the horizon; it wrapped around to a short one.
TEST(CycleClock, SpansStopAtTheHorizonInsteadOfWrapping) {
  const CycleClock clock(1000000000);
  EXPECT_EQ(clock.horizon(), 18446744073709551u);
  EXPECT_EQ(clock.span(5).value(), 5000u);
  EXPECT_EQ(clock.span(Cycles{1} << 62).value(), clock.horizon() * 1000);
  EXPECT_EQ(clock.span(kForever).value(), clock.horizon() * 1000);
}

}  // namespace
