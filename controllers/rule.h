// A switching controller's rules as [controller] and [controller.rule.NAME]
// give them (docs/controller.md): when a metric of a window crosses a
// threshold, ask the loader to load, stage or revert a scheduler. Plain data.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/units.h"
#include "controllers/metric.h"
#include "workload/trace_program.h"

namespace vmmsim::controllers {

// What a rule asks of the loader: a sched-load, a sched-stage, or a
// sched-unload of the active scheduler (the previous one comes back).
struct Action {
  enum class Kind { Load, Stage, Revert } kind = Kind::Load;
  workload::ControlRequest request;  // Revert: an unload with no target
  std::string text;                  // as written: "load bvt,policy=keep-old"
};

struct Rule {
  std::string name;
  Metric metric = Metric::InputP99;
  std::string scope;  // a VM name; empty = all
  Cycles window = 0;  // the metric's window; evaluated at each of its ends
  bool above = true;  // fires when the metric is above the threshold (else below)
  double threshold = 0;
  // The rule is armed at first; it fires only armed and is then disarmed
  // until the metric crosses back past `rearm` (below it for `above`, above
  // it for `below`). Without hysteresis, rearm == threshold.
  double rearm = 0;
  bool hysteresis = false;  // rearm was given
  Cycles min_dwell = 0;     // no switch until the active scheduler has been active this long
  Action action;
};

struct ControllerConfig {
  std::vector<Rule> rules;  // in the order written
  // Guest cycles of the service VM per evaluation (reading the window's
  // metrics and evaluating every rule due).
  Cycles evaluation_cost = 0;
  Cycles min_dwell = 0;  // the rules' default
  // Downtime allowed per second of simulated time, averaged over
  // budget_window; 0 = no budget.
  Cycles downtime_budget = 0;
  Cycles budget_window = 0;
  // A controller plugin (controllers/controller_abi.h) beside the rules:
  // its path (resolved), its window and its KEY=VALUE arguments. "" none.
  std::string plugin;
  Cycles plugin_window = 0;
  std::vector<std::pair<std::string, std::string>> plugin_args;
};

}  // namespace vmmsim::controllers
