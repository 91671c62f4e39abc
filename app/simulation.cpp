#include "app/simulation.h"

#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <systemc>

#include "app/gtkwave_outputs.h"
#include "app/interrupt.h"
#include "app/out_of_memory.h"
#include "app/run_progress.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "config/config_writer.h"
#include "models/platform.h"
#include "report/json_report.h"
#include "report/text_report.h"
#include "workload/control_request.h"

namespace vmmsim::app {
namespace {

OutputFile* add_output(OutputPlan& plan, const std::string& path, const char* option) {
  return path.empty() ? nullptr : &plan.add(path, option);
}

// A load, a stage or a shadow of a plugin: its file is an input.
bool names_image_file(const workload::ControlRequest& request) {
  return request.kind != workload::ControlRequest::Kind::Unload &&
         request.kind != workload::ControlRequest::Kind::Unshadow && workload::is_image_path(request.target);
}

}  // namespace

bool simulate(const config::Config& cfg, const Outputs& out, std::ostream& report,
              const volatile std::sig_atomic_t* stop) {
  // Every output is checked, and its file created, before anything runs.
  OutputPlan plan(inputs_of(cfg));
  OutputFile* json = add_output(plan, out.json, "--json");
  OutputFile* vcd = add_output(plan, out.vcd, "--vcd");
  const auto gtkwave = GtkwaveOutputs::plan(plan, vcd, models::Platform::vcd_legends());
  OutputFile* timeline = add_output(plan, out.timeline, "--timeline");
  OutputFile* config_out = add_output(plan, out.config_out, "--config-out");
  OutputFile* report_file = add_output(plan, out.report, "the text report");
  plan.open();

  unsigned vcpus = 0;
  for (const config::VmConfig& vm : cfg.vms) vcpus += vm.vcpus;
  const std::string what = fmt::format("{} ({} pCPUs, {} vCPUs)", shown(cfg.file, 200), cfg.platform.cpus, vcpus);
  set_activity("building the platform of " + what);
  CycleClock::set_kernel_resolution();
  // The kernel's informational chatter (stop by sc_stop, VCD timescale) is
  // not part of the report.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  models::Platform platform("platform", cfg);
  if (vcd) platform.trace_vcd(*vcd);
  if (timeline) platform.record_timeline(*timeline, out.timeline_from, out.timeline_to, out.timeline_replacement_pad);
  // Chunked even with no signal to watch, so that a failed write ends the run early.
  static const volatile std::sig_atomic_t never = 0;
  set_activity("simulating " + what);
  std::optional<RunProgress> progress;
  if (out.progress) {
    const Cycles start = platform.clock().now();
    progress.emplace(std::cerr, cfg.platform.clock, start, saturating_add(start, cfg.until));
    platform.on_chunk([&] { progress->update(platform.clock().now()); });
  }
  const bool interrupted = platform.run(cfg.until, stop ? stop : &never);
  if (progress) progress->clear();
  set_activity("writing the report and outputs of " + what);
  platform.finish_trace();
  plan.throw_if_failed();
  report::Results results = platform.results();
  results.host_cost = out.host_cost;
  if (interrupted) {
    results.partial = true;
    results.partial_reason = fmt::format("interrupted by {} at cycle {}", signal_name(*stop), results.elapsed);
  }
  if (gtkwave) gtkwave->write(*platform.vcd(), results.elapsed);
  if (json) report::write_json_report(results, json->stream());
  if (config_out) config::write_resolved_config(cfg, config_out->stream());
  if (report_file) report::write_text_report(results, report_file->stream());
  plan.commit();
  // Else last, once every output is in place; on stderr when an output has stdout.
  if (!report_file)
    report::write_text_report(results, plan.writes_standard_output() ? std::cerr : report,
                              out.summary ? report::TextDetail::Summary : report::TextDetail::Full);
  return interrupted;
}

config::Override parse_override(const std::string& text) {
  auto eq = text.find('=');
  if (eq == std::string::npos) throw InputError(fmt::format("--set {}: expected SECTION.KEY=VALUE", text));
  return {text.substr(0, eq), text.substr(eq + 1)};
}

std::vector<std::string> inputs_of(const config::Config& cfg) {
  std::vector<std::string> inputs{cfg.file};
  for (const config::VmConfig& v : cfg.vms) {
    inputs.push_back(v.trace_path);
    for (const workload::ControlRequest& request : v.program->controls)
      if (names_image_file(request)) inputs.push_back(request.target);
  }
  for (const config::Swap& swap : cfg.swaps)
    if (names_image_file(swap.request)) inputs.push_back(swap.request.target);
  for (const config::Swap& shadow : cfg.shadows)
    if (names_image_file(shadow.request)) inputs.push_back(shadow.request.target);
  return inputs;
}

}  // namespace vmmsim::app
