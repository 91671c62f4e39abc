// The benchmark's figures, derived from the JSON lines bench/run.sh collects
// (one per process: the baseline, each case, each callgrind pair). Plain C++,
// no SystemC; bench/summarize.cpp prints them and writes bench/results.json.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/text.h"  // json_quoted: the one JSON string escape
#include "report/json_value.h"

namespace vmmsim::bench {

struct Run {
  std::string label, size;
  bool failed = false;
  report::JsonValue record;  // the whole line
  report::JsonValue r() const { return record["result"]; }
};

// Figures of one case, derived from its raw measurements.
struct Figures {
  std::string label, size, scheduler;
  bool vcd = false;
  unsigned cpus = 0;
  std::uint64_t vcpus = 0, requests = 0, decisions = 0, sim_cycles = 0, vcd_bytes = 0;
  double sim_s = 0, cpu_s = 0, wall_s = 0, elab_s = 0, finish_s = 0;
  double system_s = NAN;  // of cpu_s, system time (a traced run: writing the VCD); NAN if not recorded
  double cycles_per_s = 0, requests_per_s = 0, ns_per_request = 0, ratio = 0, x_real_time = 0,
         x_real_time_wall = 0, x_real_time_mean = 0, mean_ns_per_request = 0, min_ns_per_request = 0;
  // A decision is one call of the active scheduler's pick_next.
  double ns_per_decision = NAN, decision_ratio = NAN, mean_ns_per_decision = NAN, decisions_per_request = NAN;
  std::size_t segments = 0, repeats = 1;
  double ns_lo = 0, ns_hi = 0;  // over the repeats
  std::string load;
  double peak_rss_mib = 0, peak_rss_run_mib = 0;
  // Heap bytes in use (mallinfo2) after the warm-up minus before elaboration.
  double heap_mib = NAN, bytes_per_vcpu = NAN;
  double warmup_sim_s = 0, warmup_ns_per_request = NAN, warmup_x_real_time = NAN;
  std::uint64_t replacements = 0;
  // Loads among them, those of a staged image, and their mean downtime (µs).
  std::uint64_t loads = 0, staged_loads = 0;
  double load_downtime_us = 0;
  std::optional<double> vcd_cost;  // ns/req with --vcd / without
};

// Instruction counts of one case at two simulated lengths, and of the bare
// activation at two counts: the differences are the steady-state costs.
struct Callgrind {
  std::string case_label;
  double ir_per_request = 0, ir_per_decision = NAN, ir_per_activation = 0, ratio = 0, decision_ratio = NAN;
  // Outside the policy's own code (its ops table's entry points), per
  // decision and per request, and each as a multiple of the bare
  // activation: what the simulator adds; NAN if not counted.
  double ir_outside_per_decision = NAN, outside_decision_ratio = NAN;
  double ir_outside_per_request = NAN, outside_request_ratio = NAN;
  std::uint64_t ir_short = 0, ir_long = 0, req_short = 0, req_long = 0, dec_short = 0, dec_long = 0;
  double sim_short = 0, sim_long = 0;
};

// A policy's own cost (vmmsim_bench policy): the calls a run of the case
// makes into it, replayed alone; the best of the repeated runs.
struct PolicyAlone {
  std::string case_label;  // "medium/eevdf"
  double ns_per_decision = NAN;
  std::uint64_t decisions = 0;
};

std::string sci(double x);  // 1.23e9 (no "+", no leading zero in the exponent)
std::string num(double x);  // JSON: null if not finite

std::vector<Run> read_runs(const std::string& path);
// The last run with this label, or null.
const Run* find(const std::vector<Run>& runs, const std::string& label);
// The bare activation: the best of the baseline runs (one per repeat).
double bare_ns(const std::vector<Run>& runs);
Figures figures_of(const Run& run, double bare);
// One Figures per label, the best of its repeats, in the order first seen.
std::vector<Figures> all_figures(const std::vector<Run>& runs);
// Every callgrind record, the last one per case.
std::vector<Callgrind> callgrinds(const std::vector<Run>& runs);
// Every policy replay, one per case (the best of its repeats).
std::vector<PolicyAlone> policies_alone(const std::vector<Run>& runs);

}  // namespace vmmsim::bench
