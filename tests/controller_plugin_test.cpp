// Controller plugins (docs/controller.md "Controller plugins"): the example
// latency_guard decides as a rule would and is reported with its own words;
// a plugin that throws, answers garbage, fails, or is no controller plugin
// at all is disabled with the reason, and the run and the rules go on.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

std::string plugin(const std::string& name) {
  return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_" + name + ".so";
}

// configs/controller.ini's shell and batch job under rr, with latency_guard
// on the shell (and `more` after it).
std::string guard_config(const std::string& more) {
  const std::string traces = std::string(VMMSIM_SOURCE_DIR) + "/traces/";
  return "[platform]\ncpus = 1\n[console]\nfocus = shell\ninput_start = 5ms\ninput_every = 20ms\n"
         "[vm.shell]\ntrace = " +
         traces +
         "interactive.trace\nwarp = 20ms\nwarp_limit = 5ms\nunwarp_min = 10ms\n"
         "[vm.batch]\ntrace = " +
         traces + "batch.trace\n[service]\ntrace = " + traces +
         "service.trace\n[controller]\nplugin = " + plugin("latency_guard") +
         "\nplugin_window = 100ms\nplugin_args = vm=shell target=bvt high_us=2000\n" + more;
}

class ControllerPluginTest : public vmmsim::testing::SimTest {};

// The shell and the batch job of configs/controller.ini under rr: in the
// first 100 ms window the shell's keystroke latency p99 is 7.96 ms, past
// latency_guard's 2 ms; the service VM gets the pCPU 3.2 ms later and the
// plugin's load of BVT follows.
TEST_F(ControllerPluginTest, TheExamplePluginDecidesAndSaysWhy) {
  build(guard_config(""));
  m_platform->run(ms(200));
  const report::Results r = m_platform->results();
  ASSERT_TRUE(r.controller);
  const report::ControllerResult& c = *r.controller;
  EXPECT_EQ(c.plugin_name, "latency_guard");
  EXPECT_EQ(c.plugin_disabled, "");
  ASSERT_EQ(c.decisions.size(), 1u);
  const report::ControllerDecision& d = c.decisions[0];
  EXPECT_EQ(d.rule, "plugin:latency_guard");
  EXPECT_EQ(d.window_to, ms(100));
  EXPECT_EQ(d.decided_at, 103207644u);
  EXPECT_EQ(d.note, "shell input p99 7962624 cycles > 2000000");
  EXPECT_EQ(d.action, "load bvt,policy=keep-old");
  EXPECT_EQ(d.status, "done");
  ASSERT_EQ(d.replacement, 0);
  EXPECT_EQ(r.replacements[0].to, "bvt");
  EXPECT_EQ(r.replacements[0].policy, "keep-old");
  EXPECT_EQ(c.rules.back().name, "plugin:latency_guard");
  EXPECT_EQ(c.rules.back().fired, 1u);
}

// The same window, with a rule on it that loads credit: the rule acts
// first, and the plugin's load of BVT in the same evaluation is held as
// busy (the rule's request is with the loader), counted, not dropped.
TEST_F(ControllerPluginTest, APluginsActionAfterARulesIsHeldAsBusy) {
  build(guard_config(
      "[controller.rule.slow]\nmetric = input_p99\nscope = shell\nwindow = 100ms\nabove = "
      "2ms\naction = load credit\n"));
  m_platform->run(ms(150));
  const report::Results r = m_platform->results();
  ASSERT_TRUE(r.controller);
  const report::ControllerResult& c = *r.controller;
  ASSERT_EQ(c.decisions.size(), 1u);
  EXPECT_EQ(c.decisions[0].rule, "slow");
  EXPECT_EQ(c.decisions[0].decided_at, 103207644u);
  ASSERT_EQ(c.rules.size(), 2u);
  EXPECT_EQ(c.rules[0].fired, 1u);
  EXPECT_EQ(c.rules[1].name, "plugin:latency_guard");
  EXPECT_EQ(c.rules[1].fired, 0u);
  EXPECT_EQ(c.rules[1].held_busy, 1u) << "the plugin's load in the rule's evaluation";
}

// Two pCPUs; a guest arrives at 50 ms, so a rule on utilisation fires at
// the 60 ms window end. The plugin's window is 10 ms; each faulty plugin
// breaks its contract at its third window (decided at 30 ms + the 5000
// cycles of the evaluation), or cannot be opened at all (disabled at 0).
struct Fault {
  const char* name;
  std::string path;
  const char* args;
  std::string reason;
  Cycles disabled_at;
};

void PrintTo(const Fault& f, std::ostream* os) { *os << f.name; }

class ControllerPluginFaultTest : public ControllerPluginTest,
                                  public ::testing::WithParamInterface<Fault> {};

TEST_P(ControllerPluginFaultTest, AMisbehavingPluginIsDisabledWithTheReasonAndTheRunGoesOn) {
  const Fault& f = GetParam();
  file("late.trace", "vcpu 0\n  arrive 50ms\n  run 1s\n");
  file("service.trace", "vcpu 0\n  sleep 100s\n");
  file("not_a_plugin.so", "this is text\n");
  const std::string path = f.path.empty() ? (m_dir / "not_a_plugin.so").string() : f.path;
  build(std::string(kZeroCosts) +
        "[platform]\ncpus = 2\n[vm.late]\ntrace = late.trace\n[service]\ntrace = service.trace\n"
        "[controller]\nevaluation_cost = 5000\nplugin = " +
        path + "\nplugin_window = 10ms\nplugin_args = " + f.args +
        "\n[controller.rule.busy]\nmetric = utilisation\nwindow = 20ms\nabove = 0.2\naction = load "
        "fifo\n");
  m_platform->run(ms(100));
  const report::Results r = m_platform->results();
  EXPECT_EQ(r.elapsed, ms(100)) << "the run went on";
  ASSERT_TRUE(r.controller);
  const report::ControllerResult& c = *r.controller;
  EXPECT_NE(c.plugin_disabled.find(f.reason), std::string::npos) << c.plugin_disabled;
  ASSERT_TRUE(c.plugin_disabled_at);
  EXPECT_EQ(*c.plugin_disabled_at, f.disabled_at);
  ASSERT_EQ(c.decisions.size(), 1u) << "the rules go on";
  EXPECT_EQ(c.decisions[0].rule, "busy");
  EXPECT_EQ(c.decisions[0].window_to, ms(60));
  EXPECT_EQ(c.decisions[0].status, "done");
}

const Cycles kThird = 30000000 + 5000;

INSTANTIATE_TEST_SUITE_P(
    Faults, ControllerPluginFaultTest,
    ::testing::Values(Fault{"throws", plugin("controller_throwing"), "",
                            "decide threw: controller_throwing: a bad window", kThird},
                      Fault{"kind", plugin("controller_garbage"), "mode=kind",
                            "decide answered action kind 77; expected 0 (none) to 3 (revert)",
                            kThird},
                      Fault{"request", plugin("controller_garbage"), "mode=request",
                            "decide answered load 'policy=keep-old': ", kThird},
                      Fault{"fails", plugin("controller_garbage"), "mode=fail",
                            "decide failed: window 3: gave up", kThird},
                      Fault{"create", plugin("latency_guard"), "bogus=1",
                            "create failed: bad argument bogus=1", 0},
                      Fault{"vm", plugin("latency_guard"), "vm=nosuch",
                            "create failed: vm=nosuch: no VM has that name; expected one of late, "
                            "service",
                            0},
                      Fault{"target", plugin("latency_guard"), "vm=late target=bvt,policy=replace",
                            "create failed: target=bvt,policy=replace; expected one scheduler's "
                            "name",
                            0},
                      Fault{"scheduler", plugin("lottery"), "",
                            "not a controller plugin (no 'vmmsim_controller' entry point)", 0},
                      Fault{"text", "", "", "not a loadable plugin", 0}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
