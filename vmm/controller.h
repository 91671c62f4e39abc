// The switching controller the service VM runs (docs/controller.md): at
// each end of a rule's window the VMM closes that window's metrics and
// interrupts the service VM; the service vCPU, when it next runs, reads
// them (a hypercall), evaluates every rule due ([controller]
// evaluation_cost cycles of its own guest time) and answers (a second
// hypercall): at most one action, submitted to the loader as a service
// VM's sched-load, sched-stage or sched-unload is, by requester
// "controller". It watches the VMM as an observer that watches no request
// (no PIT tick becomes simulated for it).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "controllers/controller_plugin.h"
#include "controllers/downtime_budget.h"
#include "controllers/rule_engine.h"
#include "report/results.h"
#include "vmm/controller_windows.h"
#include "vmm/observer.h"
#include "vmm/replacement.h"

namespace vmmsim::vmm {

class Vmm;

inline constexpr const char* kControllerRequester = "controller";

class Controller final : public Observer {
 public:
  Controller(Vmm& vmm, const config::Config& config);

  // The distinct window lengths (the rules', then the plugin's): window w
  // ends every windows()[w] cycles.
  const std::vector<Cycles>& windows() const { return m_windows; }

  void runqueue(Cycles at, std::uint64_t waiting) override { m_metrics.runqueue(at, waiting); }
  void waited(std::size_t vm, Cycles wait) override { m_metrics.waited(vm, wait); }
  void input_served(std::size_t vm, Cycles latency) override {
    m_metrics.input_served(vm, latency);
  }

  // Window `w` ends now: its metrics are closed. `readable`: the service
  // VM can be interrupted to read them (it has arrived and not ended);
  // otherwise the window is missed. A window of that length still unread
  // is replaced, and missed. True if the service VM is to be interrupted:
  // not for a window only a disabled plugin watched.
  bool window_ended(std::size_t w, Cycles now, const MetricCounters& counters, bool readable);
  // The service vCPU must come to a program step for the controller: to
  // begin an evaluation (metrics are waiting) or to answer one whose
  // handler work (`handler_left`) is done.
  bool step_due(Cycles handler_left) const { return m_evaluating ? handler_left == 0 : m_waiting; }
  bool evaluating() const { return m_evaluating; }
  // The service vCPU reads the waiting metrics: the guest cycles the
  // evaluation takes.
  Cycles begin();
  // The evaluation ends at `now` on pCPU `cpu`: the rules triggered, then
  // the plugin, and the action of the first one allowed (dwell, the loader
  // busy with the controller's previous request, the downtime budget), if any.
  std::optional<ControlOp> decide(Cycles now, int cpu);
  // The loader has answered the controller's oldest request: its result is
  // replacement number `index`.
  void answered(std::size_t index);
  // The run's controller results; `replacements` as the results list them,
  // `handler_left` the evaluation cycles not yet run.
  report::ControllerResult result(const std::vector<report::ReplacementResult>& replacements,
                                  Cycles handler_left) const;

 private:
  // Whether `action` would change nothing: a load of the scheduler already active.
  bool already_active(const controllers::Action& action) const;
  ControlOp op_of(const controllers::Action& action, Cycles now, int cpu) const;
  report::ControllerDecision decision_of(const controllers::RuleEngine::Trigger& t,
                                         const controllers::Snapshot& s, Cycles now) const;
  // The gate of every action, a rule's or the plugin's (entry: its place in
  // m_rules): the loader busy with the controller's last request, the dwell,
  // the budget. True if it goes to the loader (listed); a budget refusal
  // is listed once per run of refusals.
  bool admit(std::size_t entry, const ControlOp& op, report::ControllerDecision d, Cycles min_dwell,
             Cycles now);
  // The plugin's answer to its window, if one is due: an action admitted, or
  // none; an answer that cannot be read disables it.
  std::optional<ControlOp> ask_plugin(Cycles now, int cpu);
  // A plugin's request words as an action; "" or why they cannot be read.
  std::string read_action(const controllers::ControllerPlugin::Answer& a,
                          controllers::Action* out) const;

  Vmm& m_vmm;
  const config::Config& m_full;  // image sources, the config's folder
  controllers::ControllerConfig m_config;
  controllers::RuleEngine m_engine;
  std::vector<Cycles> m_windows;
  controllers::ControllerPlugin m_plugin;
  std::size_t m_plugin_window = 0;  // its index in m_windows
  std::size_t m_plugin_entry = 0;   // its place in m_rules (after the rules)
  std::optional<Cycles> m_plugin_disabled_at;
  controllers::DowntimeBudget m_budget;
  MetricWindows m_metrics;
  std::vector<std::optional<controllers::Snapshot>> m_fresh;  // per window: closed, not yet read
  std::vector<std::optional<controllers::Snapshot>>
      m_reading;              // what the evaluation under way read
  bool m_waiting = false;     // m_fresh holds a snapshot
  bool m_evaluating = false;  // begun, not yet answered
  std::uint64_t m_evaluations = 0;
  std::uint64_t m_missed = 0;
  std::vector<report::ControllerRuleResult> m_rules;
  std::vector<bool> m_refusing;  // per rule: its last trigger was refused by the budget
  std::vector<report::ControllerDecision> m_decisions;
  std::deque<std::size_t> m_unanswered;  // decisions with the loader, oldest first
};

}  // namespace vmmsim::vmm
