// Observers of the VMM (vmm/observer.h): several observe one run together,
// each hears the hooks it is told of, and only one that watches requests
// makes PIT ticks simulated (a tracer must not slow a policy without ticks).
#include <fstream>
#include <sstream>

#include "soak/invariants.h"
#include "tests/sim_fixture.h"
#include "vmm/observer.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

struct Recorder final : vmm::Observer {
  explicit Recorder(bool requests) : vmm::Observer(requests) {}
  struct Dispatch {
    unsigned cpu;
    vmm::VcpuId next;
    std::uint32_t slot;
    std::string scheduler;
    Cycles at;
  };
  void after_request(const vmm::Request& r, const vmm::Feedback&) override {
    ++requests;
    if (r.kind == vmm::RequestKind::Tick) ++ticks;
  }
  void after_replacement(const report::ReplacementResult& r) override { replacements.push_back(r.to); }
  void dispatched(unsigned cpu, vmm::VcpuId next, std::uint32_t slot, const std::string& scheduler, std::int64_t,
                  Cycles at) override {
    decisions.push_back({cpu, next, slot, scheduler, at});
    // A decision that keeps the owner is told too: `dispatches` has the changes of owner.
    if (dispatches.empty() || dispatches.back().next != next) dispatches.push_back(decisions.back());
  }
  void went_offline(Cycles first_cease) override {
    offline.push_back(first_cease);
    parks_before_offline = parks.size();
  }
  void parked(unsigned cpu, Cycles at) override { parks.emplace_back(cpu, at); }
  void ceased(unsigned cpu, Cycles from, Cycles to) override { downtimes.push_back({cpu, from, to}); }
  void runqueue(Cycles, std::uint64_t waiting) override { last_waiting = waiting; }
  void vm_running(std::size_t vm, unsigned n, Cycles) override { running.at(vm) = n; }

  std::uint64_t requests = 0, ticks = 0;
  std::vector<std::string> replacements;
  std::vector<Dispatch> decisions, dispatches;
  std::vector<std::pair<unsigned, Cycles>> parks;
  std::vector<Cycles> offline;  // each sequence's first cease, told as the processors have ceased
  std::size_t parks_before_offline = 99;
  struct Downtime {
    unsigned cpu;
    Cycles from, to;
  };
  std::vector<Downtime> downtimes;
  std::uint64_t last_waiting = ~std::uint64_t{0};
  std::vector<unsigned> running = std::vector<unsigned>(2, 99);
};

class ObserverTest : public vmmsim::testing::SimTest {
 protected:
  // rr on one pCPU, quantum 10 ms, two hogs that never block: a (vCPU 0)
  // runs 0-10 ms, b (vCPU 1) 10-20 ms, and so on.
  models::Platform& hogs(const std::string& more = "") {
    file("hog.trace", "vcpu 0\n  repeat forever\n    run 7ms\n  end\n");
    return build(std::string(kZeroCosts) + "[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n" + more);
  }
};

TEST_F(ObserverTest, ATracerMakesNoTickSimulatedOneThatWatchesRequestsDoes) {
  models::Platform& p = hogs();
  ASSERT_FALSE(p.vmm().ticks_simulated()) << "rr has no tick op";
  Recorder tracer(false), watcher(true);
  p.vmm().add_observer(&tracer);
  EXPECT_FALSE(p.vmm().ticks_simulated()) << "a tracer needs no tick";
  p.vmm().add_observer(&watcher);
  EXPECT_TRUE(p.vmm().ticks_simulated()) << "a watcher of requests sees every tick";
  p.vmm().remove_observer(&watcher);
  EXPECT_FALSE(p.vmm().ticks_simulated());
  p.run(ms(35));
  EXPECT_FALSE(p.vmm().ticks_simulated()) << "nor while the run goes on";
  EXPECT_EQ(tracer.requests, 0u) << "a tracer is told no request";
  EXPECT_EQ(watcher.requests, 0u) << "a removed observer hears nothing";
  ASSERT_EQ(tracer.dispatches.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(tracer.dispatches[i].cpu, 0u);
    EXPECT_EQ(tracer.dispatches[i].next, static_cast<vmm::VcpuId>(i % 2)) << i;
    EXPECT_EQ(tracer.dispatches[i].at, ms(10) * i) << i;
    EXPECT_EQ(tracer.dispatches[i].slot, 0u);
    EXPECT_EQ(tracer.dispatches[i].scheduler, "rr");
  }
  EXPECT_EQ(tracer.last_waiting, 1u) << "one hog waits while the other runs";
  EXPECT_EQ(tracer.running, (std::vector<unsigned>{0, 1})) << "b runs at 35 ms";
  EXPECT_EQ(p.results().pit_ticks, 35u) << "elided ticks are still counted";
}

// A replacement as observers see it: the processors have ceased (told with
// the first cease, for the timeline's neighbourhood), the owner parks where its pCPU ceases,
// the downtime is told when the processors resume, then the new scheduler's
// decisions follow, and the result comes last.
TEST_F(ObserverTest, AReplacementIsParkedThenCeasedThenDecidedByTheNewScheduler) {
  models::Platform& p = hogs("[memory]\nload_latency = 1ms\n[run]\nswap = 2500us:fifo\n");
  Recorder tracer(false);
  p.vmm().add_observer(&tracer);
  p.run(ms(10));
  const report::Results r = p.results();
  ASSERT_EQ(r.replacements.size(), 1u);
  const report::ReplacementResult& x = r.replacements[0];
  ASSERT_TRUE(x.ok);
  EXPECT_EQ(tracer.offline, (std::vector<Cycles>{x.started_at})) << "told once, with the first cease";
  EXPECT_EQ(tracer.parks_before_offline, 0u) << "before the owners park";
  ASSERT_EQ(tracer.parks.size(), 1u);
  EXPECT_EQ(tracer.parks[0], std::make_pair(0u, x.started_at)) << "a parks as cpu0 ceases";
  ASSERT_EQ(tracer.downtimes.size(), 1u);
  EXPECT_EQ(tracer.downtimes[0].from, x.started_at);
  EXPECT_EQ(tracer.downtimes[0].to, x.started_at + x.downtime);
  EXPECT_EQ(tracer.replacements, (std::vector<std::string>{"fifo"}));
  ASSERT_FALSE(tracer.decisions.empty());
  const Recorder::Dispatch& last = tracer.decisions.back();
  EXPECT_EQ(last.scheduler, "fifo") << "fifo keeps a, parked on cpu0, when it resumes, and runs it to completion";
  EXPECT_EQ(last.next, 0);
  EXPECT_EQ(last.at, x.started_at + x.downtime);
  EXPECT_NE(last.slot, tracer.decisions.front().slot);
  EXPECT_EQ(tracer.dispatches.size(), 1u) << "a has run throughout";
}

// The soak's checker, a tracer and the --timeline observe one run together;
// the checker still sees every request and finds nothing wrong.
TEST_F(ObserverTest, TheSoakCheckerATracerAndTheTimelineObserveTogether) {
  models::Platform& p = hogs("[run]\nswap = 2500us:fifo\n");
  soak::InvariantChecker checker("checker", p, 100003);
  Recorder tracer(false);
  p.vmm().add_observer(&tracer);
  OutputFile out((m_dir / "t.json").string());
  out.open();
  p.record_timeline(out);
  p.run(ms(35));
  out.finish();
  out.commit();
  checker.at_end();
  EXPECT_TRUE(checker.ok()) << checker.violations().front().what;
  EXPECT_GT(checker.checks(), 1000u);
  EXPECT_TRUE(p.vmm().ticks_simulated()) << "the checker watches every request";
  EXPECT_EQ(tracer.requests, 0u);
  ASSERT_FALSE(tracer.dispatches.empty());
  std::stringstream text;
  text << std::ifstream(m_dir / "t.json").rdbuf();
  const std::string timeline = text.str();
  std::size_t slices = 0;
  for (std::size_t at = 0; (at = timeline.find("\"cat\": \"dispatch\"", at)) != std::string::npos; ++at) ++slices;
  // One slice per change of owner, plus one for a resumed after the swap.
  EXPECT_EQ(slices, tracer.dispatches.size() + 1);
  EXPECT_NE(timeline.find("\"name\": \"ceased\""), std::string::npos);
  EXPECT_NE(timeline.find("\"name\": \"load rr -> fifo\""), std::string::npos);
}

}  // namespace
