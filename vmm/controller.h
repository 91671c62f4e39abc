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
  Controller(Vmm& vmm, const controllers::ControllerConfig& config, unsigned cpus, Hertz clock);

  // The distinct window lengths: window w ends every windows()[w] cycles.
  const std::vector<Cycles>& windows() const { return m_engine.windows(); }

  void runqueue(Cycles at, std::uint64_t waiting) override { m_metrics.runqueue(at, waiting); }
  void waited(std::size_t vm, Cycles wait) override { m_metrics.waited(vm, wait); }
  void input_served(std::size_t vm, Cycles latency) override {
    m_metrics.input_served(vm, latency);
  }

  // Window `w` ends now: its metrics are closed. `readable`: the service
  // VM can be interrupted to read them (it has arrived and not ended);
  // otherwise the window is missed. A window of that length still unread
  // is replaced, and missed.
  void window_ended(std::size_t w, Cycles now, const MetricCounters& counters, bool readable);
  // The service vCPU must come to a program step for the controller: to
  // begin an evaluation (metrics are waiting) or to answer one whose
  // handler work (`handler_left`) is done.
  bool step_due(Cycles handler_left) const { return m_evaluating ? handler_left == 0 : m_waiting; }
  bool evaluating() const { return m_evaluating; }
  // The service vCPU reads the waiting metrics: the guest cycles the
  // evaluation takes.
  Cycles begin();
  // The evaluation ends at `now` on pCPU `cpu`: the rules triggered, and the
  // action of the first one allowed (dwell, the loader busy with the
  // controller's previous request, the downtime budget), if any.
  std::optional<ControlOp> decide(Cycles now, int cpu);
  // The loader has answered the controller's oldest request: its result is
  // replacement number `index`.
  void answered(std::size_t index);
  // The run's controller results; `replacements` as the results list them,
  // `handler_left` the evaluation cycles not yet run.
  report::ControllerResult result(const std::vector<report::ReplacementResult>& replacements,
                                  Cycles handler_left) const;

 private:
  // Whether the action of `rule` would change nothing: a load of the scheduler already active.
  bool already_active(const controllers::Rule& rule) const;
  ControlOp op_of(const controllers::Rule& rule, Cycles now, int cpu) const;
  report::ControllerDecision decision_of(const controllers::RuleEngine::Trigger& t,
                                         const controllers::Snapshot& s, Cycles now) const;

  Vmm& m_vmm;
  controllers::ControllerConfig m_config;
  controllers::RuleEngine m_engine;
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
