// The randomized soak's scenario generator (docs/robustness.md, "Randomized
// soak"): from a seed, a platform, random guest workloads, guest faults and
// a random sequence of scheduler loads, unloads, failing loads and
// misbehaving plugins, from the service VM, from the command line and now
// and then from a switching controller.
// Plain C++ (no SystemC): the same seed and plugin folder give the same
// bytes on every machine (workload::Rng, no std distributions).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"

namespace vmmsim::soak {

// What the generator put in, for the summary line.
struct ScenarioPlan {
  unsigned cpus = 0;
  std::string scheduler;   // the default
  std::string activation;  // vmm.activation
  unsigned guest_vms = 0;
  unsigned faulty_vms = 0;         // guest VMs whose program ends in `fault`
  unsigned service_requests = 0;   // sched-load/sched-unload steps
  unsigned cli_requests = 0;       // [run] swap entries
  unsigned shadow_requests = 0;    // sched-shadow/sched-unshadow steps and [run] shadow entries
  unsigned controller_rules = 0;   // [controller.rule.NAME] sections
  bool controller_plugin = false;  // [controller] plugin = latency_guard
};

struct Scenario {
  std::uint64_t seed = 0;
  // File name -> text: "soak.ini" (the config) and the traces it names, all
  // in one folder. `vmmsim run soak.ini` replays it without the checker.
  std::vector<std::pair<std::string, std::string>> files;
  Cycles until = 0;  // simulated cycles to run (also [run] until)
  ScenarioPlan plan;
};

inline constexpr const char* kScenarioConfig = "soak.ini";

// `plugin_dir` holds vmmsim_<name>.so (lottery, broken, wrong_abi,
// no_entry, null_table, hostile_strings, throwing, latency_guard); its path appears in the scenario.
Scenario make_scenario(std::uint64_t seed, const std::string& plugin_dir);

}  // namespace vmmsim::soak
