// A switching controller for a soak scenario (docs/controller.md): now and
// then, rules with a random metric, threshold, window and action (load,
// stage, revert), and sometimes the latency_guard plugin, so that the
// invariant checks run with replacements the controller asks for. Plain C++.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmmsim::soak {

struct ControllerPlan {
  unsigned rules = 0;
  bool plugin = false;
  std::string ini;  // the [controller] sections, "" for none
};

// From a stream of its own (a seed's other choices stay what they were);
// `guests` names the guest VMs, `plugins` holds vmmsim_latency_guard.so.
ControllerPlan random_controller(std::uint64_t seed, const std::vector<std::string>& guests,
                                 const std::string& plugins);

}  // namespace vmmsim::soak
