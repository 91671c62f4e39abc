// The controller's plain parts (docs/controller.md): a rule triggers only
// while armed and is rearmed only past its hysteresis threshold; `all`
// reads the worst guest VM; the downtime budget's arithmetic and refusal.
#include <gtest/gtest.h>

#include "controllers/downtime_budget.h"
#include "controllers/rule_engine.h"

using namespace vmmsim;
using namespace vmmsim::controllers;

namespace {

Rule above(double threshold, double rearm) {
  Rule r;
  r.name = "r";
  r.metric = Metric::RunqueueMean;
  r.window = 10;
  r.above = true;
  r.threshold = threshold;
  r.rearm = rearm;
  return r;
}

// One window's snapshot with the run queue's mean at `mean`.
std::vector<std::optional<Snapshot>> runqueue(double mean) {
  Snapshot s;
  s.runqueue_mean = mean;
  return {s};
}

TEST(RuleEngine, FiresArmedPastTheThresholdAndRearmsOnlyPastItsHysteresis) {
  RuleEngine e({above(5, 2)}, {});
  ASSERT_EQ(e.triggers(runqueue(5)).size(), 0u) << "at the threshold is not past it";
  auto t = e.triggers(runqueue(6));
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].value, 6);
  EXPECT_EQ(t[0].vm, -1) << "machine-wide";
  e.fired(0);
  EXPECT_TRUE(e.triggers(runqueue(7)).empty()) << "disarmed";
  EXPECT_TRUE(e.triggers(runqueue(3)).empty())
      << "below the threshold, above the rearm: still disarmed";
  EXPECT_TRUE(e.triggers(runqueue(6)).empty()) << "past the threshold again: still disarmed";
  EXPECT_TRUE(e.triggers(runqueue(2)).empty()) << "at the rearm threshold: armed again";
  EXPECT_EQ(e.triggers(runqueue(6)).size(), 1u);
}

TEST(RuleEngine, WithoutHysteresisItRearmsAtTheThreshold) {
  RuleEngine e({above(5, 5)}, {});
  ASSERT_EQ(e.triggers(runqueue(6)).size(), 1u);
  e.fired(0);
  EXPECT_TRUE(e.triggers(runqueue(6)).empty());
  EXPECT_TRUE(e.triggers(runqueue(5)).empty());
  EXPECT_EQ(e.triggers(runqueue(5.5)).size(), 1u);
}

TEST(RuleEngine, ATriggerNotActedOnStaysArmed) {
  RuleEngine e({above(5, 5)}, {});
  EXPECT_EQ(e.triggers(runqueue(6)).size(), 1u);
  EXPECT_EQ(e.triggers(runqueue(6)).size(), 1u)
      << "held (dwell, budget): it may fire at the next window";
}

TEST(RuleEngine, BelowRulesAndAMissingValue) {
  Rule r = above(0.8, 0.9);
  r.above = false;
  r.metric = Metric::FairShareRatio;
  r.scope = "web";
  RuleEngine e({r}, {"web", "batch"});
  Snapshot s;
  s.vms.resize(2);
  s.vms[0].name = "web";
  auto latest = std::vector<std::optional<Snapshot>>{s};
  EXPECT_TRUE(e.triggers(latest).empty()) << "no fair share in the window: no value, no change";
  latest[0]->vms[0].fair_share_ratio = 0.5;
  auto t = e.triggers(latest);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].vm, 0);
  e.fired(0);
  latest[0]->vms[0].fair_share_ratio = 0.85;
  EXPECT_TRUE(e.triggers(latest).empty());
  latest[0]->vms[0].fair_share_ratio = 0.5;
  EXPECT_TRUE(e.triggers(latest).empty()) << "below the threshold again: still disarmed";
  latest[0]->vms[0].fair_share_ratio = 0.9;
  EXPECT_TRUE(e.triggers(latest).empty()) << "at the rearm threshold: armed again";
  latest[0]->vms[0].fair_share_ratio = 0.5;
  EXPECT_EQ(e.triggers(latest).size(), 1u);
}

TEST(RuleEngine, RulesOfOtherWindowsWaitForTheirOwn) {
  Rule a = above(1, 1), b = above(1, 1);
  b.window = 20;
  RuleEngine e({a, b}, {});
  ASSERT_EQ(e.windows(), (std::vector<Cycles>{10, 20}));
  Snapshot s;
  s.runqueue_mean = 2;
  auto t = e.triggers({s, std::nullopt});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].rule, 0u);
}

TEST(MetricValue, AllIsTheWorstGuestAndTheServiceVmIsLeftOut) {
  Snapshot s;
  s.vms.resize(3);
  s.vms[0].input_p99 = 10, s.vms[0].fair_share_ratio = 0.9, s.vms[0].deadline_misses = 2;
  s.vms[1].input_p99 = 30, s.vms[1].fair_share_ratio = 0.7, s.vms[1].deadline_misses = 3;
  s.vms[2].service = true, s.vms[2].input_p99 = 99, s.vms[2].fair_share_ratio = 0.1,
  s.vms[2].deadline_misses = 9;
  int worst = 0;
  EXPECT_EQ(metric_value(s, Metric::InputP99, -1, &worst), 30);
  EXPECT_EQ(worst, 1);
  EXPECT_EQ(metric_value(s, Metric::FairShareRatio, -1, &worst), 0.7);
  EXPECT_EQ(worst, 1);
  EXPECT_EQ(metric_value(s, Metric::DeadlineMisses, -1), 5) << "the guests' sum";
  EXPECT_EQ(metric_value(s, Metric::InputP99, 2), 99) << "named, the service VM is read";
  EXPECT_FALSE(metric_value(s, Metric::WaitP99, -1)) << "no VM had a wait";
}

TEST(MetricNames, ReadBack) {
  for (std::size_t i = 0; i < kMetrics; ++i)
    EXPECT_EQ(metric_named(metric_name(static_cast<Metric>(i))), static_cast<Metric>(i));
  EXPECT_FALSE(metric_named("latency"));
}

report::ReplacementResult sequence(Cycles at, Cycles downtime) {
  report::ReplacementResult r;
  r.sequence = true;
  r.started_at = at;
  r.downtime = downtime;
  return r;
}

TEST(DowntimeBudget, CountsTheLastWindowAndRefusesPastIt) {
  const Hertz ghz = 1000000000;
  DowntimeBudget b(2000000, 500000000, ghz);  // 2 ms per second over 500 ms: 1 ms
  EXPECT_EQ(b.refusal(0, 1000000), "") << "1 ms allowed";
  EXPECT_NE(b.refusal(0, 1000001), "");
  report::ReplacementResult stage;  // no sequence: no downtime
  stage.started_at = 900000000;
  const std::vector<report::ReplacementResult> done = {
      sequence(100000000, 400000), sequence(600000000, 300000), sequence(900000000, 200000), stage};
  EXPECT_EQ(b.spent(done, 1000000000), 500000u) << "started in (500 ms, 1 s]";
  EXPECT_EQ(b.spent(done, 1100000000), 200000u) << "600 ms + 500 ms is not after 1.1 s";
  EXPECT_EQ(b.refusal(500000, 500000), "") << "exactly the budget fits";
  EXPECT_EQ(b.refusal(500000, 500001),
            "downtime budget: 0.500 ms spent in the last 500.000 ms + 0.500 ms estimated > 1.000 "
            "ms allowed "
            "(2.000 ms per second)");
  EXPECT_EQ(DowntimeBudget(0, 500000000, ghz).refusal(kForever, kForever), "") << "0: no budget";
}

}  // namespace
