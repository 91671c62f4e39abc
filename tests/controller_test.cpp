// The switching controller (docs/controller.md): its rules are evaluated at
// their windows' ends by the service VM, as the service VM's own guest work;
// a rule fires at the window end at which its metric crosses the threshold;
// hysteresis and a minimum dwell time hold back oscillation; the downtime
// budget refuses a switch and says so; every decision is reported with what
// it cost.
#include <algorithm>

#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

// Every cost 0, loads instant: a swap costs no time, so hand-computed
// times are exact and the schedules do not move with the swaps.
// [vmm] migrate per vCPU is the only cost a swap has, `migrate` cycles.
std::string free_costs(const std::string& migrate = "0") {
  return std::string(kZeroCosts) +
         "load_bandwidth = 0\nload_latency = 0\n"  // [memory], from kZeroCosts
         "[vmm]\nunload = 0\nmigrate = " +
         migrate + "\n[activation]\nid_register_activate = 0\n";
}

// The service VM sleeps; it runs only the controller.
constexpr const char* kService = "vcpu 0\n  sleep 100s\n";

class ControllerTest : public vmmsim::testing::SimTest {
 protected:
  report::Results run_to(const std::string& ini, Cycles until) {
    file("service.trace", kService);
    build(ini + "[service]\ntrace = service.trace\n");
    m_platform->run(until);
    return m_platform->results();
  }
  static std::size_t switches(const report::Results& r) {
    return static_cast<std::size_t>(std::count_if(
        r.replacements.begin(), r.replacements.end(),
        [](const auto& x) { return x.requester == "controller" && x.sequence && x.ok; }));
  }
};

// Two pCPUs; a guest arrives at 30 ms and computes. The service VM either
// sleeps (its vCPU is woken at a window's end) or computes too (its running
// vCPU takes a VM exit as for an IPI): the machine's utilisation is, in the
// windows [0, 10), [10, 20), [20, 30) ms, 0 or 1/2, and 1/2 more in
// [30, 40). The rule fires at the end of that window, 40 ms: the service
// vCPU, woken onto the idle pCPU or interrupted on its own, evaluates for
// 5000 cycles, and the request comes at 40 ms + 5000.
struct Service {
  const char* name;
  const char* trace;
  const char* above;  // the rule's threshold
  double before;      // utilisation of the service VM alone
};

void PrintTo(const Service& s, std::ostream* os) { *os << s.name; }

class ControllerTimingTest : public ControllerTest,
                             public ::testing::WithParamInterface<Service> {};

TEST_P(ControllerTimingTest, ARuleFiresAtTheWindowEndWhereItsMetricCrossesTheThreshold) {
  const Service& service = GetParam();
  file("late.trace", "vcpu 0\n  arrive 30ms\n  run 1s\n");
  file("service.trace", service.trace);
  build(free_costs() +
        "[platform]\ncpus = 2\n[vm.late]\ntrace = late.trace\n[service]\ntrace = service.trace\n"
        "[controller]\nevaluation_cost = 5000\n"
        "[controller.rule.busy]\nmetric = utilisation\nwindow = 10ms\nabove = " +
        std::string(service.above) + "\naction = load fifo\n");
  m_platform->run(ms(60));
  const report::Results r = m_platform->results();
  ASSERT_TRUE(r.controller);
  const report::ControllerResult& c = *r.controller;
  ASSERT_EQ(c.decisions.size(), 1u);
  const report::ControllerDecision& d = c.decisions[0];
  EXPECT_EQ(d.rule, "busy");
  EXPECT_EQ(d.window_from, ms(30));
  EXPECT_EQ(d.window_to, ms(40)) << "the window end at which utilisation crosses the threshold";
  EXPECT_EQ(d.decided_at, ms(40) + 5000)
      << "interrupted at the window's end, then 5000 cycles of evaluation";
  // The guest's 10 ms and the service VM's work in the window (at least the
  // 5000 cycles of the evaluation that read [20, 30) ms), of 2 x 10 ms.
  const double service_alone = service.before > 0 ? service.before : 5000 / (2.0 * ms(10));
  EXPECT_DOUBLE_EQ(d.value, 0.5 + service_alone);
  EXPECT_EQ(d.status, "done");
  ASSERT_EQ(d.replacement, 0);
  const report::ReplacementResult& x = r.replacements[0];
  EXPECT_EQ(x.requester, "controller");
  EXPECT_EQ(x.requested_at, ms(40) + 5000);
  EXPECT_EQ(x.to, "fifo");
  EXPECT_EQ(d.downtime, x.downtime);
  EXPECT_EQ(c.rules[0].fired, 1u);
  // Five windows ended before 60 ms (the one at 60 ms is the run's end: not served).
  EXPECT_EQ(c.evaluations, 5u);
  EXPECT_EQ(c.service_cycles, 5u * 5000);
  // The evaluations are the service VM's guest time (a computing one ran all the time, evaluations included).
  EXPECT_EQ(r.vms.back().cpu, service.before > 0 ? ms(60) : 5u * 5000);
}

INSTANTIATE_TEST_SUITE_P(Services, ControllerTimingTest,
                         ::testing::Values(Service{"asleep", "vcpu 0\n  sleep 100s\n", "0.4", 0},
                                           Service{"computing",
                                                   "vcpu 0\n  repeat forever\n    run 3ms\n  end\n",
                                                   "0.75", 0.5}),
                         [](const auto& info) { return std::string(info.param.name); });

// A guest whose utilisation alternates around 0.4 window by window (9 ms,
// then 7 ms of work in each 10 ms window of two pCPUs: 0.45, 0.35, ...); one
// rule loads fifo above 0.4, another rr below it. Unguarded, the controller
// switches at every window end (10, 20, ..., 190 ms: 19 switches); a
// minimum dwell time of 50 ms since the last activation (the boot's at 0)
// lets one through at 50, 100 and 150 ms; hysteresis (each rule rearms only
// past 0.2 / 0.6, which this metric never reaches) stops them after two.
struct Guard {
  const char* name;
  const char* keys;      // added to both rules
  std::size_t switches;  // the controller's in 200 ms
};

void PrintTo(const Guard& g, std::ostream* os) { *os << g.name; }

class ControllerOscillationTest : public ControllerTest,
                                  public ::testing::WithParamInterface<Guard> {};

TEST_P(ControllerOscillationTest, HysteresisAndDwellSuppressOscillation) {
  const Guard& g = GetParam();
  file("osc.trace",
       "vcpu 0\n  repeat forever\n    run 9ms\n    io 1ms\n    run 7ms\n    io 3ms\n  end\n");
  std::string hot =
      "[controller.rule.hot]\nmetric = utilisation\nwindow = 10ms\nabove = 0.4\naction = load "
      "fifo\n";
  std::string cold =
      "[controller.rule.cold]\nmetric = utilisation\nwindow = 10ms\nbelow = 0.4\naction = load "
      "rr\n";
  if (std::string(g.name) == "hysteresis") {
    hot += "hysteresis = 0.2\n";
    cold += "hysteresis = 0.6\n";
  } else {
    hot += g.keys;
    cold += g.keys;
  }
  const report::Results r =
      run_to(free_costs() + "[platform]\ncpus = 2\n[vm.osc]\ntrace = osc.trace\n[controller]\n" +
                 hot + cold,
             ms(200));
  ASSERT_TRUE(r.controller);
  const std::size_t n = switches(r);
  EXPECT_EQ(n, g.switches) << g.name;
  std::size_t fired = 0;
  for (const auto& rule : r.controller->rules) fired += rule.fired;
  EXPECT_EQ(fired, n) << "every firing is one switch";
}

INSTANTIATE_TEST_SUITE_P(Guards, ControllerOscillationTest,
                         ::testing::Values(Guard{"unguarded", "", 19},
                                           Guard{"dwell", "min_dwell = 50ms\n", 3},
                                           Guard{"hysteresis", "", 2}),
                         [](const auto& info) { return std::string(info.param.name); });

// Each switch costs [vmm] migrate × 2 vCPUs = 4 ms of downtime; the budget
// allows 5 ms per second. The first switch fits (estimated 4 ms); the next,
// 10 ms later, would make 8 ms in the last second: refused, with the reason,
// and the rule stays armed.
TEST_F(ControllerTest, TheDowntimeBudgetRefusesASwitchAndSaysSo) {
  file("osc.trace",
       "vcpu 0\n  repeat forever\n    run 9ms\n    io 1ms\n    run 7ms\n    io 3ms\n  end\n");
  const report::Results r = run_to(free_costs("2ms") +
                                       "[platform]\ncpus = 2\n[vm.osc]\ntrace = osc.trace\n"
                                       "[controller]\ndowntime_budget = 5ms\nbudget_window = 1s\n"
                                       "[controller.rule.hot]\nmetric = utilisation\nwindow = "
                                       "10ms\nabove = 0.4\naction = load fifo\n"
                                       "[controller.rule.cold]\nmetric = utilisation\nwindow = "
                                       "10ms\nbelow = 0.4\naction = load rr\n",
                                   ms(100));
  ASSERT_TRUE(r.controller);
  const report::ControllerResult& c = *r.controller;
  ASSERT_GE(c.decisions.size(), 2u);
  EXPECT_EQ(c.decisions[0].status, "done");
  EXPECT_EQ(c.decisions[0].estimated_downtime, ms(4));
  EXPECT_EQ(c.decisions[0].downtime, ms(4)) << "the estimate is the loader's plan: exact here";
  const report::ControllerDecision& refused = c.decisions[1];
  EXPECT_EQ(refused.status, "refused");
  EXPECT_EQ(refused.replacement, -1);
  EXPECT_NE(refused.reason.find(
                "downtime budget: 4.000 ms spent in the last 1000.000 ms + 4.000 ms estimated > "
                "5.000 ms allowed"),
            std::string::npos)
      << refused.reason;
  EXPECT_EQ(switches(r), 1u) << "no switch past the budget";
  std::uint64_t refusals = 0;
  for (const auto& rule : c.rules) refusals += rule.refused_budget;
  EXPECT_GT(refusals, 1u) << "armed, refused again at each window; listed once";
  EXPECT_EQ(c.decisions.size(), 2u);
}

// docs/controller.md "Metrics": a job due at 10 ms that runs 12 ms of CPU
// finishes late at 12 ms, the end of the first 12 ms window: the miss
// counts in [0, 12 ms), which closes after the cycle's other events.
TEST_F(ControllerTest, WhatHappensAtAWindowsEndCountsInIt) {
  file("rt.trace", "vcpu 0\n  every 10ms run 12ms count 3\n");
  const report::Results r =
      run_to(free_costs() + "[platform]\ncpus = 2\n[vm.rt]\ntrace = rt.trace\n"
                            "[controller]\nevaluation_cost = 0\n[controller.rule.late]\n"
                            "metric = deadline_misses\nwindow = 12ms\nabove = 0\naction = load fifo\n",
             ms(30));
  ASSERT_TRUE(r.controller);
  ASSERT_FALSE(r.controller->decisions.empty());
  const report::ControllerDecision& d = r.controller->decisions[0];
  EXPECT_EQ(d.window_from, 0u);
  EXPECT_EQ(d.window_to, ms(12));
  EXPECT_EQ(d.value, 1);
  EXPECT_EQ(d.decided_at, ms(12));
}

// configs/controller.ini's first switch (docs/controller.md "Estimated
// downtime"): at the decision the console's FIFO holds 16 bytes at 115200
// baud, one of them partly sent, and it goes on draining while the
// processors cease. The estimate prices the drain as the sequence does, from
// the cease's end to the line's idle: it is the downtime measured.
TEST_F(ControllerTest, TheEstimateIsTheDowntimeTheSequenceThenHas) {
  const std::string traces = std::string(VMMSIM_SOURCE_DIR) + "/traces/";
  build("[platform]\ncpus = 1\n[console]\nfocus = shell\ninput_start = 5ms\ninput_every = 20ms\n"
        "[vm.shell]\ntrace = " +
        traces +
        "interactive.trace\nwarp = 20ms\nwarp_limit = 5ms\nunwarp_min = 10ms\n[vm.batch]\ntrace = " +
        traces + "batch.trace\n[service]\ntrace = " + traces +
        "service.trace\n[controller.rule.slow]\nmetric = input_p99\nscope = shell\nwindow = 100ms\n"
        "above = 2ms\naction = load bvt\n");
  m_platform->run(ms(150));
  const report::Results r = m_platform->results();
  ASSERT_TRUE(r.controller);
  ASSERT_EQ(r.controller->decisions.size(), 1u);
  const report::ControllerDecision& d = r.controller->decisions[0];
  ASSERT_EQ(d.replacement, 0);
  EXPECT_GT(r.replacements[0].drain, 0u) << "the FIFO was not empty";
  EXPECT_EQ(d.downtime, 1380682u);
  EXPECT_EQ(d.estimated_downtime, d.downtime);
}

}  // namespace
