// A plugin that throws a C++ exception from an operation is contained
// (docs/robustness.md "Plugin faults"): thrown while it is loaded (create) or
// migrated into (insert), the load fails and the old scheduler goes on;
// thrown while it runs, it is ejected with the exception's text and the
// default scheduler comes back. Uses plugins/throwing.cpp, whose `op`
// throws from cycle `at` on. A plugin whose table is wrong is refused before
// anything in it is called, and an err buffer a plugin fills without a NUL
// is read as a C string all the same (plugins/bad_table.c).
#include <stdlib.h>

#include <fmt/format.h>

#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

std::string throwing() { return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_throwing.so"; }
std::string bad_table() { return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_bad_table.so"; }

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
// Blocks, is woken and yields, over and over.
constexpr const char* kChatty =
    "vcpu 0\n  repeat forever\n    run 200us\n    io 300us\n    run 100us\n    yield\n  end\n";
// Leaves (its vCPU is removed) after 5 ms.
constexpr const char* kShort = "vcpu 0\n  sleep 4ms\n  run 1ms\n";

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

class PluginFaultTest : public vmmsim::testing::SimTest {
 protected:
  report::Results advance_to(Cycles t) {
    if (t > m_platform->clock().now()) m_platform->run(t - m_platform->clock().now());
    return m_platform->results();
  }
  // One hog on one pCPU; `swaps` in the [run] swap syntax.
  void start_hog(const std::string& swaps) {
    file("hog.trace", kHog);
    build(std::string(kZeroCosts) + "[platform]\ncpus = 1\n[vm.a]\ntrace = hog.trace\n[run]\nswap = " + swaps + "\n");
  }
  void expect_active(const std::string& name) {
    vmm::SchedulerManager& m = m_platform->manager();
    EXPECT_EQ(m.scheduler_id_register.read(), m.active_id());
    EXPECT_EQ(m.active().image.name, name);
    for (std::uint32_t s = 0; s < m.slot_count(); ++s) {
      if (s == m.active_id()) continue;
      EXPECT_FALSE(m.slot(s).loaded) << "slot " << s << " left occupied";
    }
  }
  // A failed load: the old scheduler (rr) stayed, the run went on to 10 ms
  // and the hog lost only the failed sequence's downtime.
  void expect_failed_load(const std::string& cause) {
    report::Results r = advance_to(ms(10));
    ASSERT_EQ(r.replacements.size(), 1u);
    const report::ReplacementResult& load = r.replacements[0];
    EXPECT_EQ(load.kind, "load");
    EXPECT_FALSE(load.ok);
    EXPECT_TRUE(load.sequence) << "it failed after the downtime, when the plugin was called";
    EXPECT_TRUE(Contains(load.reason, cause));
    EXPECT_EQ(load.from, "rr");
    EXPECT_EQ(load.to, "rr");
    EXPECT_EQ(load.vcpus_migrated, 0u);
    EXPECT_EQ(r.scheduler, "rr");
    expect_active("rr");
    EXPECT_EQ(r.elapsed, ms(10));
    EXPECT_EQ(r.vcpus[0].cpu, ms(10) - load.downtime) << "the old scheduler ran the hog all the time but the downtime";
  }
};

TEST_F(PluginFaultTest, CreateThrowingFailsTheLoadAndTheOldSchedulerGoesOn) {
  start_hog("1ms:" + throwing() + ",op=1");
  expect_failed_load("throwing failed to start: create threw: throwing: create failed");
}

TEST_F(PluginFaultTest, InsertThrowingInTheMigrationFailsTheLoadAndTheOldSchedulerGoesOn) {
  start_hog("1ms:" + throwing() + ",op=2");
  expect_failed_load("throwing failed to start: inserting a.0: threw: throwing: insert failed at cycle");
}

TEST_F(PluginFaultTest, EntryPointThrowingIsRefusedBeforeAnythingStops) {
  start_hog("1ms:" + std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_throwing_entry.so");
  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 1u);
  EXPECT_FALSE(r.replacements[0].ok);
  EXPECT_FALSE(r.replacements[0].sequence) << "refused at planning";
  EXPECT_TRUE(Contains(r.replacements[0].reason, "its entry point threw: throwing_entry: no table today"));
  expect_active("rr");
  EXPECT_EQ(r.vcpus[0].cpu, ms(10)) << "no downtime";
}

TEST_F(PluginFaultTest, DestroyThrowingIsReportedAndTheUnloadCompletes) {
  start_hog("1ms:" + throwing() + ",op=10 3ms:unload");
  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 2u);
  EXPECT_TRUE(r.replacements[0].ok) << r.replacements[0].reason;
  const report::ReplacementResult& unload = r.replacements[1];
  EXPECT_TRUE(unload.ok);
  EXPECT_EQ(unload.to, "rr");
  EXPECT_EQ(unload.reason, "throwing threw from destroy: throwing: destroy failed");
  expect_active("rr");
  EXPECT_EQ(r.vcpus[0].cpu, ms(10) - r.replacements[0].downtime - unload.downtime);
}

// While it runs: 2 pCPUs, a hog, a vCPU that blocks, wakes and yields, and
// one that leaves at 5 ms; `throwing` is loaded at 1 ms and its `op` throws
// from 3 ms on.
struct RunningOp {
  const char* name;
  int op;
  Cycles earliest_ms;  // its first call at or after 3 ms comes in [earliest, latest)
  Cycles latest_ms;
};
void PrintTo(const RunningOp& o, std::ostream* os) { *os << o.name; }

class RunningOpThrowsTest : public PluginFaultTest, public ::testing::WithParamInterface<RunningOp> {};

TEST_P(RunningOpThrowsTest, EjectedWithTheReasonAndTheRunGoesOnUnderTheDefault) {
  const RunningOp& o = GetParam();
  file("hog.trace", kHog);
  file("chatty.trace", kChatty);
  file("short.trace", kShort);
  build(std::string(kZeroCosts) +
        "[platform]\ncpus = 2\n[sched.rr]\nquantum = 1ms\n[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = "
        "chatty.trace\n[vm.c]\ntrace = short.trace\n[run]\nswap = 1ms:" +
        throwing() + ",quantum=1ms,at=3ms,op=" + std::to_string(o.op) + "\n");

  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 2u);
  EXPECT_TRUE(r.replacements[0].ok) << r.replacements[0].reason;
  EXPECT_EQ(r.replacements[0].to, "throwing");
  const report::ReplacementResult& e = r.replacements[1];
  EXPECT_EQ(e.kind, "eject");
  EXPECT_EQ(e.requester, "watchdog");
  EXPECT_EQ(e.from, "throwing");
  EXPECT_EQ(e.to, "rr") << "the default scheduler is back";
  EXPECT_TRUE(e.ok);
  EXPECT_TRUE(Contains(e.reason, fmt::format("throwing threw from {0}: throwing: {0} failed at cycle", o.name)));
  EXPECT_GE(e.requested_at, ms(static_cast<double>(o.earliest_ms)));
  EXPECT_LT(e.requested_at, ms(static_cast<double>(o.latest_ms))) << "ejected at its first throw";
  EXPECT_EQ(r.scheduler, "rr");
  expect_active("rr");

  // The run goes on under rr: every vCPU still there runs, c had finished.
  report::Results later = advance_to(ms(30));
  EXPECT_EQ(later.elapsed, ms(30));
  EXPECT_GT(later.vcpus[0].cpu, r.vcpus[0].cpu + ms(10)) << "the hog";
  EXPECT_GT(later.vcpus[1].cpu, r.vcpus[1].cpu + ms(2)) << "the vCPU that blocks and yields";
  EXPECT_TRUE(later.vcpus[2].turnaround.has_value()) << "the short vCPU ended";
  EXPECT_EQ(later.replacements.size(), 2u) << "nothing else was ejected";
}

INSTANTIATE_TEST_SUITE_P(Ops, RunningOpThrowsTest,
                         ::testing::Values(RunningOp{"wake", 3, 3, 4}, RunningOp{"block", 4, 3, 4},
                                           RunningOp{"yield", 5, 3, 4}, RunningOp{"tick", 6, 3, 4},
                                           RunningOp{"pick_next", 7, 3, 4}, RunningOp{"priority", 8, 3, 4},
                                           RunningOp{"remove", 9, 5, 8}),
                         [](const ::testing::TestParamInfo<RunningOp>& info) { return std::string(info.param.name); });

// --- the table is checked whole, the err buffers are terminated ---

// Each test is a process of its own: the variant holds for the whole test.
class BadTableLoadTest : public PluginFaultTest {
 protected:
  void TearDown() override {
    unsetenv("VMMSIM_BAD_TABLE");
    PluginFaultTest::TearDown();
  }
  void use(const char* variant) { ASSERT_EQ(setenv("VMMSIM_BAD_TABLE", variant, 1), 0); }
};

TEST_F(BadTableLoadTest, ATableWithADefectIsRefusedBeforeAnythingStops) {
  use("null_params");
  start_hog("1ms:" + bad_table() + " 2ms:bvt");
  report::Results r = advance_to(ms(10));
  ASSERT_EQ(r.replacements.size(), 2u);
  EXPECT_FALSE(r.replacements[0].ok);
  EXPECT_FALSE(r.replacements[0].sequence) << "refused at planning: nothing was called, nothing stopped";
  EXPECT_EQ(r.replacements[0].reason, bad_table() + ": its ops table has params NULL with param_count 2");
  EXPECT_TRUE(r.replacements[1].ok) << "the run goes on: " << r.replacements[1].reason;
  EXPECT_EQ(r.scheduler, "bvt");
}

TEST_F(BadTableLoadTest, AnErrBufferFilledWithoutANulFromCreateIsCutAtItsEnd) {
  use("err_create");
  start_hog("1ms:" + bad_table());
  // 256 bytes of 'X' and no NUL: the VMM reads the first 255.
  expect_failed_load("bad_table failed to start: " + std::string(255, 'X'));
  EXPECT_EQ(m_platform->results().replacements[0].reason, "bad_table failed to start: " + std::string(255, 'X'));
}

TEST_F(BadTableLoadTest, AnErrBufferFilledWithoutANulFromInsertIsCutAtItsEnd) {
  use("err_insert");
  start_hog("1ms:" + bad_table());
  expect_failed_load("bad_table failed to start: inserting a.0: " + std::string(255, 'X'));
  EXPECT_EQ(m_platform->results().replacements[0].reason,
            "bad_table failed to start: inserting a.0: " + std::string(255, 'X'));
}

// A slice past the end of SystemC time (2^62 cycles of 1000 ps) wrapped
// around to "now" and woke its pCPU again and again at one cycle: the run
// never advanced. Now what is due past the horizon is never armed.
TEST_F(BadTableLoadTest, AnIdleSlicePastTheEndOfSimulatedTimeDoesNotStopTheClock) {
  use("huge_idle_slice");
  start_hog("1ms:" + bad_table());
  report::Results r = advance_to(ms(10));
  EXPECT_EQ(r.elapsed, ms(10));
  ASSERT_EQ(r.replacements.size(), 1u);
  EXPECT_TRUE(r.replacements[0].ok) << r.replacements[0].reason;
  EXPECT_EQ(r.scheduler, "bad_table");
  EXPECT_LE(r.vcpus[0].cpu, ms(1)) << "it idles every pCPU from its load on";
}

}  // namespace
