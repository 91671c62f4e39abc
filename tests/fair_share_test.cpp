// Weighted max-min water-filling with caps and the demand of a vCPU
// (report/fair_share.h, docs/results.md "Fairness").
#include "report/fair_share.h"

#include <gtest/gtest.h>

using namespace vmmsim;
using report::water_fill;

TEST(WaterFill, SharesByWeightWhenNoCapBinds) {
  auto s = water_fill({512, 256, 256}, {1, 1, 1}, 1.0);
  EXPECT_NEAR(s[0], 0.5, 1e-12);
  EXPECT_NEAR(s[1], 0.25, 1e-12);
  EXPECT_NEAR(s[2], 0.25, 1e-12);
}

TEST(WaterFill, ASmallDemandIsMetAndTheRestGoesToTheOthersByWeight) {
  // Equal weights; one asks for 10 %: it gets 10 %, the two others split 90 %.
  auto s = water_fill({1, 1, 1}, {0.10, 1, 1}, 1.0);
  EXPECT_NEAR(s[0], 0.10, 1e-12);
  EXPECT_NEAR(s[1], 0.45, 1e-12);
  EXPECT_NEAR(s[2], 0.45, 1e-12);
  // Weights 3:1 among the rest: 90 % as 67.5 % and 22.5 %.
  s = water_fill({1, 3, 1}, {0.10, 1, 1}, 1.0);
  EXPECT_NEAR(s[1], 0.675, 1e-12);
  EXPECT_NEAR(s[2], 0.225, 1e-12);
}

TEST(WaterFill, CapsBindInCascade) {
  // Level 1/4 each: A (cap .05) is fixed, the level rises to .95/3 = .3167,
  // past B's cap .3: B fixed too, C and D split .65 by weight 1:1.
  auto s = water_fill({1, 1, 1, 1}, {0.05, 0.30, 1, 1}, 1.0);
  EXPECT_NEAR(s[0], 0.05, 1e-12);
  EXPECT_NEAR(s[1], 0.30, 1e-12);
  EXPECT_NEAR(s[2], 0.325, 1e-12);
  EXPECT_NEAR(s[3], 0.325, 1e-12);
}

TEST(WaterFill, TotalDemandBelowCapacityGivesEachItsDemand) {
  auto s = water_fill({256, 512}, {0.2, 0.3}, 0.9);
  EXPECT_NEAR(s[0], 0.2, 1e-12);
  EXPECT_NEAR(s[1], 0.3, 1e-12);  // the other .4 stays unused: nobody asks for it
}

TEST(WaterFill, TotalDemandAboveCapacityNeverGivesMoreThanTheCapacity) {
  auto s = water_fill({1, 1}, {0.8, 0.8}, 0.99);
  EXPECT_NEAR(s[0], 0.495, 1e-12);
  EXPECT_NEAR(s[1], 0.495, 1e-12);
  s = water_fill({1, 1, 2}, {0.9, 0.1, 0.9}, 1.0);  // .1 met, .9 split 1:2
  EXPECT_NEAR(s[0] + s[1] + s[2], 1.0, 1e-12);
  EXPECT_NEAR(s[0], 0.3, 1e-12);
  EXPECT_NEAR(s[2], 0.6, 1e-12);
}

TEST(WaterFill, ZeroDemandGetsNothingAndTakesNothing) {
  auto s = water_fill({1, 1, 1}, {0, 1, 1}, 1.0);
  EXPECT_EQ(s[0], 0.0);
  EXPECT_NEAR(s[1], 0.5, 1e-12);
  EXPECT_NEAR(s[2], 0.5, 1e-12);
  s = water_fill({1, 1}, {0, 0}, 1.0);
  EXPECT_EQ(s[0], 0.0);
  EXPECT_EQ(s[1], 0.0);
  EXPECT_TRUE(water_fill({}, {}, 1.0).empty());
}

TEST(WaterFill, EntitledSharesAreTheWaterFillCappedAtTheVcpuCount) {
  // A 1-vCPU VM of weight 1000 on two pCPUs can use half; the rest goes on.
  auto s = report::entitled_shares({1000, 10, 10}, {1, 2, 2}, 2);
  EXPECT_NEAR(s[0], 0.5, 1e-12);
  EXPECT_NEAR(s[1], 0.25, 1e-12);
  EXPECT_NEAR(s[2], 0.25, 1e-12);
}

TEST(Demand, AnEndedProgramAskedForWhatItRan) {
  EXPECT_EQ(report::demand_cycles({300, 700, 2000, true}), 300.0);
}

TEST(Demand, ARunningProgramIsScaledUpAsIfItHadNeverWaited) {
  // Ran 1 ms, waited 1 ms, blocked 9 ms over 11 ms: 1 ms per 10 ms not held
  // back is 10 %, over its 11 ms lifetime 1.1 ms.
  EXPECT_NEAR(report::demand_cycles({1000, 1000, 11000, false}), 1100.0, 1e-9);
  // Never waited: what it ran.
  EXPECT_NEAR(report::demand_cycles({250, 0, 2750, false}), 250.0, 1e-9);
  // CPU-bound, kept waiting half the time: its whole lifetime.
  EXPECT_NEAR(report::demand_cycles({500, 500, 1000, false}), 1000.0, 1e-9);
}

TEST(Demand, AVcpuThatOnlyWaitedAskedForItsWholeLifeAndOneNotArrivedForNothing) {
  EXPECT_EQ(report::demand_cycles({0, 4000, 4000, false}), 4000.0);
  EXPECT_EQ(report::demand_cycles({0, 0, 0, false}), 0.0);
  EXPECT_EQ(report::demand_cycles({0, 0, 5000, false}), 0.0);  // blocked all along
}

TEST(Demand, PeriodicJobsAskForTheirWorkEachPeriodEvenWhenLate) {
  // 3 ms jobs every 10 ms over 500 ms, kept so late that they ran back to
  // back (never blocked): 30 %, not the 100 % the rate would say.
  report::VcpuTime t{147'000, 200'000, 500'000, false, 49, 10'000};
  EXPECT_NEAR(report::demand_cycles(t), 150'000.0, 1e-6);
}
