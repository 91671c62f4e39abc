// [controller] and [controller.rule.NAME] (docs/controller.md): the
// switching controller's keys and rules, read entry by entry and checked
// once the whole config is known (a threshold reads by its rule's metric,
// a scope names a VM, the controller needs the service VM). Plain C++.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/config_entry.h"

namespace vmmsim::config {

class ControllerSection {
 public:
  // Whether `section` is the controller's: [controller] or [controller.*].
  static bool owns(const std::string& section);
  // One entry of those sections; throws InputError for an unknown section
  // or key, or a value that is bad whatever else the config says.
  void apply(const Entry& e, Hertz clock, const std::string& base_dir);
  // Builds c.controller if any entry was given; throws InputError for what
  // needs the whole config (a rule without its keys, a scope that names no
  // VM, no service VM, an unknown image source).
  void finish(Config& c) const;

 private:
  // A rule's entries as written, read once its metric is known.
  struct RuleEntries {
    std::string name;
    std::string origin;  // of its first entry
    std::map<std::string, Entry> keys;
  };
  controllers::Rule rule_of(const RuleEntries& r, const Config& c) const;

  void plugin_of(const Entry& e, const std::string& base_dir);

  std::optional<Entry> m_first;  // the first entry of any controller section
  std::optional<Entry> m_plugin;
  // The last plugin_window or plugin_args written: refused without a plugin.
  std::optional<Entry> m_plugin_key;
  // [controller] enabled = false: the sections are checked, and the run has
  // no controller (a static run of the same config: compare's baseline).
  bool m_enabled = true;
  controllers::ControllerConfig m_config;
  std::vector<RuleEntries> m_rules;  // in the order first written
  std::string m_base_dir;
};

}  // namespace vmmsim::config
