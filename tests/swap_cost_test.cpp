// What a live replacement costs each guest (docs/replacement.md "What a swap
// costs each guest"): per vCPU and per VM the swap stall, which also counts
// as wait; per replacement the vCPUs stalled, the longest stall, the wakes
// held and the PIT ticks while ceased; a replacement still under way when the
// run ends; the timeline's view of it. Cycle counts are computed by hand.
#include <sstream>

#include "base/output_file.h"
#include "tests/results_json.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::json_of;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
// Sleeps at once (while its pCPU's cease is far off), wakes during the downtime.
constexpr const char* kSleeper = "vcpu 0\n  sleep 500us\n  run 1ms\n";
constexpr Cycles kMigrate = 300, kActivate = 50;
// fifo's 4 KiB image at 8 bytes a cycle after a 1 ms latency.
constexpr Cycles kSlowFifoLoad = 4 * 1024 / 8 + 1000000;
constexpr Cycles kCeasedAt = 100000;  // --swap 100us
constexpr Cycles kDowntime = kSlowFifoLoad + 2 * kMigrate + kActivate;
constexpr Cycles kResumed = kCeasedAt + kDowntime;

class SwapCostTest : public vmmsim::testing::SimTest {
 protected:
  // Two pCPUs: the hog h on cpu0 from 0; the sleeper s on cpu1 sleeps at 0
  // and wakes at 500 us, inside the downtime of rr -> fifo at 100 us.
  models::Platform& start() {
    file("hog.trace", kHog);
    file("sleeper.trace", kSleeper);
    return build(std::string(kZeroCosts) +
                 "[platform]\ncpus = 2\n[memory]\nload_latency = 1ms\n[vm.h]\ntrace = hog.trace\n[vm.s]\ntrace = "
                 "sleeper.trace\n[run]\nswap = 100us:fifo\n");
  }
};

TEST_F(SwapCostTest, StallsRunFromTheCeaseOrTheHeldWakeUntilTheVcpuRunsAgain) {
  models::Platform& p = start();
  p.run(ms(3));
  report::Results r = p.results();
  const auto& x = r.replacements.at(0);
  ASSERT_TRUE(x.ok) << x.reason;
  ASSERT_EQ(x.downtime, kDowntime);
  // h was running when its pCPU ceased: it stalls (and waits) until fifo,
  // told it was on cpu0, lets it go on at the resume.
  const report::VcpuResult& h = r.vcpus[0];
  EXPECT_EQ(h.swap_stall, kDowntime);
  EXPECT_EQ(h.swap_stall_max, kDowntime);
  EXPECT_EQ(h.wait.max(), kDowntime) << "the stall is wait: h was runnable, not running";
  EXPECT_EQ(h.cpu, ms(3) - kDowntime);
  // s's wake at 500 us was held: it stalls from then until cpu1 runs it.
  const report::VcpuResult& s = r.vcpus[1];
  EXPECT_EQ(s.swap_stall, kResumed - ms(0.5));
  EXPECT_EQ(s.wait.max(), kResumed - ms(0.5));
  EXPECT_EQ(*s.turnaround, kResumed + ms(1));
  // Per VM: the sum and the worst of its vCPUs'.
  EXPECT_EQ(r.vms[0].swap_stall, kDowntime);
  EXPECT_EQ(r.vms[0].swap_stall_max, kDowntime);
  EXPECT_EQ(r.vms[1].swap_stall, kResumed - ms(0.5));
  // Per replacement.
  EXPECT_EQ(x.vcpus_stalled, 2u);
  EXPECT_EQ(x.stall_max, kDowntime);
  EXPECT_EQ(x.wakes_held, 1u);
  EXPECT_EQ(x.ticks_while_ceased, 1u) << "the PIT's first edge, 1193 PIT clocks (999,847 cycles) after 0";
  EXPECT_FALSE(x.in_progress);

  report::JsonValue j = json_of(r);
  EXPECT_EQ(j["vcpus"][0]["swap_stall_cycles"].integer(), kDowntime);
  EXPECT_EQ(j["vcpus"][1]["swap_stall_max_cycles"].integer(), kResumed - ms(0.5));
  EXPECT_EQ(j["vms"][0]["swap_stall_max_cycles"].integer(), kDowntime);
  const report::JsonValue& jx = j["replacements"][0];
  EXPECT_EQ(jx["vcpus_stalled"].integer(), 2u);
  EXPECT_EQ(jx["stall_max_cycles"].integer(), kDowntime);
  EXPECT_EQ(jx["wakes_held"].integer(), 1u);
  EXPECT_EQ(jx["ticks_while_ceased"].integer(), 1u);
  EXPECT_FALSE(jx["in_progress"].boolean());
}

TEST_F(SwapCostTest, TimelineSlicesEndAtTheCeaseAndNameTheirScheduler) {
  const std::string path = (m_dir / "timeline.json").string();
  models::Platform& p = start();
  OutputFile out(path);
  out.open();
  p.record_timeline(out);
  p.run(ms(3));
  out.finish();
  out.commit();
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  report::JsonValue doc = report::JsonValue::parse(text.str());
  // Times in cycles (1 GHz: 1 us = 1000 cycles).
  auto cycles = [](const report::JsonValue& e, const char* key) {
    return static_cast<Cycles>(e[key].number() * 1000 + 0.5);
  };
  std::vector<report::JsonValue> cpu0, ceased;  // views; the document stays alive
  for (const report::JsonValue& e : doc["traceEvents"].array()) {
    if (e["ph"].string() != "X") continue;
    if (e["cat"].string() == "dispatch" && e["tid"].integer() == 1) cpu0.push_back(e);  // cpu0's thread id is 1
    if (e["cat"].string() == "ceased") ceased.push_back(e);
  }
  ASSERT_EQ(cpu0.size(), 2u);
  // h under rr until the cease, then under fifo from the resume.
  EXPECT_EQ(cycles(cpu0[0], "ts"), 0u);
  EXPECT_EQ(cycles(cpu0[0], "dur"), kCeasedAt) << "the slice ends at the cease, not at the resume";
  EXPECT_EQ(cpu0[0]["args"]["scheduler"].integer(), 0u);
  EXPECT_EQ(cpu0[0]["args"]["scheduler_name"].string(), "rr");
  EXPECT_EQ(cycles(cpu0[1], "ts"), kResumed);
  EXPECT_EQ(cycles(cpu0[1], "dur"), ms(3) - kResumed);
  EXPECT_EQ(cpu0[1]["args"]["scheduler"].integer(), 1u);
  EXPECT_EQ(cpu0[1]["args"]["scheduler_name"].string(), "fifo");
  // fifo's priority: minus the place in line; h went back first (0).
  EXPECT_EQ(cpu0[1]["args"]["priority"].number(), 0);
  ASSERT_EQ(ceased.size(), 2u) << "one per cpu track";
  for (const report::JsonValue& e : ceased) {
    EXPECT_EQ(cycles(e, "ts"), kCeasedAt);
    EXPECT_EQ(cycles(e, "dur"), kDowntime);
  }
}

// A run that ends in the middle of a replacement reports it, with the phases
// so far: --until inside a long drain.
TEST_F(SwapCostTest, ReplacementInProgressAtTheEndIsReported) {
  // 9600 baud: 1,041,667 cycles a byte; 16 bytes take ~16.7 ms to drain.
  file("writer.trace", "vcpu 0\n  console 16\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[console]\nbaud = 9600\nfifo = 16\n[vm.a]\ntrace = writer.trace\n[run]\nswap = 2000:bvt\n");
  p.run(ms(5));
  report::Results r = p.results();
  ASSERT_EQ(r.replacements.size(), 1u) << "the request under way is reported";
  const auto& x = r.replacements[0];
  EXPECT_TRUE(x.in_progress);
  EXPECT_TRUE(x.sequence);
  EXPECT_FALSE(x.ok);
  EXPECT_EQ(x.from, "rr");
  EXPECT_EQ(x.to, "rr") << "still active";
  EXPECT_EQ(x.started_at, 2000u);
  EXPECT_EQ(x.cease, 0u);
  EXPECT_EQ(x.drain, ms(5) - 2000) << "the drain so far";
  EXPECT_EQ(x.load, 0u) << "not reached";
  EXPECT_EQ(x.downtime, ms(5) - 2000);
  EXPECT_EQ(r.pcpus[0].ceased, x.downtime);
  EXPECT_EQ(x.vcpus_stalled, 1u);
  EXPECT_EQ(x.stall_max, ms(5) - 2000) << "a stall still open counts to the end";
  EXPECT_EQ(r.vcpus[0].swap_stall, ms(5) - 2000);
  EXPECT_EQ(x.ticks_while_ceased, r.pit_ticks) << "every tick of the run came after 2000 cycles";
  report::JsonValue j = json_of(r);
  EXPECT_TRUE(j["replacements"][0]["in_progress"].boolean());
  EXPECT_EQ(j["replacements"][0]["phases_cycles"]["drain"].integer(), ms(5) - 2000);
}

// A stall still open at the end (the run ends inside a long drain) counts in
// the vCPU's wait up to the end, as the stall does.
TEST_F(SwapCostTest, AnOpenStallAtTheEndAlsoCountsInWait) {
  file("writer.trace", "vcpu 0\n  console 16\n  repeat forever\n    run 10ms\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[console]\nbaud = 9600\nfifo = 16\n[vm.a]\ntrace = writer.trace\n[run]\nswap = 100us:bvt\n");
  p.run(ms(5));
  report::Results r = p.results();
  ASSERT_TRUE(r.replacements.at(0).in_progress);
  const report::VcpuResult& a = r.vcpus[0];
  ASSERT_EQ(a.swap_stall, ms(5) - ms(0.1));
  EXPECT_EQ(a.wait.max(), a.swap_stall) << "the open stall is wait too, from its start: a ran until then";
}

}  // namespace
