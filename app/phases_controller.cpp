#include "app/phases_controller.h"

#include <fmt/format.h>

#include "base/input_error.h"
#include "config/ini_syntax.h"

namespace vmmsim::app {
namespace {

// The rules' window: a batch phase is told within one, and a window holds
// some keystrokes and periods of the other phases (--think 100ms, --period 10ms).
constexpr const char* kWindow = "100ms";
// calm: less than half a vCPU waiting on average, the queue of a phase whose
// vCPUs all have a pCPU (the shell and the periodic jobs block between bursts).
constexpr const char* kCalmBelow = "0.5";

// busy: three quarters of the vCPUs a batch phase queues (exact: a multiple of 0.25).
double busy_above(const PhasesController& c) { return (c.batch_vcpus - c.cpus) * 0.75; }

}  // namespace

PhasesController phases_controller(const workload::PhaseWorkload& w,
                                   const workload::GeneratorSpec& spec) {
  PhasesController c;
  c.cpus = spec.cpus;
  for (const workload::PhaseWindow& win : w.windows)
    if (win.kind == workload::PhaseKind::Batch) c.batch_vcpus = win.batch_count;
  if (c.batch_vcpus == 0)
    throw InputError(
        "--controller: no batch phase in --phases; expected one (the controller tells a batch "
        "phase by the vCPUs it queues)");
  if (c.batch_vcpus <= c.cpus)
    throw InputError(fmt::format(
        "--controller: a batch phase's {} vCPU{} on --cpus {} queue{} none; expected "
        "--batch-vcpus above --cpus (the controller tells a batch phase by the vCPUs it queues)",
        c.batch_vcpus, c.batch_vcpus == 1 ? "" : "s", c.cpus, c.batch_vcpus == 1 ? "s" : ""));
  return c;
}

void write_controller_sections(const PhasesController& c, const std::string& service_trace,
                               std::ostream& out) {
  out << fmt::format(
      "\n# A switching controller (trace gen phases --controller; docs/controller.md \"On a "
      "phase-changing workload\").\n"
      "# It runs in the service VM, which does nothing else, and follows the run queue: a batch "
      "phase's\n"
      "# {} vCPUs on {} pCPUs queue {}; 'busy' loads rtds (it ends them sooner than credit) "
      "above three\n"
      "# quarters of that, 'calm' loads credit back (it serves the shell at once and meets "
      "periodic "
      "deadlines)\n"
      "# once the queue has emptied. A static run of this config (the service VM idle): --set "
      "controller.enabled=false.\n",
      c.batch_vcpus, c.cpus, c.batch_vcpus - c.cpus);
  out << fmt::format("\n[service]\ntrace = {}\n", config::quoted_value(service_trace));
  out << "\n[controller]\nevaluation_cost = 10us\n";
  out << fmt::format(
      "\n[controller.rule.busy]\nmetric = runqueue_mean\nwindow = {}\nabove = {}\naction = load "
      "rtds\n",
      kWindow, busy_above(c));
  out << fmt::format(
      "\n[controller.rule.calm]\nmetric = runqueue_mean\nwindow = {}\nbelow = {}\naction = load "
      "credit\n",
      kWindow, kCalmBelow);
}

std::string controller_summary(const PhasesController& c) {
  return fmt::format(
      "the config's switching controller runs in the service VM: rtds while the run queue averages "
      "above {} "
      "vCPUs over {}, credit once it falls below {}",
      busy_above(c), kWindow, kCalmBelow);
}

}  // namespace vmmsim::app
