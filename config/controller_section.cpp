#include "config/controller_section.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "base/input_error.h"
#include "base/text.h"
#include "config/control_checks.h"
#include "config/ini_syntax.h"
#include "workload/control_request.h"

namespace vmmsim::config {
namespace {

using controllers::Metric;
using controllers::MetricUnit;

constexpr const char* kRulePrefix = "controller.rule.";
constexpr const char* kRuleKeys =
    "metric, scope, window, above, below, hysteresis, min_dwell, action";
constexpr const char* kActions =
    "load TARGET[,KEY=VALUE...], stage TARGET[,KEY=VALUE...] or revert";

// The default cost of an evaluation: 10 us of the service VM's time (docs/controller.md).
constexpr Cycles kEvaluationMicroseconds = 10;

// A threshold as its metric reads: a duration, a decimal (a ratio may be a
// percentage) or a whole number.
double threshold_of(const Entry& e, Metric m, Hertz clock) {
  switch (controllers::metric_unit(m)) {
    case MetricUnit::Duration:
      return static_cast<double>(duration_of(e, clock));
    case MetricUnit::Count:
      return static_cast<double>(count_of(e, 0, ~std::uint64_t{0}));
    case MetricUnit::Ratio:
      break;
  }
  std::string_view text = e.value;
  const bool percent = !text.empty() && text.back() == '%';
  if (percent) text.remove_suffix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) ||
      v < 0)
    fail(e, fmt::format("expected a decimal of at least 0 for {}, like 0.8 or 80%",
                        controllers::metric_name(m)));
  return percent ? v / 100 : v;
}

controllers::Action action_of(const Entry& e, const std::string& base_dir) {
  controllers::Action a;
  a.text = e.value;
  // The words are read from the value as written, so that a quoted path
  // keeps its blanks; an action quoted whole reads as its unquoted value,
  // as any other key's does.
  const std::vector<std::string> written = value_words(e.raw);
  const bool whole = written.size() == 1 && written[0].front() == '"';
  const std::string raw = whole ? e.value : e.raw;
  const std::size_t start = raw.find_first_not_of(" \t");
  const std::size_t blank = raw.find_first_of(" \t", start == std::string::npos ? 0 : start);
  std::string verb, why;
  if (!unquote_value(start == std::string::npos ? "" : raw.substr(start, blank - start), &verb, &why))
    fail(e, why);
  const std::size_t next = blank == std::string::npos ? blank : raw.find_first_not_of(" \t", blank);
  const std::string rest = next == std::string::npos ? "" : raw.substr(next);
  using Kind = workload::ControlRequest::Kind;
  if (verb == "revert") {
    if (!rest.empty()) fail(e, "revert takes no words; expected revert alone");
    a.kind = controllers::Action::Kind::Revert;
    a.request.kind = Kind::Unload;  // the active scheduler goes, the previous one comes back
    return a;
  }
  if (verb != "load" && verb != "stage")
    fail(e, std::string("unknown action; expected ") + kActions);
  a.kind = verb == "load" ? controllers::Action::Kind::Load : controllers::Action::Kind::Stage;
  std::vector<std::string> words;
  if (!control_words(rest, &words, &why)) fail(e, why);
  if (words.empty()) fail(e, fmt::format("{} names no scheduler; expected {}", verb, kActions));
  std::string err = workload::parse_control(
      verb == "load" ? Kind::Load : Kind::Stage,
      std::vector<std::string_view>(words.begin(), words.end()), base_dir, &a.request);
  if (err.empty()) err = hopeless_load(a.request);
  if (!err.empty()) fail(e, err);
  return a;
}

}  // namespace

bool ControllerSection::owns(const std::string& section) {
  return section == "controller" || section.rfind("controller.", 0) == 0;
}

// A plugin's path, relative to the config file, that must be a file.
void ControllerSection::plugin_of(const Entry& e, const std::string& base_dir) {
  std::filesystem::path path(e.value);
  if (path.is_relative()) path = std::filesystem::path(base_dir) / path;
  std::error_code ec;
  if (e.value.empty() || !std::filesystem::is_regular_file(path, ec))
    fail(e, fmt::format(
                "controller plugin file not found ({}); expected an existing plugin file (.so)",
                text_of(path.lexically_normal().string())));
  m_config.plugin = path.lexically_normal().string();
  m_plugin = e;
}

void ControllerSection::apply(const Entry& e, Hertz clock, const std::string& base_dir) {
  if (!m_first) {
    m_first = e;
    m_config.evaluation_cost = kEvaluationMicroseconds * clock / 1000000;
    m_config.budget_window = clock;  // 1 s
  }
  m_base_dir = base_dir;
  if (e.section == "controller") {
    if (e.key == "enabled") {
      if (e.value != "true" && e.value != "false") fail(e, "expected true or false");
      m_enabled = e.value == "true";
    } else if (e.key == "evaluation_cost") {
      m_config.evaluation_cost = duration_of(e, clock);
    } else if (e.key == "min_dwell") {
      m_config.min_dwell = duration_of(e, clock);
    } else if (e.key == "downtime_budget") {
      m_config.downtime_budget = duration_of(e, clock);
      if (m_config.downtime_budget > clock)
        fail(e, "expected a downtime per second of simulated time of at most 1s (0 = no budget)");
    } else if (e.key == "budget_window") {
      m_config.budget_window = duration_of(e, clock);
      if (m_config.budget_window == 0) fail(e, "expected a duration above 0");
    } else if (e.key == "plugin") {
      plugin_of(e, base_dir);
    } else if (e.key == "plugin_window") {
      m_plugin_key = e;
      m_config.plugin_window = duration_of(e, clock);
      if (m_config.plugin_window == 0) fail(e, "expected a duration above 0");
    } else if (e.key == "plugin_args") {
      m_plugin_key = e;
      m_config.plugin_args.clear();
      for (const std::string& word : value_words(e.raw)) {
        std::string arg, why;
        if (!unquote_value(word, &arg, &why)) fail(e, why);
        const std::size_t eq = arg.find('=');
        if (eq == std::string::npos || eq == 0)
          fail(e, fmt::format("'{}' is not KEY=VALUE; expected KEY=VALUE words", text_of(arg)));
        m_config.plugin_args.emplace_back(arg.substr(0, eq), arg.substr(eq + 1));
      }
    } else {
      fail(e,
           "unknown key; [controller] allows enabled, evaluation_cost, min_dwell, downtime_budget, "
           "budget_window, plugin, "
           "plugin_window, plugin_args");
    }
    return;
  }
  const std::string name = e.section.rfind(kRulePrefix, 0) == 0 ? e.section.substr(16) : "";
  if (!plain_name(name))
    throw InputError(
        fmt::format("{}: [{}]: unknown controller section; expected [controller] or "
                    "[controller.rule.NAME] with NAME of letters, digits, '_' and '-'",
                    e.origin, text_of(e.section)));
  static const std::vector<std::string> keys = {"metric", "scope",      "window",    "above",
                                                "below",  "hysteresis", "min_dwell", "action"};
  if (std::find(keys.begin(), keys.end(), e.key) == keys.end())
    fail(e, fmt::format("unknown key; [{}] allows {}", text_of(e.section), kRuleKeys));
  auto rule = std::find_if(m_rules.begin(), m_rules.end(),
                           [&](const RuleEntries& r) { return r.name == name; });
  if (rule == m_rules.end()) rule = m_rules.insert(m_rules.end(), RuleEntries{name, e.origin, {}});
  // Values that read alone are checked now, in file order.
  if (e.key == "metric" && !controllers::metric_named(e.value))
    fail(e, "unknown metric; expected one of " + controllers::metric_names());
  if (e.key == "window" && duration_of(e, clock) == 0) fail(e, "expected a duration above 0");
  if (e.key == "min_dwell") duration_of(e, clock);
  if (e.key == "action") action_of(e, base_dir);
  rule->keys[e.key] = e;
}

controllers::Rule ControllerSection::rule_of(const RuleEntries& r, const Config& c) const {
  const Hertz clock = c.platform.clock;
  const std::string where = fmt::format("{}: [{}{}]", r.origin, kRulePrefix, r.name);
  auto need = [&](const char* key, const std::string& expected) -> const Entry& {
    auto it = r.keys.find(key);
    if (it == r.keys.end())
      throw InputError(fmt::format("{}: missing key '{}'; expected {}", where, key, expected));
    return it->second;
  };
  controllers::Rule rule;
  rule.name = r.name;
  rule.metric =
      *controllers::metric_named(need("metric", "one of " + controllers::metric_names()).value);
  rule.window = duration_of(need("window", "the metric's window, a duration like 100ms"), clock);
  rule.min_dwell = m_config.min_dwell;
  if (auto it = r.keys.find("min_dwell"); it != r.keys.end())
    rule.min_dwell = duration_of(it->second, clock);
  rule.action = action_of(need("action", kActions), m_base_dir);
  const bool above = r.keys.count("above") > 0, below = r.keys.count("below") > 0;
  if (above == below)
    throw InputError(
        fmt::format("{}: {} 'above' and 'below'; expected exactly one of them, the threshold",
                    where, above ? "both" : "neither of"));
  rule.above = above;
  const Entry& threshold = r.keys.at(above ? "above" : "below");
  rule.threshold = threshold_of(threshold, rule.metric, clock);
  rule.rearm = rule.threshold;
  if (auto it = r.keys.find("hysteresis"); it != r.keys.end()) {
    rule.rearm = threshold_of(it->second, rule.metric, clock);
    rule.hysteresis = true;
    if (above ? rule.rearm > rule.threshold : rule.rearm < rule.threshold)
      fail(it->second, fmt::format("expected a threshold to cross back, {} the rule's {} = {}",
                                   above ? "at or below" : "at or above", above ? "above" : "below",
                                   text_of(threshold.value)));
  }
  if (auto it = r.keys.find("scope"); it != r.keys.end() && it->second.value != "all") {
    if (!controllers::per_vm(rule.metric))
      fail(it->second, fmt::format("{} is machine-wide; expected scope = all",
                                   controllers::metric_name(rule.metric)));
    std::string names;
    for (const VmConfig& vm : c.vms) names += ", " + vm.name;
    if (std::none_of(c.vms.begin(), c.vms.end(),
                     [&](const VmConfig& vm) { return vm.name == it->second.value; }))
      fail(it->second, "no VM has that name; expected all" + names);
    rule.scope = it->second.value;
  }
  std::string why = unknown_source(rule.action.request, c.image_sources);
  if (!why.empty()) fail(r.keys.at("action"), why);
  return rule;
}

void ControllerSection::finish(Config& c) const {
  if (!m_first) return;
  if (std::none_of(c.vms.begin(), c.vms.end(), [](const VmConfig& vm) { return vm.service; }))
    throw InputError(fmt::format(
        "{}: [{}]: the controller runs in the service VM, and there is none; expected a "
        "[service] section",
        m_first->origin, text_of(m_first->section)));
  // A plugin's window or arguments without it would be dropped unseen.
  if (m_plugin_key && !m_plugin)
    fail(*m_plugin_key, "no plugin to give it to; expected plugin = FILE with it");
  if (m_rules.empty() && m_config.plugin.empty())
    throw InputError(
        fmt::format("{}: [controller]: no rule and no plugin; expected at least one "
                    "[controller.rule.NAME] section or a plugin",
                    m_first->origin));
  if (m_plugin && m_config.plugin_window == 0)
    throw InputError(fmt::format(
        "{}: [controller]: missing key 'plugin_window'; expected the plugin's window, a "
        "duration like 100ms",
        m_plugin->origin));
  controllers::ControllerConfig config = m_config;
  for (const RuleEntries& r : m_rules) config.rules.push_back(rule_of(r, c));
  if (m_enabled) c.controller = std::move(config);
}

}  // namespace vmmsim::config
