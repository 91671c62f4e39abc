// An interrupted run (docs/robustness.md "Interrupted runs and atomic
// outputs"): the platform runs in chunks of simulated time when it is given
// a stop flag, which must change no result, and stops between chunks once
// the flag is set.
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <sstream>

#include "base/output_plan.h"
#include "report/json_report.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The VCD after its header (the header holds the date).
std::string vcd_body(const std::filesystem::path& p) {
  std::string text = read(p);
  auto at = text.find("$enddefinitions");
  return at == std::string::npos ? "" : text.substr(at);
}

class InterruptTest : public vmmsim::testing::SimTest {
 protected:
  // live-swap.ini: console traffic, I/O, two replacements in 700 ms.
  void build_live_swap(const std::string& name) {
    m_config = config::load_config(std::string(VMMSIM_SOURCE_DIR) + "/configs/live-swap.ini");
    m_platform = std::make_unique<models::Platform>("platform", m_config);
    m_traces = std::make_unique<OutputPlan>();
    OutputFile& vcd = m_traces->add((m_dir / (name + ".vcd")).string(), "--vcd");
    OutputFile& timeline = m_traces->add((m_dir / (name + ".timeline.json")).string(), "--timeline");
    m_traces->open();
    m_platform->trace_vcd(vcd);
    m_platform->record_timeline(timeline);
  }
  void finish_traces() {
    m_platform->finish_trace();
    m_traces->commit();
  }
  std::unique_ptr<OutputPlan> m_traces;
  void write_results(const std::filesystem::path& json) {
    std::ofstream out(json, std::ios::binary);
    report::write_json_report(m_platform->results(), out);
  }
};

TEST_F(InterruptTest, ChunkedRunGivesTheSameJsonVcdAndTimelineAsOneRun) {
  const Cycles until = ms(700);
  // SystemC elaborates once per process: the whole run is a child's.
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    build_live_swap("whole");
    m_platform->run(until);
    finish_traces();
    write_results(m_dir / "whole.json");
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  volatile std::sig_atomic_t never = 0;
  build_live_swap("chunked");
  // An odd first chunk: boundaries fall anywhere, also inside replacements.
  EXPECT_FALSE(m_platform->run(until, &never, 77777));
  finish_traces();
  write_results(m_dir / "chunked.json");
  const std::string whole = read(m_dir / "whole.json");
  ASSERT_NE(whole.find("\"partial\": false"), std::string::npos);
  EXPECT_EQ(read(m_dir / "chunked.json"), whole);
  const std::string whole_vcd = vcd_body(m_dir / "whole.vcd");
  ASSERT_GT(whole_vcd.size(), 1000u);
  EXPECT_TRUE(vcd_body(m_dir / "chunked.vcd") == whole_vcd) << "the VCD bodies differ";
  const std::string whole_timeline = read(m_dir / "whole.timeline.json");
  ASSERT_GT(whole_timeline.size(), 1000u);
  EXPECT_TRUE(read(m_dir / "chunked.timeline.json") == whole_timeline) << "the timelines differ";
}

// Raises the flag at a simulated time, as a signal handler would.
struct Interrupter : sc_core::sc_module {
  SC_HAS_PROCESS(Interrupter);
  Interrupter(sc_core::sc_module_name n, sc_core::sc_time at, volatile std::sig_atomic_t& flag)
      : sc_core::sc_module(n), at(at), flag(flag) {
    SC_THREAD(raise);
  }
  void raise() {
    wait(at);
    flag = SIGINT;
  }
  sc_core::sc_time at;
  volatile std::sig_atomic_t& flag;
};

TEST_F(InterruptTest, TheFlagStopsTheRunSoonAfterWithConsistentResults) {
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 10ms\n  end\n");
  build("[platform]\ncpus = 2\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n[vm.c]\ntrace = hog.trace\n");
  volatile std::sig_atomic_t flag = 0;
  Interrupter interrupter("interrupter", m_platform->clock().span(ms(30)), flag);
  EXPECT_TRUE(m_platform->run(ms(10000), &flag, ms(1)));
  report::Results r = m_platform->results();
  EXPECT_GE(r.elapsed, ms(30));
  EXPECT_LT(r.elapsed, ms(10000)) << "stopped long before the end";
  for (const report::PcpuResult& p : r.pcpus)
    EXPECT_EQ(p.guest + p.vmm + p.idle + p.ceased, r.elapsed) << "every pCPU accounted up to the stop";
}

}  // namespace
