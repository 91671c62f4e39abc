#include "app/phases_outputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "app/phases_controller.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "config/imported_config.h"
#include "config/ini_syntax.h"
#include "workload/importers.h"
#include "workload/trace_parser.h"

namespace vmmsim::app {
namespace {

using workload::format_nanoseconds;

// The phases listed in the config's comments; a longer run lists the first ones.
constexpr std::size_t kListedPhases = 64;

// rtds's own ranges for a VM's period and budget (docs/config.md).
constexpr workload::Nanoseconds kRtdsMinPeriod = 100000, kRtdsMinBudget = 10000,
                                kRtdsMax = 10000000000;

std::string vcpu_range(const char* vm, unsigned first, unsigned count) {
  return count == 1 ? fmt::format("{} vCPU {}", vm, first)
                    : fmt::format("{} vCPUs {}-{}", vm, first, first + count - 1);
}

// "phase 2  interactive  2s..4s: shell keystrokes 0-19; batch vCPUs 4-5 (background)"
std::string phase_line(std::size_t number, const workload::PhaseWindow& w) {
  std::vector<std::string> parts;
  if (w.keystroke_count > 0)
    parts.push_back(fmt::format("shell keystrokes {}-{}", w.keystroke_first,
                                w.keystroke_first + w.keystroke_count - 1));
  if (w.rt_count > 0) parts.push_back(vcpu_range("rt", w.rt_first, w.rt_count));
  if (w.batch_count > 0)
    parts.push_back(vcpu_range("batch", w.batch_first, w.batch_count) +
                    (w.kind == workload::PhaseKind::Batch ? "" : " (background)"));
  std::string what;
  for (const std::string& p : parts) what += (what.empty() ? "" : "; ") + p;
  return fmt::format("  phase {:<3} {:<11} {}..{}: {}", number, workload::phase_kind_name(w.kind),
                     format_nanoseconds(w.start), format_nanoseconds(w.end),
                     what.empty() ? "nothing" : what);
}

// The config's text: `trace_files[i]` is where w.vms[i] was written,
// `config_file` where this goes (both as given on the command line).
void write_phases_config(const workload::PhaseWorkload& w, const workload::GeneratorSpec& spec,
                         const std::vector<std::string>& trace_files,
                         const std::string& config_file, const std::string& command,
                         std::ostream& out) {
  std::vector<std::string> comments;
  comments.push_back("vmmsim config for the traces of: " + command);
  comments.push_back(
      "Phases (docs/generators.md \"phases\"): a phase's figures are those of its vCPUs (JSON "
      "vcpus) and, for the shell, of its VM");
  for (std::size_t i = 0; i < std::min(w.windows.size(), kListedPhases); ++i)
    comments.push_back(phase_line(i + 1, w.windows[i]));
  if (w.windows.size() > kListedPhases)
    comments.push_back(fmt::format("  ... {} more phases, numbered on in the same way",
                                   w.windows.size() - kListedPhases));
  comments.push_back(
      fmt::format("until: {}, twice the phases' {} (the run stops once every guest has ended)",
                  format_nanoseconds(2 * w.span), format_nanoseconds(w.span)));
  comments.push_back(
      "scheduler: credit (Xen's default); 'vmmsim compare --schedulers fifo,credit,rtds,eevdf' "
      "shows which wins which phase");
  for (const std::string& line : comments) out << "# " << printable(line) << "\n";

  out << fmt::format("\n[platform]\ncpus = {}\n", spec.cpus);
  if (w.input_count > 0)
    out << fmt::format(
        "\n[console]\nfocus = shell\ninput_start = {}\ninput_every = {}\ninput_bytes = "
        "1\ninput_count = {}\n",
        format_nanoseconds(w.input_start), format_nanoseconds(w.input_every), w.input_count);
  out << "\n[vmm]\nscheduler = credit\n";
  for (std::size_t i = 0; i < w.vms.size(); ++i) {
    const workload::PhaseVm& vm = w.vms[i];
    out << fmt::format("\n[vm.{}]\ntrace = {}\n", vm.name,
                       config::quoted_value(config::trace_path_for(trace_files[i], config_file)));
    if (vm.name == "batch")
      out << "# rtds: CPU-bound vCPUs may use idle time past their budget (4ms of every "
             "10ms)\nextratime = 1\n";
    if (vm.name == "rt") {
      const workload::Nanoseconds budget = std::min(spec.work + spec.jitter, spec.period);
      if (spec.period >= kRtdsMinPeriod && spec.period <= kRtdsMax && budget >= kRtdsMinBudget)
        out << fmt::format(
            "# rtds: a budget of a job's longest work every --period\nperiod = {}\nbudget = {}\n",
            format_nanoseconds(spec.period), format_nanoseconds(budget));
      else
        out << fmt::format(
            "# rtds keeps its defaults: --period {} or a job's work {} is outside its ranges\n",
            format_nanoseconds(spec.period), format_nanoseconds(budget));
    }
  }
  out << fmt::format("\n[run]\nuntil = {}\n", format_nanoseconds(2 * w.span));
}

// Internal check: a generated trace that does not parse is a generator bug.
void check_parses(const std::string& trace, const std::string& path) {
  try {
    workload::parse_trace(trace, path, 1000000000);
  } catch (const InputError& e) {
    throw std::logic_error(
        std::string("vmmsim trace gen phases wrote a trace that does not parse: ") + e.what());
  }
}

}  // namespace

int write_phases(const workload::GeneratorSpec& spec, const std::string& output,
                 const std::string& config_file, bool controller) {
  const workload::PhaseWorkload w = workload::generate_phases(spec);
  std::vector<std::string> paths;
  for (const workload::PhaseVm& vm : w.vms) {
    paths.push_back(workload::import_output_path(output, vm.name, w.vms.size()));
    check_parses(vm.trace, paths.back());
  }
  std::optional<PhasesController> control;
  std::string service_trace, service_path;
  if (controller) {
    if (config_file.empty())
      throw InputError(
          "--controller: its rules go into the config; expected --config FILE with --controller");
    control = phases_controller(w, spec);
    service_trace = workload::phases_service_trace(spec);
    // OUT-service.trace even beside a lone VM's OUT: the VMs' files keep their names.
    service_path = workload::import_output_path(output, "service", 2);
    check_parses(service_trace, service_path);
  }
  if (w.vms.size() > 1 && OutputFile(output).to_standard_output())
    throw InputError(
        fmt::format("-o {}: {} VMs to write; expected -o OUT naming a file (OUT-VM.trace for each "
                    "VM), not standard output",
                    output, w.vms.size()));
  if (!config_file.empty() && OutputFile(output).to_standard_output())
    throw InputError(
        fmt::format("--config {}: the trace goes to standard output; expected -o OUT naming a file "
                    "for the config to point to",
                    config_file));
  OutputPlan plan;
  std::vector<OutputFile*> files;
  for (const std::string& path : paths) files.push_back(&plan.add(path, "-o"));
  OutputFile* service_out = control ? &plan.add(service_path, "-o") : nullptr;
  OutputFile* config_out = config_file.empty() ? nullptr : &plan.add(config_file, "--config");
  plan.open();
  for (std::size_t i = 0; i < files.size(); ++i) files[i]->stream() << w.vms[i].trace;
  if (service_out) service_out->stream() << service_trace;
  if (config_out)
    write_phases_config(w, spec, paths, config_file, spec.command, config_out->stream());
  if (control)
    write_controller_sections(*control, config::trace_path_for(service_path, config_file),
                              config_out->stream());
  plan.commit();
  std::ostream& say = plan.writes_standard_output() ? std::cerr : std::cout;
  for (std::size_t i = 0; i < files.size(); ++i)
    say << fmt::format("wrote {}: VM {}, {} vCPU{}\n", printable(files[i]->path()), w.vms[i].name,
                       w.vms[i].vcpus, w.vms[i].vcpus == 1 ? "" : "s");
  if (service_out)
    say << fmt::format("wrote {}: the service VM, 1 vCPU\n", printable(service_out->path()));
  if (config_out)
    say << fmt::format("wrote {}: {} VM{}, {} pCPUs, scheduler credit, until {}\n",
                       printable(config_out->path()), w.vms.size(), w.vms.size() == 1 ? "" : "s",
                       spec.cpus, workload::format_nanoseconds(2 * w.span));
  else if (w.input_count > 0)
    say << "note: the shell waits for console input; set [console] as its trace's comments say, or "
           "use --config FILE\n";
  if (control) say << controller_summary(*control) << "\n";
  say << fmt::format("{} phase{}, {} in all\n", w.windows.size(), w.windows.size() == 1 ? "" : "s",
                     workload::format_nanoseconds(w.span));
  return 0;
}

}  // namespace vmmsim::app
