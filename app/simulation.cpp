#include "app/simulation.h"

#include <filesystem>

#include <fmt/format.h>
#include <systemc>

#include "app/interrupt.h"
#include "app/out_of_memory.h"
#include "app/output_file.h"
#include "base/input_error.h"
#include "base/text.h"
#include "config/config_writer.h"
#include "models/platform.h"
#include "report/json_report.h"
#include "report/text_report.h"

namespace vmmsim::app {

bool simulate(const config::Config& cfg, const Outputs& out, std::ostream& report,
              const volatile std::sig_atomic_t* stop) {
  for (const std::string* path : {&out.json, &out.vcd, &out.config_out, &out.timeline})
    for (const std::string& input : inputs_of(cfg)) refuse_overwrite(*path, input);
  unsigned vcpus = 0;
  for (const config::VmConfig& vm : cfg.vms) vcpus += vm.vcpus;
  const std::string what = fmt::format("{} ({} pCPUs, {} vCPUs)", shown(cfg.file, 200), cfg.platform.cpus, vcpus);
  set_activity("building the platform of " + what);
  CycleClock::set_kernel_resolution();
  // The kernel's informational chatter (stop by sc_stop, VCD timescale) is
  // not part of the report.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  models::Platform platform("platform", cfg);
  if (!out.vcd.empty()) platform.trace_vcd(out.vcd);
  if (!out.timeline.empty()) platform.record_timeline(out.timeline, out.timeline_from, out.timeline_to);
  set_activity("simulating " + what);
  const bool interrupted = platform.run(cfg.until, stop);
  set_activity("writing the report and outputs of " + what);
  platform.finish_trace();
  report::Results results = platform.results();
  if (interrupted) {
    results.partial = true;
    results.partial_reason = fmt::format("interrupted by {} at cycle {}", signal_name(*stop), results.elapsed);
  }
  report::write_text_report(results, report);
  if (!out.json.empty())
    write_atomically(out.json, [&](std::ostream& o) { report::write_json_report(results, o); });
  if (!out.config_out.empty())
    write_atomically(out.config_out, [&](std::ostream& o) { config::write_resolved_config(cfg, o); });
  return interrupted;
}

std::vector<std::string> temporaries_of(const Outputs& out) {
  std::vector<std::string> paths;
  // write_atomically's, the timeline's and the VCD writer's ".partial".
  for (const std::string* path : {&out.json, &out.config_out, &out.timeline, &out.vcd})
    if (!path->empty()) paths.push_back(*path + ".partial");
  return paths;
}

config::Override parse_override(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos) throw InputError(fmt::format("--set {}: expected SECTION.KEY=VALUE", text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

void refuse_overwrite(const std::string& output, const std::string& input) {
  std::error_code ec;
  if (!output.empty() && std::filesystem::equivalent(output, input, ec))
    throw InputError(fmt::format("{}: refusing to overwrite an input file with an output", output));
}

std::vector<std::string> inputs_of(const config::Config& cfg) {
  std::vector<std::string> inputs{cfg.file};
  for (const config::VmConfig& v : cfg.vms) inputs.push_back(v.trace_path);
  return inputs;
}

}  // namespace vmmsim::app
