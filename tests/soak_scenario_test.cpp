// The soak's scenario generator: the same seed gives the same scenario,
// byte for byte, and every scenario is a valid configuration; across seeds
// it reaches every policy, activation mechanism and kind of failing load.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "config/config_parser.h"
#include "soak/scenario.h"

using vmmsim::soak::make_scenario;
using vmmsim::soak::Scenario;

namespace {

std::string all_text(const Scenario& s) {
  std::string t;
  for (const auto& [name, text] : s.files) t += "== " + name + "\n" + text;
  return t;
}

TEST(SoakScenario, SameSeedSameBytes) {
  for (std::uint64_t seed : {0ull, 1ull, 42ull, 123456789ull}) {
    Scenario a = make_scenario(seed, "/plugins"), b = make_scenario(seed, "/plugins");
    EXPECT_EQ(all_text(a), all_text(b)) << "seed " << seed;
    EXPECT_EQ(a.until, b.until);
  }
  EXPECT_NE(all_text(make_scenario(1, "/plugins")), all_text(make_scenario(2, "/plugins")));
}

TEST(SoakScenario, EveryScenarioIsAValidConfig) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vmmsim_soak_scenario_" + std::to_string(::getpid()));
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "plugins");
    // A plugin a load names must exist when the config is read (not more).
    for (const char* name : {"lottery", "broken", "wrong_abi", "no_entry", "null_table", "hostile_strings", "throwing",
                             "latency_guard"})
      std::ofstream(dir / "plugins" / (std::string("vmmsim_") + name + ".so")).put('\0');
    Scenario s = make_scenario(seed, (dir / "plugins").string());
    for (const auto& [name, text] : s.files) std::ofstream(dir / name) << text;
    vmmsim::config::Config c;
    ASSERT_NO_THROW(c = vmmsim::config::load_config((dir / vmmsim::soak::kScenarioConfig).string()))
        << "seed " << seed << "\n" << all_text(s);
    EXPECT_EQ(c.until, s.until);
    EXPECT_EQ(c.platform.cpus, s.plan.cpus);
    EXPECT_EQ(c.vmm.scheduler, s.plan.scheduler);
    EXPECT_EQ(c.swaps.size(), s.plan.cli_requests);
    EXPECT_EQ(c.controller.has_value(), s.plan.controller_rules > 0 || s.plan.controller_plugin);
  }
  std::filesystem::remove_all(dir);
}

TEST(SoakScenario, SeedsReachEveryPolicyMechanismAndFailure) {
  std::set<std::string> schedulers, activations;
  std::string text;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    Scenario s = make_scenario(seed, "/plugins");
    schedulers.insert(s.plan.scheduler);
    activations.insert(s.plan.activation);
    text += all_text(s);
  }
  EXPECT_EQ(schedulers.size(), 8u);
  EXPECT_EQ(activations.size(), 4u);
  for (const char* part : {"sched-load fifo", "sched-load rr", "sched-load bvt", "sched-load credit ",
                           "sched-load credit2", "sched-load rtds", "sched-load arinc653", "sched-load eevdf",
                           "/plugins/vmmsim_lottery.so", "/plugins/vmmsim_wrong_abi.so", "/plugins/vmmsim_no_entry.so",
                           "/plugins/vmmsim_null_table.so", "/plugins/vmmsim_hostile_strings.so", "notaplugin.so",
                           "sched-load empty.so", "fault=1", "fault=4", "fault=5", "fault=6", "policy=keep-old",
                           "policy=unload-old", "policy=auto", "policy=unload-after", "source=disk", "source=web",
                           "[image_source.web]", "image_area = 24KiB", "slice_timer = pit\n", "focus = scheduled\n", "vmmsim_lottery.so quantum=", "sched-unload\n", "sched-unload lottery", "nosuch=1",
                           ":unload", "  fault\n", "[controller]\n", "[controller.rule.r1]\n",
                           "vmmsim_latency_guard.so\n", "action = revert\n", "action = stage ",
                           "action = load ", "hysteresis = ", "downtime_budget = "})
    EXPECT_NE(text.find(part), std::string::npos) << part;
}

}  // namespace
