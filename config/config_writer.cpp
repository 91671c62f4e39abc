#include "config/config_writer.h"

#include <filesystem>

#include <fmt/format.h>

#include "schedulers/registry.h"

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

}  // namespace

void write_resolved_config(const Config& c, std::ostream& out) {
  out << "# vmmsim resolved configuration of " << c.file << "\n"
      << "# every key with its value in effect; durations in cycles\n\n";
  out << fmt::format("[platform]\ncpus = {}\nclock = {}Hz\n\n", c.platform.cpus, c.platform.clock);
  out << fmt::format("[pit]\nhz = {}Hz\nmode = {}\n\n", c.pit.hz, c.pit.mode);
  const ConsoleConfig& con = c.console;
  out << fmt::format(
      "[console]\nbaud = {}\nfifo = {}\nfocus = {}\ninput_start = {}\ninput_every = {}\ninput_bytes = {}\n"
      "input_count = {}\n\n",
      con.baud, con.fifo, con.focus, cycles(con.input_start), cycles(con.input_every), con.input_bytes,
      con.input_count);
  const CostConfig& k = c.vmm.costs;
  out << fmt::format(
      "[vmm]\nscheduler = {}\nactivation = {}\nvm_exit = {}\nvm_entry = {}\nhypercall = {}\ncontext_switch = {}\n"
      "dispatch = {}\nimage_area = {}\n\n",
      c.vmm.scheduler, c.vmm.activation, cycles(k.vm_exit), cycles(k.vm_entry), cycles(k.hypercall),
      cycles(k.context_switch), cycles(k.dispatch), c.vmm.image_area);
  const MemoryConfig& m = c.memory;
  out << fmt::format(
      "[memory]\nload_bandwidth = {}\nload_latency = {}\nrefill_bandwidth = {}\nremote_refill_bandwidth = {}\n\n",
      m.load_bytes_per_cycle, cycles(m.load_latency), m.refill_bytes_per_cycle, m.remote_refill_bytes_per_cycle);
  out << fmt::format("[run]\nuntil = {}\n\n", cycles(c.until));
  for (const auto* ops : sched::builtin_schedulers()) {
    out << fmt::format("[sched.{}]\n", ops->name);
    const auto& values = c.sched.at(ops->name);
    for (std::uint32_t i = 0; i < ops->param_count; ++i)
      out << fmt::format("{} = {}\n", ops->params[i].key, policy_value(ops->params[i], values.at(ops->params[i].key)));
    out << "\n";
  }
  for (const VmConfig& vm : c.vms) {
    out << (vm.service ? std::string("[service]\n") : fmt::format("[vm.{}]\n", vm.name));
    out << fmt::format("trace = {}\nvcpus = {}\nworking_set = {}\n", std::filesystem::absolute(vm.trace_path).lexically_normal().string(), vm.vcpus,
                      vm.working_set);
    for (const auto& [key, value] : vm.params) {
      const vmm_param_spec_t* spec = vm_spec(key);
      out << fmt::format("{} = {}\n", key, spec ? policy_value(*spec, value) : fmt::format("{}", value));
    }
    out << "\n";
  }
}

}  // namespace vmmsim::config
