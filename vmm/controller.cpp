#include "vmm/controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "base/text.h"
#include "config/control_checks.h"
#include "vmm/vmm.h"
#include "workload/control_request.h"

namespace vmmsim::vmm {
namespace {

// The rules' windows, then the plugin's if it is another.
std::vector<Cycles> windows_of(const controllers::RuleEngine& engine,
                               const controllers::ControllerConfig& c) {
  std::vector<Cycles> windows = engine.windows();
  if (!c.plugin.empty() &&
      std::find(windows.begin(), windows.end(), c.plugin_window) == windows.end())
    windows.push_back(c.plugin_window);
  return windows;
}

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

Controller::Controller(Vmm& vmm, const config::Config& config)
    : Observer(false, overridden_hooks<Controller>()),
      m_vmm(vmm),
      m_full(config),
      m_config(*config.controller),
      m_engine(m_config.rules, names_of(vmm.vms())),
      m_windows(windows_of(m_engine, m_config)),
      m_budget(m_config.downtime_budget, m_config.budget_window, config.platform.clock),
      m_metrics(m_windows, vmm.vms(), vmm.vcpus().size(), config.platform.cpus),
      m_fresh(m_windows.size()),
      m_refusing(m_config.rules.size() + 1, false) {
  for (const controllers::Rule& r : m_config.rules) {
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
  if (m_config.plugin.empty()) return;
  m_plugin_window = static_cast<std::size_t>(
      std::find(m_windows.begin(), m_windows.end(), m_config.plugin_window) - m_windows.begin());
  m_plugin.open(m_config.plugin,
                {config.platform.cpus, config.platform.clock, m_config.plugin_window,
                 names_of(vmm.vms()), m_config.plugin_args});
  if (!m_plugin.on()) m_plugin_disabled_at = 0;
  m_plugin_entry = m_rules.size();
  report::ControllerRuleResult out;
  out.name = "plugin:" + m_plugin.name();
  out.metric = "plugin";
  out.scope = "all";
  out.action = m_config.plugin;
  out.window = m_config.plugin_window;
  out.min_dwell = m_config.min_dwell;
  m_rules.push_back(std::move(out));
}

bool Controller::window_ended(std::size_t w, Cycles now, const MetricCounters& counters,
                              bool readable) {
  std::optional<double> last;
  const std::vector<report::ReplacementResult>& done = m_vmm.replacement().results();
  for (auto it = done.rbegin(); it != done.rend(); ++it)
    if (it->sequence) {
      last = static_cast<double>(it->downtime);
      break;
    }
  controllers::Snapshot s = m_metrics.close(w, now, counters, m_vmm.vcpus(), last);
  const bool watched =
      (w == m_plugin_window && m_plugin.on()) ||
      std::any_of(m_config.rules.begin(), m_config.rules.end(),
                  [&](const controllers::Rule& r) { return r.window == m_windows[w]; });
  if (!watched) return false;
  if (!readable) {
    ++m_missed;
    return false;
  }
  if (m_fresh[w]) ++m_missed;  // the service VM did not come to read the last one
  m_fresh[w] = std::move(s);
  m_waiting = true;
  return true;
}

Cycles Controller::begin() {
  m_reading.swap(m_fresh);
  m_fresh.assign(m_reading.size(), std::nullopt);
  m_waiting = false;
  m_evaluating = true;
  ++m_evaluations;
  return m_config.evaluation_cost;
}

bool Controller::already_active(const controllers::Action& action) const {
  if (action.kind != controllers::Action::Kind::Load) return false;
  const SchedulerImage& active = m_vmm.manager().active().image;
  return action.request.target == active.name ||
         (!active.path.empty() && action.request.target == active.path);
}

ControlOp Controller::op_of(const controllers::Action& action, Cycles now, int cpu) const {
  ControlOp op;
  op.kind = op_kind(action.kind);
  op.request = action.request;
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

bool Controller::admit(std::size_t entry, const ControlOp& op, report::ControllerDecision d,
                       Cycles min_dwell, Cycles now) {
  report::ControllerRuleResult& counts = m_rules[entry];
  if (!m_unanswered.empty()) {
    ++counts.held_busy;
    return false;
  }
  const bool switching = op.kind != ControlOp::Kind::Stage;
  if (switching && now - m_vmm.activated_at() < min_dwell) {
    ++counts.held_dwell;
    return false;
  }
  if (switching) d.estimated_downtime = m_vmm.replacement().estimate_downtime(op);
  const std::string refused =
      switching
          ? m_budget.refusal(m_budget.spent(m_vmm.replacement_results(), now), d.estimated_downtime)
          : "";
  if (!refused.empty()) {
    // The rule stays armed for the budget to allow it later.
    ++counts.refused_budget;
    if (!m_refusing[entry]) {
      d.status = "refused";
      d.reason = refused;
      m_decisions.push_back(std::move(d));
    }
    m_refusing[entry] = true;
    return false;
  }
  m_refusing[entry] = false;
  ++counts.fired;
  d.status = "queued";
  m_unanswered.push_back(m_decisions.size());
  m_decisions.push_back(std::move(d));
  return true;
}

std::optional<ControlOp> Controller::decide(Cycles now, int cpu) {
  m_evaluating = false;
  std::optional<ControlOp> chosen;
  for (const controllers::RuleEngine::Trigger& t : m_engine.triggers(m_reading)) {
    const controllers::Rule& rule = m_engine.rules()[t.rule];
    if (chosen || already_active(rule.action))
      continue;  // one action per evaluation; nothing to do
    ControlOp op = op_of(rule.action, now, cpu);
    if (!admit(t.rule, op, decision_of(t, *m_reading[m_engine.window_of(t.rule)], now),
               rule.min_dwell, now))
      continue;
    m_engine.fired(t.rule);
    chosen = std::move(op);
  }
  if (std::optional<ControlOp> op = ask_plugin(now, cpu)) chosen = std::move(op);
  m_reading.assign(m_reading.size(), std::nullopt);
  return chosen;
}

// The plugin sees each of its windows, even when a rule has acted (it may
// keep state); its action is then held as busy, the rule's request being
// with the loader, and counted so.
std::optional<ControlOp> Controller::ask_plugin(Cycles now, int cpu) {
  if (!m_plugin.on() || !m_reading[m_plugin_window]) return std::nullopt;
  const controllers::Snapshot& s = *m_reading[m_plugin_window];
  std::optional<controllers::ControllerPlugin::Answer> answer =
      m_plugin.decide(s, m_vmm.manager().active().image.name, m_vmm.activated_at());
  controllers::Action action;
  if (answer && answer->kind != VMM_CTL_NONE) {
    const std::string why = read_action(*answer, &action);
    if (!why.empty()) m_plugin.disable(why);
  }
  if (!m_plugin.on()) {
    m_plugin_disabled_at = now;
    return std::nullopt;
  }
  if (answer->kind == VMM_CTL_NONE || already_active(action)) return std::nullopt;
  report::ControllerDecision d;
  d.rule = m_rules[m_plugin_entry].name;
  d.window_from = s.from;
  d.window_to = s.to;
  d.decided_at = now;
  d.action = action.text;
  d.note = answer->note;
  ControlOp op = op_of(action, now, cpu);
  if (!admit(m_plugin_entry, op, std::move(d), m_config.min_dwell, now)) return std::nullopt;
  return op;
}

std::string Controller::read_action(const controllers::ControllerPlugin::Answer& a,
                                    controllers::Action* out) const {
  using Kind = workload::ControlRequest::Kind;
  const char* verbs[] = {"", "load", "stage", "revert"};  // vmm_ctl_action_kind_t's order
  out->text = a.request.empty() ? verbs[a.kind] : std::string(verbs[a.kind]) + " " + a.request;
  if (a.kind == VMM_CTL_REVERT) {
    out->kind = controllers::Action::Kind::Revert;
    out->request.kind = Kind::Unload;
    return a.request.empty()
               ? ""
               : fmt::format("decide answered revert with request '{}'; expected none",
                             printable(a.request));
  }
  out->kind =
      a.kind == VMM_CTL_LOAD ? controllers::Action::Kind::Load : controllers::Action::Kind::Stage;
  std::vector<std::string> words;
  std::string why;
  if (!config::control_words(a.request, &words, &why) || words.empty()) {
    if (why.empty()) why = "no scheduler named";
  } else {
    const std::string base_dir = std::filesystem::path(m_full.file).parent_path().string();
    why = workload::parse_control(a.kind == VMM_CTL_LOAD ? Kind::Load : Kind::Stage,
                                  std::vector<std::string_view>(words.begin(), words.end()),
                                  base_dir, &out->request);
    if (why.empty()) why = config::hopeless_load(out->request);
    if (why.empty()) why = config::unknown_source(out->request, m_full.image_sources);
  }
  return why.empty()
             ? ""
             : fmt::format("decide answered {} '{}': {}", verbs[a.kind], printable(a.request), why);
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
  if (!m_config.plugin.empty()) {
    r.plugin = m_config.plugin;
    r.plugin_name = m_plugin.name();
    r.plugin_disabled = m_plugin.disabled();
    r.plugin_disabled_at = m_plugin_disabled_at;
  }
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
