#include "config/imported_config.h"

#include <filesystem>

#include <fmt/format.h>

#include "base/text.h"
#include "config/ini_syntax.h"
#include "workload/trace_demand.h"
#include "workload/trace_parser.h"

namespace vmmsim::config {

ImportedConfig imported_config(const workload::ImportResult& imported, const std::vector<std::string>& trace_files,
                               const std::string& config_file, Hertz clock, const std::string& command) {
  constexpr unsigned kMaxCpus = 4096;  // [platform] cpus
  ImportedConfig c;
  c.clock = clock;
  std::vector<workload::TraceProgram> programs;
  programs.reserve(imported.vms.size());
  for (std::size_t i = 0; i < imported.vms.size(); ++i) {
    programs.push_back(workload::parse_trace(imported.vms[i].trace_text, trace_files[i], clock));
    c.vms.push_back({imported.vms[i].name, trace_path_for(trace_files[i], config_file)});
  }
  std::vector<const workload::TraceProgram*> all;
  for (const workload::TraceProgram& p : programs) all.push_back(&p);
  const workload::TraceDemand demand = workload::demand_of(all);

  c.comments.push_back("vmmsim config for the traces of: " + command);
  std::string cpus_why;
  if (imported.source_cpus) {
    c.cpus = *imported.source_cpus;
    cpus_why = "the traced machine's CPUs (" + imported.source_cpus_origin + ")";
  } else {
    c.cpus = std::max(demand.peak_vcpus, 1u);
    cpus_why = demand.peak_estimated
                   ? "every vCPU with work (too many steps to replay for the peak)"
                   : "the most vCPUs computing at once, each replaying its trace alone";
  }
  if (c.cpus > kMaxCpus) {
    cpus_why += fmt::format(", cut from {} to the most [platform] cpus takes", c.cpus);
    c.cpus = kMaxCpus;
  }
  c.comments.push_back(fmt::format("pCPUs: {}, {}", c.cpus, cpus_why));

  const Cycles ms = std::max<Cycles>(clock / 1000, 1);
  const Cycles longest = max_duration(clock);
  if (demand.span == kForever || demand.span > longest / 2) {
    c.until = longest / ms * ms;
    c.comments.push_back("until: the longest run a config takes (a trace never ends or is longer than half of it)");
  } else {
    c.until = std::max<Cycles>((2 * demand.span + ms - 1) / ms * ms, ms);
    c.comments.push_back(fmt::format(
        "until: {:.3f} s, twice the {:.3f} s the traces span when no vCPU waits (the run stops once every guest "
        "has ended)",
        to_seconds(c.until, clock), to_seconds(demand.span, clock)));
  }
  c.comments.push_back("scheduler: credit (Xen's default); 'vmmsim compare --schedulers rr,credit,...' tries others");
  return c;
}

void write_imported_config(const ImportedConfig& c, std::ostream& out) {
  for (const std::string& line : c.comments) out << "# " << printable(line) << "\n";
  out << fmt::format("\n[platform]\ncpus = {}\nclock = {}Hz\n\n[vmm]\nscheduler = {}\n\n", c.cpus, c.clock,
                     c.scheduler);
  for (const ImportedConfig::Vm& vm : c.vms)
    out << fmt::format("[vm.{}]\ntrace = {}\n\n", vm.name, quoted_value(vm.trace));
  // In cycles: exact at any clock (the header says what it is in seconds).
  out << fmt::format("[run]\nuntil = {}\n", c.until);
}

std::string trace_path_for(const std::string& trace, const std::string& config_file) {
  namespace fs = std::filesystem;
  const fs::path folder = config_file == "-" ? fs::current_path() : fs::absolute(config_file).parent_path();
  const fs::path relative = fs::absolute(trace).lexically_normal().lexically_relative(folder.lexically_normal());
  return relative.empty() ? fs::absolute(trace).lexically_normal().string() : relative.string();
}

}  // namespace vmmsim::config
