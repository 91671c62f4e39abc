// What imported traces ask of a platform (workload/trace_demand.h), which
// sizes the config of `vmmsim trace import --config` (config/imported_config.h).
#include <gtest/gtest.h>

#include "config/imported_config.h"
#include "workload/trace_demand.h"
#include "workload/trace_parser.h"

using namespace vmmsim;

namespace {

constexpr Hertz kGHz = 1000000000;

TEST(TraceDemand, SpanAndPeakOfVcpusReplayedAlone) {
  // vcpu 0 runs [0, 2 ms) and [3, 4 ms); vcpu 1 runs [1, 5 ms); vcpu 2
  // arrives at 4 ms and runs [4, 6 ms) twice over, so [4, 8 ms).
  auto t = workload::parse_trace(
      "vcpu 0\n  run 2ms\n  io 1ms\n  run 1ms\nvcpu 1\n  sleep 1ms\n  run 4ms\n"
      "vcpu 2\n  arrive 4ms\n  repeat 2\n    run 2ms\n  end\n",
      "t.trace", kGHz);
  workload::TraceDemand d = workload::demand_of({&t});
  EXPECT_EQ(d.span, 8000000u);
  EXPECT_EQ(d.peak_vcpus, 2u) << "at most two compute at once; an end and a start at 4 ms do not overlap";
  EXPECT_FALSE(d.peak_estimated);
}

TEST(TraceDemand, APeakTooLongToReplayCountsEveryVcpuWithWork) {
  auto t = workload::parse_trace("vcpu 0\n  run 1ms\n  run 1ms\nvcpu 1\n  arrive 5ms\n  run 1ms\nvcpu 2\n  io 1ms\n",
                                 "t.trace", kGHz);
  workload::TraceDemand d = workload::demand_of({&t}, 2);
  EXPECT_TRUE(d.peak_estimated);
  EXPECT_EQ(d.peak_vcpus, 2u) << "vcpu 2 never computes";
  EXPECT_EQ(d.span, 6000000u);
}

TEST(TraceDemand, AProgramThatNeverEndsHasNoSpan) {
  auto t = workload::parse_trace("vcpu 0\n  repeat forever\n    run 1ms\n  end\n", "t.trace", kGHz);
  EXPECT_EQ(workload::demand_of({&t}).span, kForever);
}

TEST(ImportedConfig, SizedFromTheTraceOrItsPeakDemand) {
  workload::ImportResult imported;
  imported.vms.push_back({"web", "vcpu 0\n  run 3ms\nvcpu 1\n  run 2ms\n", {"a", "b"}});
  imported.vms.push_back({"db", "vcpu 0\n  arrive 10ms\n  run 1500us\n", {"c"}});
  config::ImportedConfig c =
      config::imported_config(imported, {"out/x-web.trace", "out/x-db.trace"}, "out/x.ini", kGHz, "vmmsim trace import");
  EXPECT_EQ(c.cpus, 2u) << "web's two vCPUs compute at once; db comes later";
  EXPECT_EQ(c.until, 23000000u) << "twice the 11.5 ms span, rounded up to a millisecond";
  ASSERT_EQ(c.vms.size(), 2u);
  EXPECT_EQ(c.vms[0].name, "web");
  EXPECT_EQ(c.vms[0].trace, "x-web.trace") << "relative to the config's folder";
  imported.source_cpus = 8;
  imported.source_cpus_origin = "cpus=8 in the trace's header";
  c = config::imported_config(imported, {"x-web.trace", "x-db.trace"}, "configs/x.ini", kGHz, "vmmsim trace import");
  EXPECT_EQ(c.cpus, 8u) << "the traced machine's CPU count wins where the format has it";
  EXPECT_EQ(c.vms[1].trace, "../x-db.trace");
}

}  // namespace
