#include "config/config_parser.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/capped_input.h"
#include "base/input_error.h"
#include "base/text.h"
#include "config/config_entry.h"
#include "config/control_checks.h"
#include "config/controller_section.h"
#include "config/ini_syntax.h"
#include "schedulers/param_value.h"
#include "schedulers/registry.h"
#include "workload/trace_parser.h"

namespace vmmsim::config {
namespace {

// A config is a page of text; anything far larger is the wrong file.
constexpr std::size_t kMaxConfigBytes = std::size_t{1} << 20;
// The shortest [vmm] watchdog: a tick at the PIT's usual 1000 Hz.
constexpr Cycles kMinWatchdogMs = 1;

// "0-3,6" -> a bitmap of pCPUs.
std::vector<std::uint8_t> cpu_set_of(const Entry& e) {
  std::vector<std::uint8_t> set;
  const char* allowed = "expected pCPU numbers and ranges like 0-3,6";
  std::istringstream parts(e.value);
  std::string part;
  bool any = false;
  while (std::getline(parts, part, ',')) {
    auto dash = part.find('-');
    auto lo = parse_count(part.substr(0, dash), nullptr);
    auto hi = dash == std::string::npos ? lo : parse_count(part.substr(dash + 1), nullptr);
    if (!lo || !hi || *lo > *hi || *hi >= 4096) fail(e, allowed);
    if (set.size() * 8 <= *hi) set.resize(*hi / 8 + 1, 0);
    for (auto c = *lo; c <= *hi; ++c) set[c / 8] |= static_cast<std::uint8_t>(1u << (c % 8));
    any = true;
  }
  if (!any) fail(e, allowed);
  return set;
}

// A policy parameter: integer, or duration (spec range in microseconds).
std::int64_t policy_value(const Entry& e, const vmm_param_spec_t& spec, Hertz clock) {
  std::string expected;
  auto v = sched::param_value(spec, e.value, clock, &expected);
  if (!v) fail(e, "expected " + expected);
  return *v;
}

// Every per-VM key any built-in declares, with the first declaration.
std::map<std::string, const vmm_param_spec_t*> vm_param_specs() {
  std::map<std::string, const vmm_param_spec_t*> specs;
  for (const auto* ops : sched::builtin_schedulers())
    for (std::uint32_t i = 0; i < ops->vm_param_count; ++i) specs.emplace(ops->vm_params[i].key, &ops->vm_params[i]);
  return specs;
}

class Resolver {
 public:
  Resolver(std::string path, std::vector<Entry> entries)
      : m_path(std::move(path)), m_entries(std::move(entries)) {}

  Config resolve() {
    Config c;
    c.file = m_path;
    // The clock first: every duration depends on it.
    for (const Entry& e : m_entries)
      if (e.section == "platform" && e.key == "clock") {
        std::string why;
        auto hz = parse_frequency(e.value, &why);
        // The PIT's input clock must not be faster than the CPU's.
        if (!hz || *hz < 1193182 || *hz > 1000000000000ULL) fail(e, "expected a frequency from 1193182Hz to 1THz");
        c.platform.clock = *hz;
      }
    c.until = 10 * c.platform.clock;
    c.vmm.watchdog = c.platform.clock / 2;  // 500 ms
    fill_sched_defaults(c);
    for (const Entry& e : m_entries) apply(c, e);
    finish(c);
    return c;
  }

 private:
  void fill_sched_defaults(Config& c) {
    for (const auto* ops : sched::builtin_schedulers()) {
      c.sched[ops->name];  // a policy without parameters still has its section
      for (std::uint32_t i = 0; i < ops->param_count; ++i)
        c.sched[ops->name][ops->params[i].key] = sched::param_default(ops->params[i], c.platform.clock);
    }
  }

  VmConfig& vm_named(Config& c, const std::string& name, bool service) {
    for (VmConfig& vm : c.vms)
      if (vm.name == name) return vm;
    VmConfig vm;
    vm.name = name;
    vm.service = service;
    for (const auto& [key, spec] : vm_param_specs()) vm.params[key] = sched::param_default(*spec, c.platform.clock);
    c.vms.push_back(std::move(vm));
    return c.vms.back();
  }

  void apply(Config& c, const Entry& e) {
    const Hertz clock = c.platform.clock;
    const std::string& s = e.section;
    const std::string& k = e.key;
    auto unknown_key = [&](const char* allowed) { fail(e, fmt::format("unknown key; [{}] allows {}", text_of(s), allowed)); };
    if (s == "platform") {
      if (k == "cpus")
        c.platform.cpus = static_cast<unsigned>(count_of(e, 1, 4096));
      else if (k != "clock")
        unknown_key("cpus, clock");
    } else if (s == "pit") {
      if (k == "hz") {
        std::string why;
        auto hz = parse_frequency(e.value, &why);
        // Reload values 65536..2: modes 2 and 3 forbid a reload of 1.
        if (!hz || *hz < 19 || *hz > 596591) fail(e, "expected a tick rate from 19Hz to 596591Hz (the 8254's range)");
        c.pit.hz = *hz;
      } else if (k == "mode") {
        auto m = count_of(e, 2, 3);
        c.pit.mode = static_cast<unsigned>(m);
      } else {
        unknown_key("hz, mode");
      }
    } else if (s == "console") {
      ConsoleConfig& con = c.console;
      if (k == "baud")
        con.baud = count_of(e, 50, 100000000);
      else if (k == "fifo")
        con.fifo = size_of(e, 1);
      else if (k == "focus")
        con.focus = e.value, m_focus = &e;
      else if (k == "cpu")
        con.cpu = static_cast<unsigned>(count_of(e, 0, 4095)), m_console_cpu = &e;
      else if (k == "input_start")
        con.input_start = duration_of(e, clock);
      else if (k == "input_every")
        con.input_every = duration_of(e, clock);
      else if (k == "input_bytes")
        con.input_bytes = size_of(e, 1);
      else if (k == "input_count")
        con.input_count = count_of(e, 0, ~std::uint64_t{0});
      else
        unknown_key("baud, fifo, focus, cpu, input_start, input_every, input_bytes, input_count");
    } else if (s == "vmm") {
      VmmConfig& v = c.vmm;
      if (k == "scheduler") {
        if (!sched::find_builtin(e.value))
          fail(e, "unknown scheduler; allowed: " + builtin_names());
        v.scheduler = e.value;
      } else if (k == "activation") {
        if (e.value != "id-register" && e.value != "function-table" && e.value != "function-table-pointers" &&
            e.value != "patch")
          fail(e, "unknown activation mechanism; allowed: id-register, function-table, function-table-pointers, patch");
        v.activation = e.value;
      } else if (k == "slice_timer") {
        if (e.value != "deadline" && e.value != "pit") fail(e, "unknown slice timer; allowed: deadline, pit");
        v.slice_timer = e.value;
      } else if (k == "vm_exit") {
        v.costs.vm_exit = duration_of(e, clock);
      } else if (k == "vm_entry") {
        v.costs.vm_entry = duration_of(e, clock);
      } else if (k == "hypercall") {
        v.costs.hypercall = duration_of(e, clock);
      } else if (k == "context_switch") {
        v.costs.context_switch = duration_of(e, clock);
      } else if (k == "image_area") {
        v.image_area = size_of(e);
      } else if (k == "slots") {
        v.slots = static_cast<unsigned>(count_of(e, 2, 64));
      } else if (k == "watchdog") {
        // It checks every half period: shorter than a scheduler tick it
        // would only eject, and at 1 cycle its half period is 0.
        v.watchdog = duration_of(e, clock);
        if (v.watchdog != 0 && v.watchdog < kMinWatchdogMs * clock / 1000)
          fail(e, fmt::format("expected 0 (off) or a duration of at least {}ms ({} cycles)", kMinWatchdogMs,
                              kMinWatchdogMs * clock / 1000));
      } else if (k == "unload") {
        v.unload = duration_of(e, clock);
      } else if (k == "migrate") {
        v.migrate = duration_of(e, clock);
      } else {
        unknown_key(
            "scheduler, activation, slice_timer, vm_exit, vm_entry, hypercall, context_switch, image_area, slots, "
            "watchdog, unload, migrate");
      }
    } else if (s == "activation") {
      ActivationCostConfig& a = c.activation;
      std::map<std::string, Cycles*> keys = {{"id_register_dispatch", &a.id_register_dispatch},
                                             {"id_register_activate", &a.id_register_activate},
                                             {"function_table_dispatch", &a.function_table_dispatch},
                                             {"function_table_activate", &a.function_table_activate},
                                             {"patch_dispatch", &a.patch_dispatch},
                                             {"patch_activate", &a.patch_activate},
                                             {"function_table_pointer_move", &a.function_table_pointer_move}};
      auto it = keys.find(k);
      if (it == keys.end())
        unknown_key(
            "id_register_dispatch, id_register_activate, function_table_dispatch, function_table_activate, "
            "patch_dispatch, patch_activate, function_table_pointer_move");
      *it->second = duration_of(e, clock);
    } else if (s == "memory") {
      MemoryConfig& m = c.memory;
      if (k == "load_bandwidth")
        m.load_bytes_per_cycle = count_of(e, 0, 1u << 20);
      else if (k == "load_latency")
        m.load_latency = duration_of(e, clock);
      else if (k == "refill_bandwidth")
        m.refill_bytes_per_cycle = count_of(e, 0, 1u << 20);
      else if (k == "remote_refill_bandwidth")
        m.remote_refill_bytes_per_cycle = count_of(e, 0, 1u << 20);
      else
        unknown_key("load_bandwidth, load_latency, refill_bandwidth, remote_refill_bandwidth");
    } else if (s == "run") {
      if (k == "until") {
        c.until = duration_of(e, clock);
        if (c.until == 0) fail(e, "expected a duration above 0");
      } else if (k == "swap" || k == "stage") {
        for (const std::string& spec : value_words(e.raw)) {
          std::string why;
          auto swap = parse_swap(spec, clock, std::filesystem::path(m_path).parent_path().string(), &why,
                                 k == "stage" ? SwapOption::Stage : SwapOption::Swap);
          if (!swap) fail(e, why);
          c.swaps.push_back(*swap);
          m_swap_entry.push_back(&e);  // not a copy: one line may hold thousands of swaps
        }
      } else if (k == "shadow") {
        for (const std::string& spec : value_words(e.raw)) {
          std::string why;
          auto shadow = parse_swap(spec, clock, std::filesystem::path(m_path).parent_path().string(), &why,
                                   SwapOption::Shadow);
          if (!shadow) fail(e, why);
          c.shadows.push_back(*shadow);
        }
      } else {
        unknown_key("until, swap, stage, shadow");
      }
    } else if (s.rfind("sched.", 0) == 0) {
      std::string name = s.substr(6);
      const vmm_sched_ops_t* ops = sched::find_builtin(name);
      if (!ops)
        throw InputError(fmt::format("{}: [{}]: unknown scheduler section; allowed: {}", e.origin, text_of(s),
                                     "[sched.NAME] with NAME one of " + builtin_names()));
      const vmm_param_spec_t* spec = nullptr;
      std::string keys;
      for (std::uint32_t i = 0; i < ops->param_count; ++i) {
        keys += (keys.empty() ? "" : ", ") + std::string(ops->params[i].key);
        if (k == ops->params[i].key) spec = &ops->params[i];
      }
      if (!spec) fail(e, fmt::format("unknown key; [{}] allows {}", s, keys.empty() ? "no keys" : keys));
      c.sched[name][k] = policy_value(e, *spec, clock);
    } else if (ControllerSection::owns(s)) {
      m_controller.apply(e, clock, std::filesystem::path(m_path).parent_path().string());
    } else if (s.rfind("image_source.", 0) == 0) {
      apply_image_source(c, e, clock);
    } else if (s.rfind("vm.", 0) == 0 || s == "service") {
      bool service = s == "service";
      std::string name = service ? "service" : s.substr(3);
      // Names appear in JSON, VCD scopes and file names: keep them plain.
      if (!plain_name(name))
        throw InputError(
            fmt::format("{}: [{}]: expected a VM name of letters, digits, '_' and '-'", e.origin, text_of(s)));
      // `[console] focus = scheduled` means the dispatched VM, not a VM of that name.
      if (name == kScheduledFocus)
        throw InputError(fmt::format("{}: [{}]: '{}' is a word of [console] focus; expected another VM name",
                                     e.origin, text_of(s), kScheduledFocus));
      VmConfig& vm = vm_named(c, name, service);
      apply_vm(vm, e, clock);
    } else {
      throw InputError(fmt::format("{}: [{}]: unknown section; allowed: platform, pit, console, vmm, activation, memory, run, "
                                   "controller, sched.NAME, image_source.NAME, vm.NAME, service",
                                   e.origin, text_of(s)));
    }
  }

  // [image_source.NAME] ([0019]): bandwidth (required) and latency.
  void apply_image_source(Config& c, const Entry& e, Hertz clock) {
    const std::string name = e.section.substr(13);
    if (!plain_name(name) || name == kMemorySource)
      throw InputError(fmt::format("{}: [{}]: expected a source name of letters, digits, '_' and '-', other than "
                                   "'{}' (the VMM's own memory)",
                                   e.origin, text_of(e.section), kMemorySource));
    ImageSource& source = c.image_sources[name];
    if (e.key == "bandwidth") {
      std::string why;
      auto bandwidth = parse_bandwidth(e.value, &why);
      if (!bandwidth) fail(e, "expected " + why);
      source.bytes_per_second = *bandwidth;
    } else if (e.key == "latency") {
      source.latency = duration_of(e, clock);
    } else {
      fail(e, fmt::format("unknown key; [{}] allows bandwidth, latency", text_of(e.section)));
    }
    m_source_entry.emplace(name, e);
  }

  void apply_vm(VmConfig& vm, const Entry& e, Hertz clock) {
    const std::string& k = e.key;
    if (k == "trace") {
      std::filesystem::path p(e.value);
      if (p.is_relative()) p = std::filesystem::path(m_path).parent_path() / p;
      vm.trace_path = p.lexically_normal().string();
      m_trace_entry[vm.name] = e;
    } else if (k == "vcpus") {
      vm.vcpus = static_cast<unsigned>(count_of(e, 1, 4096));
      m_vcpus_entry[vm.name] = e;
    } else if (k == "working_set") {
      vm.working_set = size_of(e);
    } else if (k == "affinity") {
      vm.affinity = cpu_set_of(e);
      vm.affinity_text = e.value;
      m_affinity_entry[vm.name] = e;
    } else {
      auto specs = vm_param_specs();
      auto it = specs.find(k);
      if (it == specs.end()) {
        std::string keys = "trace, vcpus, working_set, affinity";
        for (const auto& [key, spec] : specs) keys += ", " + key;
        fail(e, "unknown key; a VM allows " + keys);
      }
      // Check the value against every policy that declares the key.
      for (const auto* ops : sched::builtin_schedulers())
        for (std::uint32_t i = 0; i < ops->vm_param_count; ++i)
          if (k == ops->vm_params[i].key) vm.params[k] = policy_value(e, ops->vm_params[i], clock);
    }
  }

  void finish(Config& c) {
    for (const auto& [name, source] : c.image_sources)
      if (source.bytes_per_second == 0)
        throw InputError(fmt::format("{}: [image_source.{}]: missing key 'bandwidth'; expected a size per second, "
                                     "like 100MiB/s",
                                     m_source_entry.at(name).origin, name));
    for (std::size_t i = 0; i < m_swap_entry.size(); ++i) {
      std::string why = unknown_source(c.swaps[i].request, c.image_sources);
      if (!why.empty())
        fail(*m_swap_entry[i], fmt::format("{} '{}': {}", c.swaps[i].request.kind == workload::ControlRequest::Kind::Stage
                                                              ? "stage" : "swap",
                                           text_of(c.swaps[i].spec), why));
    }
    if (c.vms.empty() || std::all_of(c.vms.begin(), c.vms.end(), [](const VmConfig& v) { return v.service; }))
      throw InputError(fmt::format("{}: no [vm.NAME] section; at least one guest VM is needed", m_path));
    for (VmConfig& vm : c.vms) {
      const char* section = vm.service ? "[service]" : "";
      std::string where = vm.service ? section : fmt::format("[vm.{}]", vm.name);
      auto trace = m_trace_entry.find(vm.name);
      if (trace == m_trace_entry.end())
        throw InputError(fmt::format("{}: {}: missing key 'trace'; expected the path of a trace file", m_path, where));
      try {
        auto& parsed = m_traces[vm.trace_path];  // one parse per file, shared
        if (!parsed)
          parsed = std::make_shared<const workload::TraceProgram>(workload::load_trace(vm.trace_path, c.platform.clock));
        vm.program = parsed;
      } catch (const InputError& err) {
        // A missing file is named with the key that names it. No throwing
        // exists(): a name too long for the file system is an error too.
        std::error_code ec;
        if (!std::filesystem::exists(vm.trace_path, ec) && !ec)
          fail(trace->second, fmt::format("trace file not found ({})", text_of(vm.trace_path)));
        throw;
      }
      if (!vm.service && !vm.program->controls.empty())
        for (const auto& program : vm.program->vcpus)
          for (const auto& step : program.steps)
            if (step.kind == workload::StepKind::SchedLoad || step.kind == workload::StepKind::SchedUnload ||
                step.kind == workload::StepKind::SchedStage || step.kind == workload::StepKind::SchedShadow ||
                step.kind == workload::StepKind::SchedUnshadow)
              throw InputError(fmt::format("{}:{}: sched-load, sched-stage, sched-unload, sched-shadow and "
                                           "sched-unshadow are service VM steps; expected them in the [service] "
                                           "trace, not in {}",
                                           vm.program->file, step.line, where));
      for (const workload::ControlRequest& request : vm.program->controls) {
        std::string why = hopeless_load(request);
        if (why.empty()) why = unknown_source(request, c.image_sources);
        if (!why.empty())
          throw InputError(fmt::format("{}:{}: {}: {}", vm.program->file, request.line,
                                       workload::control_keyword(request.kind), why));
      }
      auto programs = static_cast<unsigned>(vm.program->vcpus.size());
      if (programs == 0) fail(trace->second, "the trace has no vcpu section; expected at least 'vcpu 0'");
      if (vm.vcpus == 0) vm.vcpus = programs;
      // More vCPUs than programs: every vCPU replays the one program (program_of).
      if (vm.vcpus != programs && programs != 1)
        fail(m_vcpus_entry.at(vm.name),
             fmt::format("the trace has {} vcpu programs; expected vcpus = {} (or a one-vCPU trace, which every "
                         "vCPU replays)",
                         programs, programs));
    }
    for (const VmConfig& vm : c.vms) {
      auto a = m_affinity_entry.find(vm.name);
      if (a == m_affinity_entry.end()) continue;
      for (std::size_t cpu = c.platform.cpus; cpu < vm.affinity.size() * 8; ++cpu)
        if ((vm.affinity[cpu / 8] >> (cpu % 8)) & 1u)
          fail(a->second, fmt::format("pCPU {} does not exist; expected pCPUs 0 to {}", cpu, c.platform.cpus - 1));
    }
    m_controller.finish(c);
    if (m_console_cpu && c.console.cpu >= c.platform.cpus)
      fail(*m_console_cpu, fmt::format("pCPU {} does not exist; expected 0 to {}", c.console.cpu, c.platform.cpus - 1));
    if (c.console.focus.empty()) {
      c.console.focus = c.vms.front().name;
    } else if (c.console.focus != kScheduledFocus &&
               std::none_of(c.vms.begin(), c.vms.end(), [&](const VmConfig& v) { return v.name == c.console.focus; })) {
      std::string names;
      for (const auto& v : c.vms) names += (names.empty() ? "" : ", ") + v.name;
      fail(*m_focus, "no VM has that name; allowed: " + std::string(kScheduledFocus) + ", " + names);
    }
  }

  std::string m_path;
  std::vector<Entry> m_entries;
  std::map<std::string, Entry> m_trace_entry;
  std::map<std::string, std::shared_ptr<const workload::TraceProgram>> m_traces;  // by resolved path
  std::map<std::string, Entry> m_vcpus_entry;
  std::map<std::string, Entry> m_affinity_entry;
  const Entry* m_focus = nullptr;
  std::vector<const Entry*> m_swap_entry;     // per [run] swap, the entry that gave it
  std::map<std::string, Entry> m_source_entry;  // per image source, its first entry
  const Entry* m_console_cpu = nullptr;
  ControllerSection m_controller;
};

// One section per VM; [service] and [vm.service] both name the VM
// "service". Two sections for one VM would merge, one trace silently
// replacing the other. (Other sections may be split: keys still once.)
void check_vm_sections(const IniDocument& doc, const std::string& path) {
  std::map<std::string, const IniSection*> first;  // VM name -> its section
  for (const IniSection& s : doc.sections) {
    if (s.name != "service" && s.name.rfind("vm.", 0) != 0) continue;
    const std::string vm = s.name == "service" ? "service" : s.name.substr(3);
    auto [seen, fresh] = first.emplace(vm, &s);
    if (!fresh)
      throw InputError(fmt::format("{}:{}: [{}] names VM '{}' again (first [{}] at line {}); expected one section "
                                   "per VM",
                                   path, s.line, text_of(s.name), text_of(vm), text_of(seen->second->name),
                                   seen->second->line));
  }
}

}  // namespace

Config load_config(const std::string& path, const std::vector<Override>& overrides) {
  // Read to the cap and no further: /dev/zero or a wrong file is an error, not all of memory.
  return parse_config(read_capped(path, {"config file", "an INI config file", kMaxConfigBytes, false}), path, overrides);
}

Config parse_config(const std::string& text, const std::string& path, const std::vector<Override>& overrides) {
  const IniDocument doc = read_ini(text, path);
  check_vm_sections(doc, path);
  std::vector<Entry> entries;
  for (const IniEntry& e : doc.entries)
    entries.push_back({e.section, e.key, e.value, e.raw, fmt::format("{}:{}", path, e.line), e.line});
  for (const Override& o : overrides) {
    auto last = o.key.rfind('.');
    if (last == std::string::npos || last == 0 || last + 1 == o.key.size())
      throw InputError(fmt::format("--set {}={}: expected SECTION.KEY=VALUE", text_of(o.key), text_of(o.value)));
    // The value reads as in a file (quotes, escapes); a '#' is no comment here.
    Entry e{o.key.substr(0, last), o.key.substr(last + 1), "", o.value, "--set", 0};
    std::string why;
    if (!unquote_value(o.value, &e.value, &why))
      throw InputError(fmt::format("--set {}={}: {}", text_of(o.key), text_of(o.value), why));
    auto same = std::find_if(entries.begin(), entries.end(),
                             [&](const Entry& x) { return x.section == e.section && x.key == e.key; });
    if (same != entries.end())
      *same = e;
    else
      entries.push_back(e);
  }
  return Resolver(path, std::move(entries)).resolve();
}

}  // namespace vmmsim::config
