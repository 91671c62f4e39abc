// IRQ0 edges nobody needs are not simulated (vmm/ticks.cpp), yet every count
// is what a simulated tick gives: requests.tick, its feedback (done, or
// rejected while ceased), pit_ticks and ticks_while_ceased. Each scenario
// runs twice, in two tests (one elaboration per process): without an
// observer (ticks elided under rr and fifo) and with one (every tick
// simulated, as the observer must see every request); both expect the same.
//
// At 1 GHz and pit.hz 1000 (reload 1193, loaded at PIT tick 1) edge k is at
// cycle ceil((1 + 1193 k) * 1e9 / 1193182): 1,000,686; 2,000,534;
// 3,000,381; ...; 9,999,313.
#include <fstream>
#include <sstream>

#include "base/output_plan.h"
#include "tests/sim_fixture.h"
#include "vmm/observer.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";

struct CountTicks final : vmm::Observer {
  CountTicks() : vmm::Observer(true) {}
  void after_request(const vmm::Request& r, const vmm::Feedback&) override {
    if (r.kind == vmm::RequestKind::Tick) ++ticks;
  }
  std::uint64_t ticks = 0;
};

std::uint64_t ticks_of(const report::Results& r) {
  for (const auto& [name, n] : r.requests)
    if (name == "tick") return n;
  return ~std::uint64_t{0};
}

class TickElisionTest : public vmmsim::testing::SimTest {
 protected:
  // rr on one pCPU with two hogs; rr -> fifo at 2.5 ms, whose load takes
  // 1 ms: edge 3 (3,000,381) comes while the processor is ceased.
  report::Results swap_run(bool observed, Cycles until) {
    file("hog.trace", kHog);
    auto& p = build(std::string(kZeroCosts) +
                    "[memory]\nload_latency = 1ms\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n"
                    "[run]\nswap = 2500us:fifo\n");
    if (observed) p.vmm().add_observer(&m_observer);
    p.run(until);
    return p.results();
  }
  void expect_counts(const report::Results& r, std::uint64_t ticks) {
    EXPECT_EQ(r.pit_ticks, ticks);
    EXPECT_EQ(ticks_of(r), ticks);
    ASSERT_EQ(r.replacements.size(), 1u);
    ASSERT_TRUE(r.replacements[0].ok);
    EXPECT_EQ(r.replacements[0].ticks_while_ceased, 1u) << "edge 3 came while ceased";
    EXPECT_EQ(r.feedback_rejected, 1u) << "the tick while ceased reached no scheduler";
  }
  CountTicks m_observer;
};

TEST_F(TickElisionTest, ElidedTicksCountAsSimulated) {
  const report::Results r = swap_run(false, ms(10));
  expect_counts(r, 10);
}

TEST_F(TickElisionTest, SimulatedTicksCountTheSame) {
  const report::Results r = swap_run(true, ms(10));
  expect_counts(r, 10);
  EXPECT_EQ(m_observer.ticks, 10u) << "the observer saw every tick";
}

// A run cut at the window's end has not served that cycle: an edge exactly
// there is not yet a tick, simulated or not.
TEST_F(TickElisionTest, AnEdgeAtTheWindowsEndIsNotCountedElided) {
  const report::Results r = swap_run(false, 9999313);
  expect_counts(r, 9);
}

TEST_F(TickElisionTest, AnEdgeAtTheWindowsEndIsNotCountedSimulated) {
  const report::Results r = swap_run(true, 9999313);
  expect_counts(r, 9);
  EXPECT_EQ(m_observer.ticks, 9u);
}

// One cycle later it is.
TEST_F(TickElisionTest, AnEdgeBeforeTheWindowsEndCountsElided) {
  const report::Results r = swap_run(false, 9999314);
  expect_counts(r, 10);
}

// The traced pit.out is computed from the PIT's state, not driven edge by
// edge (devices/pit.h trace_out_waveform): it still rises at every tick,
// falls one PIT tick before (mode 2, the default), and ticks stay elided under rr.
class PitTraceTest : public vmmsim::testing::SimTest {
 protected:
  // pit.out's changes in the VCD of a run of `until` cycles (time 0 left out).
  std::vector<std::pair<Cycles, char>> pit_out_changes(Cycles until) {
    file("hog.trace", kHog);
    auto& p = build(std::string(kZeroCosts) + "[vm.a]\ntrace = hog.trace\n");
    OutputPlan plan;
    OutputFile& vcd = plan.add((m_dir / "out.vcd").string(), "--vcd");
    plan.open();
    p.trace_vcd(vcd);
    p.run(until);
    p.finish_trace();
    plan.commit();
    std::ifstream in(m_dir / "out.vcd");
    std::stringstream text;
    text << in.rdbuf();
    const std::string vcd_text = text.str();
    const std::size_t var = vcd_text.find(" pit_out $end");
    EXPECT_NE(var, std::string::npos);
    const std::size_t before = vcd_text.rfind(' ', var - 1) + 1;
    const std::string code = vcd_text.substr(before, var - before);
    std::vector<std::pair<Cycles, char>> changes;
    Cycles at = 0;
    std::istringstream lines(vcd_text.substr(vcd_text.find("$enddefinitions")));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line[0] == '#') at = std::stoull(line.substr(1));
      if (line.size() == code.size() + 1 && line.substr(1) == code && at > 0) changes.emplace_back(at, line[0]);
    }
    return changes;
  }
};

TEST_F(PitTraceTest, TheTracedPitOutRisesAtEveryTick) {
  const auto changes = pit_out_changes(ms(5.1));
  // Mode 2, reload 1193 loaded at PIT tick 1: low for one PIT tick at
  // 1193 k, high again at 1 + 1193 k, each at ceil(tick * 1e9 / 1193182).
  ASSERT_EQ(changes.size(), 10u);
  EXPECT_EQ(changes[0], (std::pair<Cycles, char>{999848, '0'}));
  EXPECT_EQ(changes[1], (std::pair<Cycles, char>{1000686, '1'}));
  EXPECT_EQ(changes[9], (std::pair<Cycles, char>{5000076, '1'}));
  EXPECT_EQ(m_platform->results().pit_ticks, 5u);
}

// A run cut exactly at an edge has not served it: neither the counts nor the
// VCD have it (review of issue 13: the VCD had it).
TEST_F(PitTraceTest, AnEdgeAtTheWindowsEndIsNeitherCountedNorTraced) {
  const auto changes = pit_out_changes(5000076);
  ASSERT_EQ(changes.size(), 9u);
  EXPECT_EQ(changes.back(), (std::pair<Cycles, char>{4999238, '0'}));
  EXPECT_EQ(m_platform->results().pit_ticks, 4u);
}

// A new count written without a control word keeps the edges so far counted
// (review of issue 13: they were lost).
TEST_F(TickElisionTest, ANewCountKeepsTheEdgesCounted) {
  file("hog.trace", kHog);
  auto& p = build(std::string(kZeroCosts) + "[vm.a]\ntrace = hog.trace\n");
  p.run(ms(5.5));
  EXPECT_EQ(p.pit().rising_edges_until(ms(5.5)), 5u);
  p.pit().io_write(devices::Pit::kCounter0Port, 0xa9);  // 1193, low byte then high
  p.pit().io_write(devices::Pit::kCounter0Port, 0x04);
  EXPECT_EQ(p.pit().rising_edges_until(ms(5.5)), 5u);
  EXPECT_EQ(p.pit().rising_edges_until(ms(7)), 6u) << "the next edge a whole period after the new count";
}

}  // namespace
