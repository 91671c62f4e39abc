#include "controllers/rule_engine.h"

#include <algorithm>

namespace vmmsim::controllers {

RuleEngine::RuleEngine(std::vector<Rule> rules, const std::vector<std::string>& vms)
    : m_rules(std::move(rules)), m_armed(m_rules.size(), true) {
  for (const Rule& r : m_rules) {
    auto vm = std::find(vms.begin(), vms.end(), r.scope);
    m_scope.push_back(r.scope.empty() || vm == vms.end() ? -1 : static_cast<int>(vm - vms.begin()));
    auto w = std::find(m_windows.begin(), m_windows.end(), r.window);
    if (w == m_windows.end()) w = m_windows.insert(m_windows.end(), r.window);
    m_window_of.push_back(static_cast<std::size_t>(w - m_windows.begin()));
  }
}

std::vector<RuleEngine::Trigger> RuleEngine::triggers(
    const std::vector<std::optional<Snapshot>>& latest) {
  std::vector<Trigger> out;
  for (std::size_t i = 0; i < m_rules.size(); ++i) {
    const std::optional<Snapshot>& s = latest[m_window_of[i]];
    if (!s) continue;
    const Rule& r = m_rules[i];
    int vm = -1;
    const std::optional<double> value = metric_value(*s, r.metric, m_scope[i], &vm);
    if (!value) continue;
    // Past the threshold: strictly; back past rearm: to it or beyond.
    const bool past = r.above ? *value > r.threshold : *value < r.threshold;
    const bool back = r.above ? *value <= r.rearm : *value >= r.rearm;
    if (!m_armed[i] && back) m_armed[i] = true;
    if (m_armed[i] && past) out.push_back({i, *value, m_scope[i] >= 0 ? m_scope[i] : vm});
  }
  return out;
}

}  // namespace vmmsim::controllers
