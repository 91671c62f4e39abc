#include "controllers/metric.h"

#include <array>

namespace vmmsim::controllers {
namespace {

constexpr std::array<const char*, kMetrics> kNames = {
    "input_p99",     "wait_p99",     "fair_share_ratio", "deadline_misses",
    "runqueue_mean", "runqueue_max", "utilisation",      "last_swap_downtime"};

// A VM's value of a per-VM metric.
std::optional<double> of_vm(const VmWindow& vm, Metric m) {
  switch (m) {
    case Metric::InputP99:
      return vm.input_p99;
    case Metric::WaitP99:
      return vm.wait_p99;
    case Metric::FairShareRatio:
      return vm.fair_share_ratio;
    case Metric::DeadlineMisses:
      return static_cast<double>(vm.deadline_misses);
    default:
      return std::nullopt;
  }
}

}  // namespace

const char* metric_name(Metric m) { return kNames[static_cast<std::size_t>(m)]; }

std::optional<Metric> metric_named(std::string_view name) {
  for (std::size_t i = 0; i < kMetrics; ++i)
    if (name == kNames[i]) return static_cast<Metric>(i);
  return std::nullopt;
}

std::string metric_names() {
  std::string s;
  for (const char* n : kNames) s += (s.empty() ? "" : ", ") + std::string(n);
  return s;
}

MetricUnit metric_unit(Metric m) {
  switch (m) {
    case Metric::InputP99:
    case Metric::WaitP99:
    case Metric::LastSwapDowntime:
      return MetricUnit::Duration;
    case Metric::DeadlineMisses:
    case Metric::RunqueueMax:
      return MetricUnit::Count;
    case Metric::FairShareRatio:
    case Metric::RunqueueMean:
    case Metric::Utilisation:
      break;
  }
  return MetricUnit::Ratio;
}

bool per_vm(Metric m) {
  return m == Metric::InputP99 || m == Metric::WaitP99 || m == Metric::FairShareRatio ||
         m == Metric::DeadlineMisses;
}

std::optional<double> metric_value(const Snapshot& s, Metric m, int vm, int* worst) {
  if (worst) *worst = -1;
  switch (m) {
    case Metric::RunqueueMean:
      return s.runqueue_mean;
    case Metric::RunqueueMax:
      return static_cast<double>(s.runqueue_max);
    case Metric::Utilisation:
      return s.utilisation;
    case Metric::LastSwapDowntime:
      return s.last_swap_downtime;
    default:
      break;
  }
  if (vm >= 0)
    return static_cast<std::size_t>(vm) < s.vms.size()
               ? of_vm(s.vms[static_cast<std::size_t>(vm)], m)
               : std::nullopt;
  // `all`: the guests (the service VM is the controller's own home).
  std::optional<double> value;
  for (std::size_t i = 0; i < s.vms.size(); ++i) {
    if (s.vms[i].service) continue;
    const std::optional<double> v = of_vm(s.vms[i], m);
    if (!v) continue;
    if (m == Metric::DeadlineMisses) {
      value = value.value_or(0) + *v;
      continue;
    }
    const bool worse = !value || (m == Metric::FairShareRatio ? *v < *value : *v > *value);
    if (worse) {
      value = v;
      if (worst) *worst = static_cast<int>(i);
    }
  }
  return value;
}

}  // namespace vmmsim::controllers
