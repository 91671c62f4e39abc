#include "bench/case_config.h"

#include <sys/resource.h>
#include <time.h>

#include "app/simulation.h"
#include "base/input_error.h"
#include "config/config_parser.h"

namespace vmmsim::bench {

bool parse_case_option(const std::vector<std::string>& args, std::size_t* i, CaseOptions* opts) {
  const std::string& a = args[*i];
  auto value = [&]() -> const std::string& {
    if (*i + 1 >= args.size()) throw InputError(opts->command + ": " + a + " needs a value");
    return args[++*i];
  };
  if (a == "--until")
    opts->until = value();
  else if (a == "--set")
    opts->sets.push_back(value());
  else if (a == "--each-vm")
    opts->each_vm.push_back(value());
  else if (!a.empty() && a[0] == '-')
    return false;
  else if (opts->config_path.empty())
    opts->config_path = a;
  else
    throw InputError(opts->command + ": a second CONFIG " + a);
  return true;
}

config::Config load_case_config(const CaseOptions& opts) {
  std::vector<config::Override> overrides;
  for (const std::string& s : opts.sets) overrides.push_back(app::parse_override(s));
  if (!opts.each_vm.empty()) {
    // vm.NAME.KEY=VALUE for every guest VM: read the VM names first.
    config::Config names = config::load_config(opts.config_path, overrides);
    for (const config::VmConfig& v : names.vms)
      if (!v.service)
        for (const std::string& kv : opts.each_vm)
          overrides.push_back(app::parse_override("vm." + v.name + "." + kv));
  }
  config::Config cfg = config::load_config(opts.config_path, overrides);
  if (!opts.until.empty()) {
    std::string why;
    auto cycles = parse_simulated_duration(opts.until, cfg.platform.clock, &why);
    if (!cycles) throw InputError(opts.command + ": --until " + opts.until + ": " + why);
    if (*cycles == 0)
      throw InputError(opts.command + ": --until " + opts.until + ": must be more than 0");
    cfg.until = *cycles;
  }
  return cfg;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double system_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_stime.tv_sec) + static_cast<double>(usage.ru_stime.tv_usec) * 1e-6;
}

}  // namespace vmmsim::bench
