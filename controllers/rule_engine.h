// The rules' state between windows (docs/controller.md "Hysteresis"): which
// rules are armed, and which of them a window's metrics trigger. What the
// VMM then does with a trigger — dwell, budget, one action per evaluation —
// is vmm::Controller's. Plain C++.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "controllers/metric.h"
#include "controllers/rule.h"

namespace vmmsim::controllers {

class RuleEngine {
 public:
  // `vms`: the VM names in declaration order, to which a rule's scope refers.
  RuleEngine(std::vector<Rule> rules, const std::vector<std::string>& vms);

  const std::vector<Rule>& rules() const { return m_rules; }
  // The distinct window lengths, in order of first use: each ends on its own timer.
  const std::vector<Cycles>& windows() const { return m_windows; }
  std::size_t window_of(std::size_t rule) const { return m_window_of[rule]; }

  // A rule whose condition holds while it is armed, with the value that
  // made it hold and the VM that gave it (-1: machine-wide, or none).
  struct Trigger {
    std::size_t rule;
    double value;
    int vm;
  };
  // Every rule, in the order written, whose window has a snapshot in
  // `latest` (by window index): a disarmed rule whose metric has crossed
  // back past its rearm threshold is armed again; an armed one whose metric
  // is past its threshold triggers. A metric with no value changes nothing.
  std::vector<Trigger> triggers(const std::vector<std::optional<Snapshot>>& latest);
  // The rule acted: disarmed until its metric crosses back.
  void fired(std::size_t rule) { m_armed[rule] = false; }

 private:
  std::vector<Rule> m_rules;
  std::vector<int> m_scope;  // per rule: VM index, -1 all
  std::vector<Cycles> m_windows;
  std::vector<std::size_t> m_window_of;
  std::vector<bool> m_armed;
};

}  // namespace vmmsim::controllers
