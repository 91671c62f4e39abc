#include "report/json_report.h"

#include <fmt/format.h>

#include "report/controller_report.h"
#include "report/json_value.h"
#include "report/shadow_report.h"

namespace vmmsim::report {
namespace {

// Every string: names and reasons may come from plugins and file names.
std::string quoted(const std::string& s) { return json_quoted(s); }

std::string number(double x) { return fmt::format("{:.6f}", x); }

std::string distribution(const Histogram& h) {
  return fmt::format(R"({{"count": {}, "mean": {}, "p50": {}, "p99": {}, "max": {}}})", h.count(), number(h.mean()),
                     h.percentile(50), h.percentile(99), h.max());
}

// A distribution with its CDF, for plots.
std::string distribution_with_cdf(const Histogram& h) {
  std::string points;
  for (const auto& [value, fraction] : h.cdf(64))
    points += fmt::format("{}[{}, {}]", points.empty() ? "" : ", ", value, number(fraction));
  std::string d = distribution(h);
  d.pop_back();  // the closing brace
  return d + fmt::format(", \"cdf\": [{}]}}", points);
}

std::string optional(const std::optional<Cycles>& c) { return c ? fmt::format("{}", *c) : "null"; }

std::string priority(const std::optional<VcpuResult::Priority>& p) {
  return p ? fmt::format(R"({{"last": {}, "min": {}, "max": {}}})", p->last, p->min, p->max) : "null";
}

}  // namespace

void write_json_report(const Results& r, std::ostream& out) {
  out << "{\n";
  out << fmt::format("  \"format\": \"vmmsim-results 1\",\n  \"config\": {},\n  \"scheduler\": {},\n",
                     quoted(r.config_file), quoted(r.scheduler));
  out << fmt::format("  \"cpus\": {},\n  \"clock_hz\": {},\n  \"elapsed_cycles\": {},\n  \"elapsed_s\": {},\n", r.cpus,
                     r.clock, r.elapsed, number(to_seconds(r.elapsed, r.clock)));
  out << fmt::format("  \"partial\": {},\n", r.partial ? "true" : "false");
  if (r.partial) out << fmt::format("  \"partial_reason\": {},\n", quoted(r.partial_reason));
  out << fmt::format("  \"all_finished\": {},\n  \"jain_fairness\": {},\n  \"jain_entitled\": {},\n",
                     r.all_finished ? "true" : "false", number(r.jain_fairness), number(r.jain_entitled));
  out << fmt::format("  \"fair_capacity\": {},\n", number(r.fair_capacity));
  out << "  \"vms\": [\n";
  for (std::size_t i = 0; i < r.vms.size(); ++i) {
    const VmResult& vm = r.vms[i];
    out << fmt::format(
        "    {{\"name\": {}, \"service\": {}, \"vcpus\": {}, \"weight\": {}, \"cpu_cycles\": {}, \"share\": {}, "
        "\"entitled_share\": {}, \"demand_share\": {}, \"fair_share\": {}, \"deadline_misses\": {}, "
        "\"input_latency_cycles\": {}, \"wait_cycles\": {}, \"swap_stall_cycles\": {}, \"swap_stall_max_cycles\": {}}}{}\n",
        quoted(vm.name), vm.service ? "true" : "false", vm.vcpus, vm.weight, vm.cpu, number(vm.share),
        number(vm.entitled), number(vm.demand), number(vm.fair), vm.deadline_misses, distribution(vm.input_latency), distribution_with_cdf(vm.wait), vm.swap_stall,
        vm.swap_stall_max, i + 1 < r.vms.size() ? "," : "");
  }
  out << "  ],\n  \"vcpus\": [\n";
  for (std::size_t i = 0; i < r.vcpus.size(); ++i) {
    const VcpuResult& v = r.vcpus[i];
    out << fmt::format(
        "    {{\"vm\": {}, \"index\": {}, \"arrival_cycles\": {}, \"cpu_cycles\": {}, \"refill_cycles\": {}, "
        "\"wait_cycles\": {}, \"response_cycles\": {}, \"turnaround_cycles\": {}, \"dispatches\": {}, "
        "\"context_switches\": {}, \"migrations\": {}, \"jobs\": {}, \"deadline_misses\": {}, "
        "\"lateness_cycles\": {}, \"swap_stall_cycles\": {}, \"swap_stall_max_cycles\": {}, \"priority\": {}}}{}\n",
        quoted(v.vm), v.index, v.arrival, v.cpu, v.refill, distribution(v.wait), optional(v.response),
        optional(v.turnaround), v.dispatches, v.context_switches, v.migrations, v.jobs, v.deadline_misses,
        distribution(v.lateness), v.swap_stall, v.swap_stall_max, priority(v.priority),
        i + 1 < r.vcpus.size() ? "," : "");
  }
  out << "  ],\n  \"pcpus\": [\n";
  for (std::size_t i = 0; i < r.pcpus.size(); ++i) {
    const PcpuResult& p = r.pcpus[i];
    out << fmt::format(
        "    {{\"index\": {}, \"guest_cycles\": {}, \"vmm_cycles\": {}, \"idle_cycles\": {}, \"ceased_cycles\": "
        "{}}}{}\n",
        i, p.guest, p.vmm, p.idle, p.ceased, i + 1 < r.pcpus.size() ? "," : "");
  }
  out << "  ],\n  \"requests\": {";
  for (std::size_t i = 0; i < r.requests.size(); ++i)
    out << fmt::format("{}{}: {}", i ? ", " : "", quoted(r.requests[i].first), r.requests[i].second);
  out << fmt::format("}},\n  \"feedback\": {{\"done\": {}, \"rejected\": {}, \"invalid\": {}, \"deferred\": {}}},\n",
                     r.feedback_done, r.feedback_rejected, r.feedback_invalid, r.feedback_deferred);
  out << fmt::format("  \"pit_ticks\": {},\n", r.pit_ticks);
  out << fmt::format("  \"console\": {{\"written_bytes\": {}, \"transmitted_bytes\": {}, \"received_bytes\": {}}},\n",
                     r.console_written, r.console_transmitted, r.console_received);
  out << fmt::format("  \"activation\": {},\n", quoted(r.activation));
  out << fmt::format("  \"image_area\": {{\"base\": {}, \"capacity_bytes\": {}, \"used_bytes\": {}}},\n  \"slots\": [",
                     r.image_area.base, r.image_area.capacity, r.image_area.used);
  for (std::size_t i = 0; i < r.slots.size(); ++i)
    out << fmt::format("{}{{\"slot\": {}, \"name\": {}, \"address\": {}, \"bytes\": {}}}", i ? ", " : "",
                       r.slots[i].slot, quoted(r.slots[i].name), r.slots[i].address, r.slots[i].bytes);
  out << "],\n  \"replacements\": [\n";
  for (std::size_t i = 0; i < r.replacements.size(); ++i) {
    const ReplacementResult& x = r.replacements[i];
    std::string evicted;
    for (const std::string& name : x.evicted) evicted += (evicted.empty() ? "" : ", ") + quoted(name);
    out << fmt::format(
        "    {{\"kind\": {}, \"requester\": {}, \"target\": {}, \"from\": {}, \"to\": {}, \"policy\": {}, "
        "\"source\": {}, \"requested_at_cycles\": {}, \"ok\": {}, \"reason\": {}, \"sequence\": {}, "
        "\"started_at_cycles\": {}, \"phases_cycles\": {{\"cease\": {}, \"drain\": {}, \"unload\": {}, "
        "\"load\": {}, \"migrate\": {}, \"activate\": {}, \"unload_after\": {}}}, \"downtime_cycles\": {}, "
        "\"unload_cpu\": {}, \"staged\": {}, \"stage_cycles\": {}, \"stage_cpu\": {}, \"evicted\": [{}], "
        "\"console_tx_retired_bytes\": {}, "
        "\"console_rx_retired_bytes\": {}, \"vcpus_migrated\": {}, \"in_progress\": {}, \"vcpus_stalled\": {}, "
        "\"stall_max_cycles\": {}, \"wakes_held\": {}, \"ticks_while_ceased\": {}}}{}\n",
        quoted(x.kind), quoted(x.requester), quoted(x.target), quoted(x.from), quoted(x.to), quoted(x.policy),
        quoted(x.source), x.requested_at, x.ok ? "true" : "false", quoted(x.reason), x.sequence ? "true" : "false",
        x.started_at, x.cease, x.drain, x.unload, x.load, x.migrate, x.activate, x.unload_after, x.downtime,
        x.unload_cpu < 0 ? std::string("null") : std::to_string(x.unload_cpu), x.staged ? "true" : "false", x.stage,
        x.stage_cpu < 0 ? std::string("null") : std::to_string(x.stage_cpu), evicted, x.tx_retired, x.rx_retired,
        x.vcpus_migrated, x.in_progress ? "true" : "false", x.vcpus_stalled, x.stall_max, x.wakes_held,
        x.ticks_while_ceased, i + 1 < r.replacements.size() ? "," : "");
  }
  out << "  ],\n  \"faults\": [\n";
  for (std::size_t i = 0; i < r.faults.size(); ++i) {
    const FaultResult& f = r.faults[i];
    out << fmt::format(
        "    {{\"vm\": {}, \"vcpu\": {}, \"at_cycles\": {}, \"halted_at_cycles\": {}, \"vcpus_halted\": {}}}{}\n",
        quoted(f.vm), f.vcpu, f.at, f.halted_at, f.vcpus_halted, i + 1 < r.faults.size() ? "," : "");
  }
  out << "  ],\n  \"epochs\": [\n";
  for (std::size_t i = 0; i < r.epochs.size(); ++i) {
    const EpochResult& e = r.epochs[i];
    out << fmt::format("    {{\"slot\": {}, \"scheduler\": {}, \"from_cycles\": {}, \"to_cycles\": {}, \"vms\": [\n",
                       e.slot, quoted(e.scheduler), e.from, e.to);
    for (std::size_t k = 0; k < e.vms.size(); ++k) {
      const EpochVmResult& vm = e.vms[k];
      out << fmt::format(
          "      {{\"name\": {}, \"cpu_cycles\": {}, \"share\": {}, \"wait_cycles\": {}, \"input_latency_cycles\": "
          "{}}}{}\n",
          quoted(r.vms[k].name), vm.cpu, number(vm.share), distribution(vm.wait), distribution(vm.input_latency),
          k + 1 < e.vms.size() ? "," : "");
    }
    out << fmt::format("    ]}}{}\n", i + 1 < r.epochs.size() ? "," : "");
  }
  out << "  ]";
  write_shadows_json(r, out);
  write_controller_json(r, out);
  out << "\n}\n";
}

std::vector<std::string> schedulers_in_order(const JsonValue& results) {
  std::vector<std::string> chain;
  auto add = [&](const std::string& name) {
    if (!name.empty() && (chain.empty() || chain.back() != name)) chain.push_back(name);
  };
  const std::vector<JsonValue> epochs = results["epochs"].array();
  if (!epochs.empty()) {
    for (const JsonValue& e : epochs) add(e["scheduler"].string());
    return chain;
  }
  std::vector<JsonValue> done;
  for (const JsonValue& x : results["replacements"].array())
    if (x["ok"].boolean()) done.push_back(x);
  add(done.empty() ? results["scheduler"].string() : done.front()["from"].string());
  for (const JsonValue& x : done) add(x["to"].string());
  return chain;
}

std::string starting_scheduler(const JsonValue& results) {
  const std::vector<std::string> chain = schedulers_in_order(results);
  return chain.empty() ? results["scheduler"].string() : chain.front();
}

}  // namespace vmmsim::report
