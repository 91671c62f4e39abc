// A `vmmsim trace gen phases` workload on the platform (docs/generators.md
// "phases"): each phase's vCPUs run where it was asked. The shell is
// dispatched only inside its interactive phases and every keystroke typed
// there is a read it was woken for; the CPU-bound and periodic vCPUs arrive
// at their phase's start and do its work.
#include <map>
#include <string>
#include <vector>

#include "tests/sim_fixture.h"
#include "vmm/observer.h"
#include "workload/phase_generator.h"

using namespace vmmsim;

namespace {

struct Dispatches final : vmm::Observer {
  Dispatches() : vmm::Observer(false) {}
  void dispatched(unsigned, vmm::VcpuId next, std::uint32_t, const std::string&, std::int64_t,
                  Cycles at) override {
    at_by_vcpu[next].push_back(at);
  }
  std::map<vmm::VcpuId, std::vector<Cycles>> at_by_vcpu;
};

class PhasesPlatformTest : public vmmsim::testing::SimTest {};

// At 1 GHz a nanosecond is a cycle.
TEST_F(PhasesPlatformTest, EachPhaseRunsWhereItWasAsked) {
  const workload::PhaseWorkload w = workload::generate_phases(workload::make_generator_spec(
      workload::GeneratorKind::Phases, {{"phases", "batch:300ms,interactive:300ms,periodic:300ms"},
                                        {"repeat", "2"},
                                        {"think", "20ms"},
                                        {"seed", "4"}}));
  ASSERT_EQ(w.vms.size(), 3u);
  std::string ini = "[platform]\ncpus = 2\n[vmm]\nscheduler = credit\n";
  ini += "[console]\nfocus = shell\ninput_start = " + std::to_string(w.input_start) +
         "\ninput_every = " + std::to_string(w.input_every) +
         "\ninput_bytes = 1\ninput_count = " + std::to_string(w.input_count) + "\n";
  for (const workload::PhaseVm& vm : w.vms) {
    file(vm.name + ".trace", vm.trace);
    ini += "[vm." + vm.name + "]\ntrace = " + vm.name + ".trace\n";
  }
  models::Platform& p = build(ini);
  Dispatches seen;
  p.vmm().add_observer(&seen);
  p.run(2 * w.span);
  const report::Results r = p.results();
  ASSERT_TRUE(r.all_finished) << "every phase's work ends";

  ASSERT_EQ(r.vms.size(), 3u);
  const unsigned batch_vcpus = r.vms[0].vcpus;
  const vmm::VcpuId shell = static_cast<vmm::VcpuId>(batch_vcpus);
  std::uint64_t keystrokes = 0;
  for (const workload::PhaseWindow& win : w.windows) keystrokes += win.keystroke_count;
  EXPECT_EQ(r.vms[1].input_latency.count(), keystrokes)
      << "the shell was woken by every keystroke typed inside its phases, and by no other";
  ASSERT_FALSE(seen.at_by_vcpu[shell].empty());
  for (Cycles at : seen.at_by_vcpu[shell]) {
    bool inside = false;
    for (const workload::PhaseWindow& win : w.windows)
      inside |= win.kind == workload::PhaseKind::Interactive && at >= win.start && at < win.end;
    EXPECT_TRUE(inside) << "the shell ran at " << at << ", outside its interactive phases";
  }

  for (const workload::PhaseWindow& win : w.windows) {
    for (unsigned v = win.batch_first; v < win.batch_first + win.batch_count; ++v) {
      const report::VcpuResult& x = r.vcpus[v];
      EXPECT_EQ(x.arrival, win.start) << "batch." << v;
      ASSERT_TRUE(x.response.has_value()) << "batch." << v;
      EXPECT_GE(seen.at_by_vcpu[static_cast<vmm::VcpuId>(v)].front(), win.start) << "batch." << v;
    }
    for (unsigned v = win.rt_first; v < win.rt_first + win.rt_count; ++v) {
      const report::VcpuResult& x = r.vcpus[batch_vcpus + 1 + v];
      EXPECT_EQ(x.vm, "rt");
      EXPECT_EQ(x.arrival, win.start) << "rt." << v;
      EXPECT_EQ(x.jobs, (win.end - win.start) / 10000000) << "rt." << v << ": a job per 10 ms";
    }
  }
}

}  // namespace
