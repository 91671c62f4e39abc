// What a switching controller watches (docs/controller.md "Metrics"): the
// metrics of one window of simulated time, per VM or machine-wide, as a
// snapshot the service VM reads at the window's end. Plain C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/units.h"

namespace vmmsim::controllers {

enum class Metric : std::uint8_t {
  InputP99,        // per VM: keystroke-to-dispatch latency p99 (cycles)
  WaitP99,         // per VM: runnable-not-running wait p99 (cycles), open waits to the window's end
                   // included
  FairShareRatio,  // per VM: share / demand-aware fair share
  DeadlineMisses,  // per VM: periodic jobs finished late in the window
  RunqueueMean,    // machine: runnable vCPUs not on a pCPU, time-weighted mean
  RunqueueMax,     // machine: the most at any time of the window
  Utilisation,     // machine: (guest + vmm) / pCPU time
  LastSwapDowntime,  // machine: the downtime of the last replacement sequence (cycles)
};
inline constexpr std::size_t kMetrics = 8;

// "input_p99", "wait_p99", ... as the config writes them.
const char* metric_name(Metric m);
std::optional<Metric> metric_named(std::string_view name);
// Every name, for messages: "input_p99, wait_p99, ...".
std::string metric_names();

// How a metric's values and thresholds read.
enum class MetricUnit : std::uint8_t {
  Duration,  // cycles; thresholds are durations (5ms)
  Ratio,     // a plain decimal (0.8); utilisation also takes a percentage (80%)
  Count,     // a whole number
};
MetricUnit metric_unit(Metric m);
// Per VM (scope a VM name or `all`) or machine-wide (scope `all` only).
bool per_vm(Metric m);

// One VM's metrics over a window. Absent: nothing to measure in it (no
// keystroke reached a reader, no wait, a fair share of 0).
struct VmWindow {
  std::string name;
  bool service = false;
  std::optional<double> input_p99, wait_p99, fair_share_ratio;
  std::uint64_t deadline_misses = 0;
  double share = 0, fair = 0;  // of all pCPU time in the window (docs/results.md "Fairness")
};

// The metrics of the window [from, to), read at its end.
struct Snapshot {
  Cycles from = 0, to = 0;
  std::vector<VmWindow> vms;  // declaration order, the service VM where declared
  double runqueue_mean = 0;
  std::uint64_t runqueue_max = 0;
  double utilisation = 0;
  std::optional<double> last_swap_downtime;  // none before the first sequence
};

// A rule's view of the snapshot: its metric for one VM (`vm` an index) or
// for `all` (vm < 0): the worst guest VM — the highest p99, the lowest
// ratio — or the guests' sum of deadline misses; machine metrics as they
// are. `worst` is told the VM that gave the value (-1: none or machine).
std::optional<double> metric_value(const Snapshot& s, Metric m, int vm, int* worst = nullptr);

}  // namespace vmmsim::controllers
