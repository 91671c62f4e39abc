#include "report/controller_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.h"
#include "controllers/metric.h"

namespace vmmsim::report {
namespace {

std::string ms(Cycles c, Hertz clock) { return fmt::format("{:.3f}", to_milliseconds(c, clock)); }
std::string number(double x) { return fmt::format("{:.6f}", x); }

bool is_duration(const std::string& metric) {
  auto m = controllers::metric_named(metric);
  return m && controllers::metric_unit(*m) == controllers::MetricUnit::Duration;
}

}  // namespace

std::string metric_text(const std::string& metric, double value, Hertz clock) {
  if (is_duration(metric)) return ms(static_cast<Cycles>(value), clock) + " ms";
  return fmt::format("{:.4g}", value);
}

std::string decision_label(const ControllerDecision& d, Hertz clock) {
  // A plugin's decision has its own words instead of a metric and a threshold.
  std::string label =
      d.metric.empty()
          ? fmt::format("{}: {}: {} ({}", printable(d.rule), printable(d.note), printable(d.action),
                        d.status)
          : fmt::format("{}: {}{} {} {} {}: {} ({}", printable(d.rule), d.metric,
                        d.vm.empty() ? "" : " of " + printable(d.vm),
                        metric_text(d.metric, d.value, clock), d.above ? ">" : "<",
                        metric_text(d.metric, d.threshold, clock), printable(d.action), d.status);
  if (d.status == "refused" || d.status == "failed")
    return label + ": " + printable(d.reason) + ")";
  if (d.replacement >= 0) label += fmt::format(", downtime {} ms", ms(d.downtime, clock));
  return label + ")";
}

void write_controller_json(const Results& r, std::ostream& out) {
  if (!r.controller) return;
  const ControllerResult& c = *r.controller;
  out << fmt::format(
      ",\n  \"controller\": {{\"evaluation_cost_cycles\": {}, \"evaluations\": {}, "
      "\"windows_missed\": {}, \"service_cycles\": {}, "
      "\"downtime_budget_cycles_per_second\": {}, \"budget_window_cycles\": {}, \"rules\": [\n",
      c.evaluation_cost, c.evaluations, c.windows_missed, c.service_cycles, c.downtime_budget,
      c.budget_window);
  for (std::size_t i = 0; i < c.rules.size(); ++i) {
    const ControllerRuleResult& x = c.rules[i];
    out << fmt::format(
        "    {{\"name\": {}, \"metric\": {}, \"scope\": {}, \"window_cycles\": {}, "
        "\"comparison\": {}, \"threshold\": {}, \"rearm\": {}, \"hysteresis\": {}, "
        "\"min_dwell_cycles\": {}, \"action\": {}, \"fired\": {}, \"held_dwell\": {}, "
        "\"held_busy\": {}, \"refused_budget\": {}}}{}\n",
        json_quoted(x.name), json_quoted(x.metric), json_quoted(x.scope), x.window,
        json_quoted(x.above ? "above" : "below"), number(x.threshold), number(x.rearm),
        x.hysteresis ? "true" : "false", x.min_dwell, json_quoted(x.action), x.fired, x.held_dwell,
        x.held_busy, x.refused_budget, i + 1 < c.rules.size() ? "," : "");
  }
  out << "  ], \"decisions\": [\n";
  for (std::size_t i = 0; i < c.decisions.size(); ++i) {
    const ControllerDecision& d = c.decisions[i];
    // A plugin's decision has no metric of its own: null there, its note instead.
    const bool rule = !d.metric.empty();
    out << fmt::format(
        "    {{\"rule\": {}, \"window_from_cycles\": {}, \"window_to_cycles\": {}, "
        "\"decided_at_cycles\": {}, \"metric\": {}, \"vm\": {}, \"value\": {}, "
        "\"comparison\": {}, \"threshold\": {}, \"action\": {}, \"note\": {}, \"status\": {}, "
        "\"reason\": {}, \"estimated_downtime_cycles\": {}, \"downtime_cycles\": {}, "
        "\"replacement\": {}}}{}\n",
        json_quoted(d.rule), d.window_from, d.window_to, d.decided_at,
        rule ? json_quoted(d.metric) : "null", d.vm.empty() ? "null" : json_quoted(d.vm),
        rule ? number(d.value) : "null", rule ? json_quoted(d.above ? "above" : "below") : "null",
        rule ? number(d.threshold) : "null", json_quoted(d.action), json_quoted(d.note),
        json_quoted(d.status), json_quoted(d.reason), d.estimated_downtime,
        d.replacement >= 0 ? std::to_string(d.downtime) : "null",
        d.replacement >= 0 ? std::to_string(d.replacement) : "null",
        i + 1 < c.decisions.size() ? "," : "");
  }
  std::string plugin = "null";
  if (!c.plugin.empty())
    plugin =
        fmt::format("{{\"path\": {}, \"name\": {}, \"disabled\": {}, \"disabled_at_cycles\": {}}}",
                    json_quoted(c.plugin), json_quoted(c.plugin_name),
                    c.plugin_disabled.empty() ? "null" : json_quoted(c.plugin_disabled),
                    c.plugin_disabled_at ? std::to_string(*c.plugin_disabled_at) : "null");
  out << "  ], \"plugin\": " << plugin << "}";
}

void write_controller_text(const Results& r, std::ostream& out) {
  if (!r.controller) return;
  const ControllerResult& c = *r.controller;
  const Hertz hz = r.clock;
  // Every decision but a budget's refusal went to the loader, one still
  // queued at the run's end included (it is listed below, and in the JSON).
  std::size_t requests = 0, queued = 0;
  Cycles downtime = 0;
  for (const ControllerDecision& d : c.decisions) {
    if (d.status == "refused") continue;
    ++requests;
    if (d.replacement >= 0) downtime += d.downtime;
    if (d.status == "queued") ++queued;
  }
  out << fmt::format(
      "\nController (in the service VM: {} evaluation(s) of {} cycles, {} service VM cycles; {} "
      "window(s) "
      "missed)\n  {} request(s) to the loader{}, {} ms of downtime\n",
      c.evaluations, c.evaluation_cost, c.service_cycles, c.windows_missed, requests,
      queued ? fmt::format(" ({} still queued at the end)", queued) : "", ms(downtime, hz));
  if (!c.plugin.empty())
    out << fmt::format("  plugin {} ({}): {}\n", printable(c.plugin_name), printable(c.plugin),
                       c.plugin_disabled.empty()
                           ? std::string("on")
                           : fmt::format("DISABLED at {}: {}", c.plugin_disabled_at.value_or(0),
                                         printable(c.plugin_disabled)));
  if (c.downtime_budget > 0)
    out << fmt::format("  downtime budget {} ms per second over {} ms\n", ms(c.downtime_budget, hz),
                       ms(c.budget_window, hz));
  // Name columns widen to the longest name, as the VM tables do.
  std::size_t width = 14;
  for (const ControllerRuleResult& x : c.rules) width = std::max(width, printable(x.name).size());
  out << fmt::format("  {:<{}} {:<46} {:>10} {:>6} {:>6} {:>6} {:>7}  {}\n", "rule", width, "when",
                     "window ms", "fired", "dwell", "busy", "budget", "action");
  for (const ControllerRuleResult& x : c.rules) {
    const bool plugin = x.metric == "plugin";
    std::string when =
        plugin ? "(the plugin's own)"
               : fmt::format("{}{} {} {}", x.metric,
                             x.scope == "all" ? "" : " of " + printable(x.scope),
                             x.above ? ">" : "<", metric_text(x.metric, x.threshold, hz));
    if (x.hysteresis) when += fmt::format(" (rearm {})", metric_text(x.metric, x.rearm, hz));
    out << fmt::format("  {:<{}} {:<46} {:>10} {:>6} {:>6} {:>6} {:>7}  {}\n", printable(x.name),
                       width, when, ms(x.window, hz), x.fired, x.held_dwell, x.held_busy,
                       x.refused_budget, plugin ? "(the plugin's own)" : printable(x.action));
  }
  if (c.decisions.empty()) {
    out << "  no decision\n";
    return;
  }
  out << fmt::format("  {:>12} {:>12} {:>14} {:>12}  {}\n", "window end", "decided",
                     "est. downtime", "downtime", "decision");
  for (const ControllerDecision& d : c.decisions)
    out << fmt::format("  {:>12} {:>12} {:>14} {:>12}  {}\n", d.window_to, d.decided_at,
                       d.estimated_downtime, d.replacement >= 0 ? std::to_string(d.downtime) : "-",
                       decision_label(d, hz));
}

}  // namespace vmmsim::report
