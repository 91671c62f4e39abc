// [controller] and [controller.rule.NAME] (docs/controller.md): what they
// resolve to, what they refuse (one line naming the file, line, section, key
// and what is allowed), and --config-out writing them back.
#include <gtest/gtest.h>

#include <sstream>

#include "config/config_writer.h"
#include "tests/config_fixture.h"

using namespace vmmsim;

namespace {

class ControllerConfigTest : public vmmsim::testing::ConfigFiles {
 protected:
  const std::string vms = "[vm.web]\ntrace = one.trace\n[service]\ntrace = one.trace\n";
  const std::string rule =
      "[controller.rule.fast]\nmetric = input_p99\nscope = web\nwindow = 100ms\nabove = "
      "5ms\nhysteresis = 2ms\n"
      "action = load bvt,policy=keep-old,ctx_allow=2ms\n";
  std::string c_ini() const { return path("c.ini"); }
};

TEST_F(ControllerConfigTest, RulesResolve) {
  const config::Config c = config::load_config(write(
      "c.ini",
      vms + "[controller]\nevaluation_cost = 20us\nmin_dwell = 1s\ndowntime_budget = 2ms\n" + rule +
          "[controller.rule.fair]\nmetric = fair_share_ratio\nwindow = 50ms\nbelow = 80%\n"
          "min_dwell = 0\naction = revert\n"));
  ASSERT_TRUE(c.controller);
  const controllers::ControllerConfig& k = *c.controller;
  EXPECT_EQ(k.evaluation_cost, 20000u);
  EXPECT_EQ(k.downtime_budget, 2000000u);
  EXPECT_EQ(k.budget_window, 1000000000u) << "default 1 s";
  ASSERT_EQ(k.rules.size(), 2u);
  const controllers::Rule& fast = k.rules[0];
  EXPECT_EQ(fast.name, "fast");
  EXPECT_EQ(fast.metric, controllers::Metric::InputP99);
  EXPECT_EQ(fast.scope, "web");
  EXPECT_EQ(fast.window, 100000000u);
  EXPECT_TRUE(fast.above);
  EXPECT_EQ(fast.threshold, 5e6);
  EXPECT_EQ(fast.rearm, 2e6);
  EXPECT_TRUE(fast.hysteresis);
  EXPECT_EQ(fast.min_dwell, 1000000000u) << "[controller] min_dwell is the default";
  EXPECT_EQ(fast.action.kind, controllers::Action::Kind::Load);
  EXPECT_EQ(fast.action.request.target, "bvt");
  EXPECT_EQ(fast.action.request.policy, workload::LoadPolicy::KeepOld);
  const controllers::Rule& fair = k.rules[1];
  EXPECT_EQ(fair.scope, "") << "all";
  EXPECT_FALSE(fair.above);
  EXPECT_DOUBLE_EQ(fair.threshold, 0.8);
  EXPECT_EQ(fair.rearm, fair.threshold) << "no hysteresis";
  EXPECT_EQ(fair.min_dwell, 0u);
  EXPECT_EQ(fair.action.kind, controllers::Action::Kind::Revert);
  EXPECT_FALSE(config::load_config(write("d.ini", vms)).controller) << "no section, no controller";
}

TEST_F(ControllerConfigTest, DefaultsAreDocumented) {
  const config::Config c = config::load_config(write("c.ini", vms + rule));
  ASSERT_TRUE(c.controller);
  EXPECT_EQ(c.controller->evaluation_cost, 10000u) << "10 us at 1 GHz";
  EXPECT_EQ(c.controller->min_dwell, 0u);
  EXPECT_EQ(c.controller->downtime_budget, 0u) << "no budget";
}

TEST_F(ControllerConfigTest, BadKeysAndValuesAreOneLineErrors) {
  const std::string c = c_ini();
  auto rule_with = [&](const std::string& keys) {
    return vms + "[controller.rule.r]\nwindow = 10ms\naction = load bvt\n" + keys;
  };
  EXPECT_EQ(error_of(vms + "[controller]\nevaluation = 1\n"),
            c + ":6: [controller] evaluation = '1': unknown key; [controller] allows "
                "enabled, evaluation_cost, min_dwell, downtime_budget, budget_window, plugin, "
                "plugin_window, plugin_args");
  EXPECT_EQ(error_of(vms + "[controller.rules.x]\nmetric = utilisation\n"),
            c + ":6: [controller.rules.x]: unknown controller section; expected [controller] or "
                "[controller.rule.NAME] with NAME of letters, digits, '_' and '-'");
  EXPECT_EQ(error_of(rule_with("metric = latency\nabove = 1\n")),
            c + ":8: [controller.rule.r] metric = 'latency': unknown metric; expected one of "
                "input_p99, wait_p99, "
                "fair_share_ratio, deadline_misses, runqueue_mean, runqueue_max, utilisation, "
                "last_swap_downtime");
  EXPECT_EQ(error_of(rule_with("metric = utilisation\nabove = high\n")),
            c + ":9: [controller.rule.r] above = 'high': expected a decimal of at least 0 for "
                "utilisation, like 0.8 "
                "or 80%");
  EXPECT_EQ(error_of(rule_with("metric = input_p99\nabove = 5\nbelow = 1\n")),
            c + ":6: [controller.rule.r]: both 'above' and 'below'; expected exactly one of them, "
                "the threshold");
  EXPECT_EQ(error_of(rule_with("metric = input_p99\n")),
            c + ":6: [controller.rule.r]: neither of 'above' and 'below'; expected exactly one of "
                "them, the threshold");
  EXPECT_EQ(error_of(rule_with("metric = wait_p99\nabove = 5ms\nhysteresis = 6ms\n")),
            c + ":10: [controller.rule.r] hysteresis = '6ms': expected a threshold to cross back, "
                "at or below the "
                "rule's above = 5ms");
  EXPECT_EQ(error_of(rule_with("metric = wait_p99\nabove = 5ms\nscope = nosuch\n")),
            c + ":10: [controller.rule.r] scope = 'nosuch': no VM has that name; expected all, "
                "web, service");
  EXPECT_EQ(error_of(rule_with("metric = runqueue_max\nabove = 5\nscope = web\n")),
            c + ":10: [controller.rule.r] scope = 'web': runqueue_max is machine-wide; expected "
                "scope = all");
  EXPECT_EQ(
      error_of(
          vms +
          "[controller.rule.r]\nmetric = utilisation\nabove = 1\nwindow = 1ms\naction = reboot\n"),
      c + ":9: [controller.rule.r] action = 'reboot': unknown action; expected load "
          "TARGET[,KEY=VALUE...], "
          "stage TARGET[,KEY=VALUE...] or revert");
  EXPECT_EQ(error_of(rule_with("metric = utilisation\nabove = 1\n") +
                     "[controller.rule.s]\naction = load nosuch\n"),
            c + ":11: [controller.rule.s] action = 'load nosuch': unknown scheduler 'nosuch'; "
                "expected a built-in "
                "(fifo, rr, bvt, credit, credit2, rtds, arinc653, eevdf) or a plugin path (.so)");
  EXPECT_EQ(
      error_of(vms + "[controller.rule.r]\nmetric = utilisation\nabove = 1\naction = revert\n"),
      c + ":6: [controller.rule.r]: missing key 'window'; expected the metric's window, a duration "
          "like 100ms");
  EXPECT_EQ(error_of(vms + "[controller]\nmin_dwell = 1s\n"),
            c + ":6: [controller]: no rule and no plugin; expected at least one "
                "[controller.rule.NAME] section or a plugin");
  EXPECT_EQ(error_of("[vm.web]\ntrace = one.trace\n" + rule),
            c + ":4: [controller.rule.fast]: the controller runs in the service VM, and there is "
                "none; expected a "
                "[service] section");
  EXPECT_EQ(
      error_of(rule_with("metric = utilisation\nabove = 1\n"), {{"controller.rule.r.window", "0"}}),
      "--set: [controller.rule.r] window = '0': expected a duration above 0");
}

TEST_F(ControllerConfigTest, TheResolvedConfigReadsBackTheSame) {
  const config::Config c = config::load_config(write(
      "c.ini", vms + "[controller]\ndowntime_budget = 1ms\nbudget_window = 2s\n" + rule +
                   "[controller.rule.busy]\nmetric = utilisation\nwindow = 10ms\nabove = 92.5%\n"
                   "action = stage credit\n"));
  std::ostringstream first;
  config::write_resolved_config(c, first);
  const config::Config again = config::load_config(write("again.ini", first.str()));
  std::ostringstream second;
  config::write_resolved_config(again, second);
  // The same but for the first line, which names the file read.
  EXPECT_EQ(first.str().substr(first.str().find('\n')),
            second.str().substr(second.str().find('\n')));
  ASSERT_TRUE(again.controller);
  EXPECT_EQ(again.controller->rules[1].threshold, 0.925);
  EXPECT_NE(first.str().find(
                "[controller.rule.fast]\nmetric = input_p99\nscope = web\nwindow = 100000000\n"
                "above = 5000000\nhysteresis = 2000000\nmin_dwell = 0\n"
                "action = load bvt,policy=keep-old,ctx_allow=2ms\n"),
            std::string::npos)
      << first.str();
}

}  // namespace

namespace {

TEST_F(ControllerConfigTest, APluginIsAFileWithAWindow) {
  write("guard.so", "");  // a plugin only needs to exist to be named
  const config::Config c =
      config::load_config(write("c.ini", vms + "[controller]\nplugin = guard.so\nplugin_window = "
                                               "50ms\nplugin_args = vm=web \"note=a b\"\n"));
  ASSERT_TRUE(c.controller) << "a plugin and no rule";
  EXPECT_EQ(c.controller->plugin, path("guard.so"));
  EXPECT_EQ(c.controller->plugin_window, 50000000u);
  ASSERT_EQ(c.controller->plugin_args.size(), 2u);
  EXPECT_EQ(c.controller->plugin_args[1], (std::pair<std::string, std::string>{"note", "a b"}));
  std::ostringstream resolved;
  config::write_resolved_config(c, resolved);
  EXPECT_NE(resolved.str().find("plugin = " + path("guard.so") +
                                "\nplugin_window = 50000000\n"
                                "plugin_args = vm=web \"note=a b\"\n"),
            std::string::npos)
      << resolved.str();
  const std::string e = c_ini();
  EXPECT_EQ(error_of(vms + "[controller]\nplugin = gone.so\nplugin_window = 1ms\n"),
            e + ":6: [controller] plugin = 'gone.so': controller plugin file not found (" +
                path("gone.so") + "); expected an existing plugin file (.so)");
  EXPECT_EQ(error_of(vms + "[controller]\nplugin = guard.so\n"),
            e + ":6: [controller]: missing key 'plugin_window'; expected the plugin's window, a "
                "duration like 100ms");
  EXPECT_EQ(
      error_of(vms + "[controller]\nplugin = guard.so\nplugin_window = 1ms\nplugin_args = quiet\n"),
      e + ":8: [controller] plugin_args = 'quiet': 'quiet' is not KEY=VALUE; expected KEY=VALUE "
          "words");
}

// An action reads as every other key's value: quoted whole, it is the
// unquoted text; a quoted word inside keeps its blanks.
TEST_F(ControllerConfigTest, AnActionQuotedWholeReadsUnquoted) {
  for (const std::string& action :
       {std::string("\"load bvt,policy=keep-old\""), std::string("\"load\" bvt,policy=keep-old"),
        std::string("load \"bvt\",policy=keep-old")}) {
    const config::Config c = config::load_config(
        write("c.ini", vms + "[controller.rule.r]\nmetric = utilisation\nwindow = 10ms\nabove = "
                             "1\naction = " + action + "\n"));
    ASSERT_TRUE(c.controller) << action;
    const controllers::Action& a = c.controller->rules[0].action;
    EXPECT_EQ(a.kind, controllers::Action::Kind::Load) << action;
    EXPECT_EQ(a.request.target, "bvt") << action;
    EXPECT_EQ(a.request.policy, workload::LoadPolicy::KeepOld) << action;
    EXPECT_EQ(a.text, "load bvt,policy=keep-old") << action;
  }
  EXPECT_EQ(error_of(vms + "[controller.rule.r]\nmetric = utilisation\nwindow = 10ms\nabove = "
                           "1\naction = \"revert\"\n"),
            "");
  EXPECT_EQ(error_of(vms + "[controller.rule.r]\nmetric = utilisation\nwindow = 10ms\nabove = "
                           "1\naction = \"reboot now\"\n"),
            c_ini() + ":9: [controller.rule.r] action = 'reboot now': unknown action; expected load "
                      "TARGET[,KEY=VALUE...], stage TARGET[,KEY=VALUE...] or revert");
}

// A plugin's window or arguments without a plugin would be dropped unseen:
// refused, naming the key.
TEST_F(ControllerConfigTest, PluginKeysNeedAPlugin) {
  const std::string e = c_ini();
  EXPECT_EQ(error_of(vms + "[controller]\nplugin_window = 50ms\n" + rule),
            e + ":6: [controller] plugin_window = '50ms': no plugin to give it to; expected "
                "plugin = FILE with it");
  EXPECT_EQ(error_of(vms + rule + "[controller]\nplugin_args = vm=web\n"),
            e + ":13: [controller] plugin_args = 'vm=web': no plugin to give it to; expected "
                "plugin = FILE with it");
  EXPECT_EQ(error_of(vms + rule, {{"controller.plugin_window", "1ms"}}),
            "--set: [controller] plugin_window = '1ms': no plugin to give it to; expected "
            "plugin = FILE with it");
}

// A config named by a relative path gives relative paths; --config-out
// writes the plugin's absolute, as it does traces and image paths, so that
// the resolved file replays from wherever it is written.
TEST_F(ControllerConfigTest, TheResolvedConfigNamesThePluginByItsAbsolutePath) {
  write("guard.so", "");
  write("c.ini", vms + "[controller]\nplugin = guard.so\nplugin_window = 50ms\n");
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(m_dir);
  const config::Config c = config::load_config("c.ini");
  std::ostringstream resolved;
  config::write_resolved_config(c, resolved);
  std::filesystem::current_path(cwd);
  ASSERT_TRUE(c.controller);
  EXPECT_NE(resolved.str().find("\nplugin = " + path("guard.so") + "\n"), std::string::npos)
      << resolved.str();
}

}  // namespace
