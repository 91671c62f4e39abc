#include "vmm/controller.h"

#include <algorithm>

#include "vmm/vmm.h"

namespace vmmsim::vmm {
namespace {

std::vector<std::string> names_of(const std::vector<Vm>& vms) {
  std::vector<std::string> names;
  for (const Vm& vm : vms) names.push_back(vm.name);
  return names;
}

ControlOp::Kind op_kind(controllers::Action::Kind k) {
  switch (k) {
    case controllers::Action::Kind::Load:
      return ControlOp::Kind::Load;
    case controllers::Action::Kind::Stage:
      return ControlOp::Kind::Stage;
    case controllers::Action::Kind::Revert:
      break;
  }
  return ControlOp::Kind::Unload;  // of the active scheduler: the previous one comes back
}

}  // namespace

Controller::Controller(Vmm& vmm, const controllers::ControllerConfig& config, unsigned cpus,
                       Hertz clock)
    : Observer(false),
      m_vmm(vmm),
      m_config(config),
      m_engine(config.rules, names_of(vmm.vms())),
      m_budget(config.downtime_budget, config.budget_window, clock),
      m_metrics(m_engine.windows(), vmm.vms(), vmm.vcpus().size(), cpus),
      m_fresh(m_engine.windows().size()),
      m_refusing(config.rules.size(), false) {
  for (const controllers::Rule& r : config.rules) {
    report::ControllerRuleResult out;
    out.name = r.name;
    out.metric = controllers::metric_name(r.metric);
    out.scope = r.scope.empty() ? "all" : r.scope;
    out.action = r.action.text;
    out.window = r.window;
    out.min_dwell = r.min_dwell;
    out.above = r.above;
    out.threshold = r.threshold;
    out.rearm = r.rearm;
    out.hysteresis = r.hysteresis;
    m_rules.push_back(std::move(out));
  }
}

void Controller::window_ended(std::size_t w, Cycles now, const MetricCounters& counters,
                              bool readable) {
  std::optional<double> last;
  const std::vector<report::ReplacementResult>& done = m_vmm.replacement().results();
  for (auto it = done.rbegin(); it != done.rend(); ++it)
    if (it->sequence) {
      last = static_cast<double>(it->downtime);
      break;
    }
  controllers::Snapshot s = m_metrics.close(w, now, counters, m_vmm.vcpus(), last);
  if (!readable) {
    ++m_missed;
    return;
  }
  if (m_fresh[w]) ++m_missed;  // the service VM did not come to read the last one
  m_fresh[w] = std::move(s);
  m_waiting = true;
}

Cycles Controller::begin() {
  m_reading.swap(m_fresh);
  m_fresh.assign(m_reading.size(), std::nullopt);
  m_waiting = false;
  m_evaluating = true;
  ++m_evaluations;
  return m_config.evaluation_cost;
}

bool Controller::already_active(const controllers::Rule& rule) const {
  if (rule.action.kind != controllers::Action::Kind::Load) return false;
  const SchedulerImage& active = m_vmm.manager().active().image;
  return rule.action.request.target == active.name ||
         (!active.path.empty() && rule.action.request.target == active.path);
}

ControlOp Controller::op_of(const controllers::Rule& rule, Cycles now, int cpu) const {
  ControlOp op;
  op.kind = op_kind(rule.action.kind);
  op.request = rule.action.request;
  op.requester = kControllerRequester;
  op.requested_at = now;
  op.work_cpu = cpu;  // a stage's transfer runs where the controller does
  return op;
}

report::ControllerDecision Controller::decision_of(const controllers::RuleEngine::Trigger& t,
                                                   const controllers::Snapshot& s,
                                                   Cycles now) const {
  const controllers::Rule& rule = m_engine.rules()[t.rule];
  report::ControllerDecision d;
  d.rule = rule.name;
  d.window_from = s.from;
  d.window_to = s.to;
  d.decided_at = now;
  d.metric = controllers::metric_name(rule.metric);
  if (t.vm >= 0) d.vm = s.vms[static_cast<std::size_t>(t.vm)].name;
  d.value = t.value;
  d.above = rule.above;
  d.threshold = rule.threshold;
  d.action = rule.action.text;
  return d;
}

std::optional<ControlOp> Controller::decide(Cycles now, int cpu) {
  m_evaluating = false;
  std::optional<ControlOp> chosen;
  for (const controllers::RuleEngine::Trigger& t : m_engine.triggers(m_reading)) {
    const controllers::Rule& rule = m_engine.rules()[t.rule];
    report::ControllerRuleResult& counts = m_rules[t.rule];
    if (chosen || already_active(rule)) continue;  // one action per evaluation; nothing to do
    if (!m_unanswered.empty()) {
      ++counts.held_busy;
      continue;
    }
    const bool switching = rule.action.kind != controllers::Action::Kind::Stage;
    if (switching && now - m_vmm.activated_at() < rule.min_dwell) {
      ++counts.held_dwell;
      continue;
    }
    ControlOp op = op_of(rule, now, cpu);
    report::ControllerDecision d = decision_of(t, *m_reading[m_engine.window_of(t.rule)], now);
    if (switching) d.estimated_downtime = m_vmm.replacement().estimate_downtime(op);
    const std::string refused =
        switching ? m_budget.refusal(m_budget.spent(m_vmm.replacement_results(), now),
                                     d.estimated_downtime)
                  : "";
    if (!refused.empty()) {
      // Listed once per run of refusals; the rule stays armed for the budget to allow it later.
      ++counts.refused_budget;
      if (!m_refusing[t.rule]) {
        d.status = "refused";
        d.reason = refused;
        m_decisions.push_back(std::move(d));
      }
      m_refusing[t.rule] = true;
      continue;
    }
    m_refusing[t.rule] = false;
    m_engine.fired(t.rule);
    ++counts.fired;
    d.status = "queued";
    m_unanswered.push_back(m_decisions.size());
    m_decisions.push_back(std::move(d));
    chosen = std::move(op);
  }
  m_reading.assign(m_reading.size(), std::nullopt);
  return chosen;
}

void Controller::answered(std::size_t index) {
  if (m_unanswered.empty()) return;
  m_decisions[m_unanswered.front()].replacement = static_cast<int>(index);
  m_unanswered.pop_front();
}

report::ControllerResult Controller::result(
    const std::vector<report::ReplacementResult>& replacements, Cycles handler_left) const {
  report::ControllerResult r;
  r.evaluation_cost = m_config.evaluation_cost;
  r.evaluations = m_evaluations;
  r.windows_missed = m_missed;
  r.service_cycles = saturating_mul(m_config.evaluation_cost, m_evaluations) - handler_left;
  r.downtime_budget = m_config.downtime_budget;
  r.budget_window = m_config.budget_window;
  r.rules = m_rules;
  r.decisions = m_decisions;
  // The loader serves in order: the oldest unanswered request may be the one under way.
  if (!m_unanswered.empty() && !replacements.empty() && replacements.back().in_progress &&
      replacements.back().requester == kControllerRequester)
    r.decisions[m_unanswered.front()].replacement = static_cast<int>(replacements.size() - 1);
  for (report::ControllerDecision& d : r.decisions) {
    if (d.replacement < 0) continue;
    const report::ReplacementResult& x = replacements[static_cast<std::size_t>(d.replacement)];
    d.downtime = x.downtime;
    d.status = x.in_progress ? "in-progress" : x.ok ? "done" : "failed";
    if (!x.ok && !x.in_progress) d.reason = x.reason;
  }
  return r;
}

}  // namespace vmmsim::vmm
