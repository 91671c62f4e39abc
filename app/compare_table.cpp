#include "app/compare_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <utility>

#include "base/text.h"
#include "report/json_report.h"
#include "report/json_value.h"

namespace vmmsim::app {
namespace {

using report::JsonValue;

double ms(double cycles, double hz) { return cycles * 1000.0 / hz; }

// The per-VM metrics where lower is better, by their CSV column: the run
// with the lowest value for a VM is marked best.
enum Metric { WaitP50, WaitP99, InputP99, Misses, SwapStall, kMetrics };
constexpr const char* kMetricColumn[kMetrics] = {"wait_p50_ms", "wait_p99_ms", "input_p99_ms",
                                                 "deadline_misses", "swap_stall_ms"};

// One run's figures for one VM.
struct VmRow {
  const CompareRun* run = nullptr;
  JsonValue vm;  // a view: it shares the document
  std::string name;
  std::optional<double> metric[kMetrics];  // none: not measured (no console input)
  bool best[kMetrics] = {};
  double response = 0, turnaround = 0;
  unsigned responded = 0, finished = 0;
  std::uint64_t context_switches = 0;
};

VmRow row_of(const CompareRun& run, const JsonValue& vm, double hz) {
  const JsonValue& r = run.results;
  VmRow row;
  row.run = &run;
  row.vm = vm;
  row.name = vm["name"].string();
  std::uint64_t misses = 0;
  for (const JsonValue& v : r["vcpus"].array()) {
    if (v["vm"].string() != row.name) continue;
    if (!v["response_cycles"].is_null())
      row.response += v["response_cycles"].number(), ++row.responded;
    if (!v["turnaround_cycles"].is_null())
      row.turnaround += v["turnaround_cycles"].number(), ++row.finished;
    misses += v["deadline_misses"].integer();
    row.context_switches += v["context_switches"].integer();
  }
  const JsonValue& input = vm["input_latency_cycles"];
  row.metric[WaitP50] = ms(vm["wait_cycles"]["p50"].number(), hz);
  row.metric[WaitP99] = ms(vm["wait_cycles"]["p99"].number(), hz);
  if (input["count"].integer()) row.metric[InputP99] = ms(input["p99"].number(), hz);
  row.metric[Misses] = static_cast<double>(misses);
  row.metric[SwapStall] = ms(vm["swap_stall_cycles"].number(), hz);
  return row;
}

// Marks, per VM (one config's VM of one name) and metric, the runs with the
// lowest value as shown (3 decimals of ms; whole misses), where the runs
// differ: a metric every run has alike marks none.
void mark_best(std::vector<VmRow>& rows) {
  std::map<std::pair<std::string, std::string>, std::vector<VmRow*>> by_vm;
  for (VmRow& row : rows) by_vm[{row.run->config_path, row.name}].push_back(&row);
  auto shown = [](double x) { return std::llround(x * 1000); };
  for (auto& [vm, group] : by_vm)
    for (int m = 0; m < kMetrics; ++m) {
      std::optional<long long> low, high;
      for (VmRow* row : group)
        if (row->metric[m]) {
          const long long x = shown(*row->metric[m]);
          low = low ? std::min(*low, x) : x;
          high = high ? std::max(*high, x) : x;
        }
      if (!low || *low == *high) continue;
      for (VmRow* row : group) row->best[m] = row->metric[m] && shown(*row->metric[m]) == *low;
    }
}

std::string best_columns(const VmRow& row) {
  std::string names;
  for (int m = 0; m < kMetrics; ++m)
    if (row.best[m]) names += (names.empty() ? "" : ";") + std::string(kMetricColumn[m]);
  return names;
}

// A metric's cell: the value, then "*" where it is the VM's best.
std::string cell(const VmRow& row, Metric m, int decimals, std::size_t width) {
  const std::string value = row.metric[m] ? fmt::format("{:.{}f}", *row.metric[m], decimals) : "-";
  return fmt::format("{:>{}}{}", value, width, row.best[m] ? "*" : " ");
}

}  // namespace

std::string write_compare_table(const std::vector<CompareRun>& runs, std::ostream& table) {
  // Name columns widen to the longest name, never cut (docs/compare.md).
  std::size_t run_width = 40, vm_width = 10;
  std::vector<VmRow> rows;
  for (const CompareRun& run : runs) {
    if (!run.has_results()) continue;
    run_width = std::max(run_width, printable(run.name).size());
    const double hz = run.results["clock_hz"].number();
    for (const JsonValue& vm : run.results["vms"].array()) {
      rows.push_back(row_of(run, vm, hz));
      vm_width = std::max(vm_width, printable(rows.back().name).size());
    }
  }
  mark_best(rows);

  // Per run: the summary a user compares first.
  table << fmt::format("{:<{}} {:>9} {:>9} {:>10} {:>8} {:>10} {:>8} {:>6}\n", "run", run_width,
                       "jain fair", "jain wt", "overhead", "ctxsw", "migrations", "misses",
                       "swaps");
  std::map<const CompareRun*, double> overheads;
  for (const CompareRun& run : runs) {
    if (!run.has_results()) continue;
    const JsonValue& r = run.results;
    double vmm = 0, total = 0;
    for (const JsonValue& p : r["pcpus"].array()) {
      vmm += p["vmm_cycles"].number();
      total += p["guest_cycles"].number() + p["vmm_cycles"].number() + p["idle_cycles"].number() +
               p["ceased_cycles"].number();
    }
    std::uint64_t ctxsw = 0, migrations = 0, misses = 0;
    for (const JsonValue& v : r["vcpus"].array()) {
      ctxsw += v["context_switches"].integer();
      migrations += v["migrations"].integer();
      misses += v["deadline_misses"].integer();
    }
    const double overhead = overheads[&run] = total > 0 ? vmm / total : 0;
    table << fmt::format("{:<{}} {:>9.4f} {:>9.4f} {:>9.3f}% {:>8} {:>10} {:>8} {:>6}\n",
                         printable(run.name), run_width, r["jain_fairness"].number(),
                         r["jain_entitled"].number(), 100 * overhead, ctxsw, migrations, misses,
                         r["replacements"].size());
  }

  // Per VM, side by side; "*" marks the best run for the VM.
  table << fmt::format(
      "\n{:<{}} {:<{}} {:>8} {:>8} {:>8} {:>9} {:>11} {:>11} {:>12} {:>7} {:>12}\n", "run",
      run_width, "vm", vm_width, "share", "demand", "fair", "entitled", "wait p50ms", "wait p99ms",
      "input p99ms", "misses", "swap stallms");
  std::string csv =
      "run,config,scheduler,vm,share,demand_share,fair_share,entitled_share,wait_p50_ms,wait_p99_"
      "ms,input_p99_ms,"
      "swap_stall_ms,response_ms,turnaround_ms,deadline_misses,context_switches,vmm_overhead,jain_"
      "fairness,"
      "jain_entitled,best,partial\n";
  for (const VmRow& row : rows) {
    const JsonValue& r = row.run->results;
    const JsonValue& vm = row.vm;
    const double hz = r["clock_hz"].number();
    std::string line = fmt::format(
        "{:<{}} {:<{}} {:>7.2f}% {:>7.2f}% {:>7.2f}% {:>8.2f}% {} {} {} {} {}",
        printable(row.run->name), run_width, printable(row.name), vm_width,
        100 * vm["share"].number(), 100 * vm["demand_share"].number(),
        100 * vm["fair_share"].number(), 100 * vm["entitled_share"].number(),
        cell(row, WaitP50, 3, 10), cell(row, WaitP99, 3, 10), cell(row, InputP99, 3, 11),
        cell(row, Misses, 0, 6), cell(row, SwapStall, 3, 11));
    table << line.substr(0, line.find_last_not_of(' ') + 1) << '\n';
    auto optional_ms = [](const std::optional<double>& x) {
      return x ? fmt::format("{:.3f}", *x) : "";
    };
    csv += fmt::format(
        "{},{},{},{},{:.6f},{:.6f},{:.6f},{:.6f},{:.3f},{:.3f},{},{:.3f},{},{},{},{},{:.6f},{:.6f},"
        "{:.6f},{},{}\n",
        csv_field(row.run->name), csv_field(row.run->config_path),
        csv_field(report::starting_scheduler(r)), csv_field(row.name), vm["share"].number(),
        vm["demand_share"].number(), vm["fair_share"].number(), vm["entitled_share"].number(),
        *row.metric[WaitP50], *row.metric[WaitP99], optional_ms(row.metric[InputP99]),
        *row.metric[SwapStall],
        row.responded ? fmt::format("{:.3f}", ms(row.response / row.responded, hz)) : "",
        row.finished ? fmt::format("{:.3f}", ms(row.turnaround / row.finished, hz)) : "",
        static_cast<std::uint64_t>(*row.metric[Misses]), row.context_switches, overheads[row.run],
        r["jain_fairness"].number(), r["jain_entitled"].number(), best_columns(row),
        r["partial"].boolean());
  }
  return csv;
}

}  // namespace vmmsim::app
