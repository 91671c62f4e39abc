#include "config/config_writer.h"

#include <filesystem>

#include <fmt/format.h>

#include "base/text.h"
#include "config/ini_syntax.h"
#include "schedulers/registry.h"
#include "workload/control_request.h"

namespace vmmsim::config {
namespace {

// Durations are written in cycles: exact whatever the clock.
std::string cycles(Cycles c) { return fmt::format("{}", c); }

std::string policy_value(const vmm_param_spec_t& spec, std::int64_t value) {
  return spec.kind == VMM_PARAM_DURATION ? cycles(static_cast<Cycles>(value)) : fmt::format("{}", value);
}

const vmm_param_spec_t* vm_spec(const std::string& key) {
  for (const auto* ops : sched::builtin_schedulers())
    for (std::uint32_t i = 0; i < ops->vm_param_count; ++i)
      if (key == ops->vm_params[i].key) return &ops->vm_params[i];
  return nullptr;
}

// A word of a swap: quoted when it holds a separator of the list (a blank, a
// comma) or anything else a plain value cannot (docs/config.md, "Syntax").
std::string swap_word(const std::string& word) { return quoted_value(word, " \t,"); }

// A load's, stage's or shadow's words: TARGET,policy=...,source=...,KEY=VALUE...
std::string request_words(const workload::ControlRequest& r) {
  std::string target = r.target;
  if (workload::is_image_path(r.target))
    target = std::filesystem::absolute(r.target).lexically_normal().string();
  std::string spec = swap_word(target);
  const char* policies[] = {"keep-old", "unload-old", "auto", "unload-after"};  // LoadPolicy's order
  if (r.kind == workload::ControlRequest::Kind::Load)  // a stage or a shadow has no policy
    spec += fmt::format(",policy={}", policies[static_cast<int>(r.policy)]);
  if (!r.source.empty()) spec += ",source=" + r.source;
  for (const auto& [key, value] : r.params) spec += "," + swap_word(key + "=" + value);
  return spec;
}

std::string swap_spec(const Swap& s) {
  const workload::ControlRequest& r = s.request;
  if (r.kind == workload::ControlRequest::Kind::Unshadow) return fmt::format("{}:unshadow", s.at);
  if (r.kind == workload::ControlRequest::Kind::Unload)
    return r.target.empty() ? fmt::format("{}:unload", s.at) : fmt::format("{}:{}", s.at, swap_word("unload=" + r.target));
  return fmt::format("{}:{}", s.at, request_words(r));
}

// A threshold as its metric reads it back: cycles, a decimal, a count.
std::string threshold(controllers::Metric m, double value) {
  if (controllers::metric_unit(m) == controllers::MetricUnit::Ratio) return fmt::format("{}", value);
  return fmt::format("{}", static_cast<std::uint64_t>(value));
}

void write_controller(const controllers::ControllerConfig& c, std::ostream& out) {
  out << fmt::format("[controller]\nevaluation_cost = {}\nmin_dwell = {}\ndowntime_budget = {}\nbudget_window = {}\n",
                     cycles(c.evaluation_cost), cycles(c.min_dwell), cycles(c.downtime_budget),
                     cycles(c.budget_window));
  if (!c.plugin.empty()) {
    out << fmt::format("plugin = {}\nplugin_window = {}\n",
                       quoted_value(std::filesystem::absolute(c.plugin).lexically_normal().string()),
                       cycles(c.plugin_window));
    if (!c.plugin_args.empty()) {
      out << "plugin_args =";
      for (const auto& [key, value] : c.plugin_args) out << " " << quoted_value(key + "=" + value, " \t");
      out << "\n";
    }
  }
  out << "\n";
  for (const controllers::Rule& r : c.rules) {
    out << fmt::format("[controller.rule.{}]\nmetric = {}\nscope = {}\nwindow = {}\n{} = {}\n", r.name,
                       controllers::metric_name(r.metric), r.scope.empty() ? "all" : r.scope, cycles(r.window),
                       r.above ? "above" : "below", threshold(r.metric, r.threshold));
    if (r.hysteresis) out << "hysteresis = " << threshold(r.metric, r.rearm) << "\n";
    const char* verbs[] = {"load", "stage", "revert"};  // Action::Kind's order
    const auto kind = static_cast<int>(r.action.kind);
    out << fmt::format("min_dwell = {}\naction = {}{}\n\n", cycles(r.min_dwell), verbs[kind],
                       r.action.kind == controllers::Action::Kind::Revert ? "" : " " + request_words(r.action.request));
  }
}

}  // namespace

void write_resolved_config(const Config& c, std::ostream& out) {
  out << "# vmmsim resolved configuration of " << printable(c.file) << "\n"
      << "# every key with its value in effect; durations in cycles\n\n";
  out << fmt::format("[platform]\ncpus = {}\nclock = {}Hz\n\n", c.platform.cpus, c.platform.clock);
  out << fmt::format("[pit]\nhz = {}Hz\nmode = {}\n\n", c.pit.hz, c.pit.mode);
  const ConsoleConfig& con = c.console;
  out << fmt::format(
      "[console]\nbaud = {}\nfifo = {}\nfocus = {}\ncpu = {}\ninput_start = {}\ninput_every = {}\ninput_bytes = {}\n"
      "input_count = {}\n\n",
      con.baud, con.fifo, con.focus, con.cpu, cycles(con.input_start), cycles(con.input_every), con.input_bytes,
      con.input_count);
  const CostConfig& k = c.vmm.costs;
  out << fmt::format(
      "[vmm]\nscheduler = {}\nactivation = {}\nslice_timer = {}\nvm_exit = {}\nvm_entry = {}\nhypercall = {}\n"
      "context_switch = {}\n"
      "image_area = {}\nslots = {}\nwatchdog = {}\nunload = {}\nmigrate = {}\n\n",
      c.vmm.scheduler, c.vmm.activation, c.vmm.slice_timer, cycles(k.vm_exit), cycles(k.vm_entry), cycles(k.hypercall),
      cycles(k.context_switch), c.vmm.image_area, c.vmm.slots, cycles(c.vmm.watchdog), cycles(c.vmm.unload),
      cycles(c.vmm.migrate));
  const ActivationCostConfig& a = c.activation;
  out << fmt::format(
      "[activation]\nid_register_dispatch = {}\nid_register_activate = {}\nfunction_table_dispatch = {}\n"
      "function_table_activate = {}\npatch_dispatch = {}\npatch_activate = {}\nfunction_table_pointer_move = {}\n\n",
      cycles(a.id_register_dispatch), cycles(a.id_register_activate), cycles(a.function_table_dispatch),
      cycles(a.function_table_activate), cycles(a.patch_dispatch), cycles(a.patch_activate),
      cycles(a.function_table_pointer_move));
  const MemoryConfig& m = c.memory;
  out << fmt::format(
      "[memory]\nload_bandwidth = {}\nload_latency = {}\nrefill_bandwidth = {}\nremote_refill_bandwidth = {}\n\n",
      m.load_bytes_per_cycle, cycles(m.load_latency), m.refill_bytes_per_cycle, m.remote_refill_bytes_per_cycle);
  for (const auto& [name, source] : c.image_sources)
    out << fmt::format("[image_source.{}]\nbandwidth = {}/s\nlatency = {}\n\n", name, source.bytes_per_second,
                       cycles(source.latency));
  out << fmt::format("[run]\nuntil = {}\n", cycles(c.until));
  // Stages and swaps with their times in cycles; plugin paths are already
  // absolute. At one cycle stages come first whatever the order written.
  for (const bool stages : {true, false}) {
    std::string line;
    for (const Swap& s : c.swaps)
      if ((s.request.kind == workload::ControlRequest::Kind::Stage) == stages) line += " " + swap_spec(s);
    if (!line.empty()) out << (stages ? "stage =" : "swap =") << line << "\n";
  }
  if (!c.shadows.empty()) {
    out << "shadow =";
    for (const Swap& s : c.shadows) out << " " << swap_spec(s);
    out << "\n";
  }
  out << "\n";
  if (c.controller) write_controller(*c.controller, out);
  for (const auto* ops : sched::builtin_schedulers()) {
    out << fmt::format("[sched.{}]\n", ops->name);
    const auto& values = c.sched.at(ops->name);
    for (std::uint32_t i = 0; i < ops->param_count; ++i)
      out << fmt::format("{} = {}\n", ops->params[i].key, policy_value(ops->params[i], values.at(ops->params[i].key)));
    out << "\n";
  }
  for (const VmConfig& vm : c.vms) {
    out << (vm.service ? std::string("[service]\n") : fmt::format("[vm.{}]\n", vm.name));
    out << fmt::format("trace = {}\nvcpus = {}\nworking_set = {}\n",
                       quoted_value(std::filesystem::absolute(vm.trace_path).lexically_normal().string()), vm.vcpus,
                       vm.working_set);
    if (!vm.affinity_text.empty()) out << "affinity = " << quoted_value(vm.affinity_text) << "\n";
    for (const auto& [key, value] : vm.params) {
      const vmm_param_spec_t* spec = vm_spec(key);
      out << fmt::format("{} = {}\n", key, spec ? policy_value(*spec, value) : fmt::format("{}", value));
    }
    out << "\n";
  }
}

}  // namespace vmmsim::config
