#include "soak/scenario_controller.h"

#include <array>

#include <fmt/format.h>

#include "soak/draw.h"

namespace vmmsim::soak {
namespace {

constexpr std::array<const char*, 8> kMetrics = {
    "input_p99",     "wait_p99",     "fair_share_ratio", "deadline_misses",
    "runqueue_mean", "runqueue_max", "utilisation",      "last_swap_downtime"};
constexpr std::array<const char*, 8> kTargets = {"fifo", "rr",   "bvt",      "credit",
                                                 "credit2", "rtds", "arinc653", "eevdf"};

bool per_vm(const std::string& metric) {
  return metric == "input_p99" || metric == "wait_p99" || metric == "fair_share_ratio" ||
         metric == "deadline_misses";
}

// A threshold in the metric's unit, and a rearm value on the right side of
// it (at or below for `above`, at or above for `below`).
std::pair<std::string, std::string> threshold_of(Draw& d, const std::string& metric, bool above) {
  if (metric == "input_p99" || metric == "wait_p99" || metric == "last_swap_downtime") {
    const std::uint64_t us = d.between(10, 5000);
    return {fmt::format("{}us", us), fmt::format("{}us", above ? us / 2 : us * 2)};
  }
  if (metric == "deadline_misses" || metric == "runqueue_max") {
    const std::uint64_t n = d.below(5);
    return {std::to_string(n), std::to_string(above ? n / 2 : n + 1)};
  }
  const std::uint64_t percent = d.between(0, metric == "runqueue_mean" ? 300 : 120);
  if (d.chance(50))
    return {fmt::format("{}%", percent), fmt::format("{}%", above ? percent / 2 : percent * 2)};
  return {fmt::format("{}.{:02}", percent / 100, percent % 100),
          fmt::format("{}.{:02}", (above ? percent / 2 : percent * 2) / 100,
                      (above ? percent / 2 : percent * 2) % 100)};
}

std::string action_of(Draw& d) {
  const std::uint64_t what = d.below(100);
  if (what < 20) return "revert";
  std::string a = fmt::format("{} {}", what < 75 ? "load" : "stage", d.pick(kTargets));
  if (what < 75 && d.chance(40))
    a += fmt::format(",policy={}", d.pick(std::array<const char*, 3>{"keep-old", "unload-old", "auto"}));
  return a;
}

}  // namespace

ControllerPlan random_controller(std::uint64_t seed, const std::vector<std::string>& guests,
                                 const std::string& plugins) {
  Draw d(seed ^ 0xc0a7'c0a7, 0xc0a7);
  ControllerPlan p;
  if (guests.empty() || !d.chance(30)) return p;
  const std::uint64_t cost_us = d.between(0, 50);
  p.ini = fmt::format("[controller]\nevaluation_cost = {}us\n", cost_us);
  if (d.chance(40)) p.ini += fmt::format("min_dwell = {}us\n", d.between(0, 20000));
  if (d.chance(30)) {
    const std::uint64_t budget_us = d.between(10, 2000);
    const std::uint64_t window_ms = d.between(5, 200);
    p.ini += fmt::format("downtime_budget = {}us\nbudget_window = {}ms\n", budget_us, window_ms);
  }
  p.plugin = d.chance(35);
  if (p.plugin) {
    const std::uint64_t window_us = d.between(1000, 20000);
    const std::uint64_t high_us = d.between(50, 5000);
    const std::uint64_t low_us = d.below(high_us + 1);
    const std::uint64_t calm = d.between(1, 5);
    const std::string& vm = d.pick(guests);
    p.ini += fmt::format(
        "plugin = {}/vmmsim_latency_guard.so\nplugin_window = {}us\n"
        "plugin_args = vm={} target={} high_us={} low_us={} calm={}\n",
        plugins, window_us, vm, d.pick(kTargets), high_us, low_us, calm);
  }
  p.rules = static_cast<unsigned>(d.between(p.plugin ? 0 : 1, 2));
  for (unsigned i = 0; i < p.rules; ++i) {
    const std::string metric = d.pick(kMetrics);
    const bool above = d.chance(50);
    const auto [threshold, rearm] = threshold_of(d, metric, above);
    const std::uint64_t window_us = d.between(1000, 30000);
    p.ini += fmt::format("[controller.rule.r{}]\nmetric = {}\nwindow = {}us\n{} = {}\n", i, metric,
                         window_us, above ? "above" : "below", threshold);
    if (per_vm(metric) && d.chance(50)) p.ini += fmt::format("scope = {}\n", d.pick(guests));
    if (d.chance(40)) p.ini += fmt::format("hysteresis = {}\n", rearm);
    if (d.chance(20)) p.ini += fmt::format("min_dwell = {}us\n", d.between(0, 10000));
    p.ini += "action = " + action_of(d) + "\n";
  }
  return p;
}

}  // namespace vmmsim::soak
