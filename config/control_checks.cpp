#include "config/control_checks.h"

#include <filesystem>

#include <fmt/format.h>

#include "base/text.h"
#include "config/ini_syntax.h"
#include "schedulers/registry.h"
#include "workload/control_request.h"

namespace vmmsim::config {
namespace {

// Config text as quoted in a message: printable, and long enough for a path.
std::string text_of(std::string_view text) { return shown(text, 200); }

}  // namespace

std::string builtin_names() {
  std::string s;
  for (const auto* ops : sched::builtin_schedulers()) s += (s.empty() ? "" : ", ") + std::string(ops->name);
  return s;
}

std::string hopeless_load(const workload::ControlRequest& r) {
  if (r.kind == workload::ControlRequest::Kind::Unload) return "";
  if (!workload::is_image_path(r.target)) {
    if (sched::find_builtin(r.target)) return "";
    return fmt::format("unknown scheduler '{}'; expected a built-in ({}) or a plugin path (.so)", text_of(r.target),
                       builtin_names());
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file(r.target, ec)) return "";
  const bool missing = !ec || ec == std::errc::no_such_file_or_directory;
  return fmt::format("plugin file not found ({}{}); expected an existing plugin file (.so)", text_of(r.target),
                     missing ? "" : ": " + ec.message());
}


std::string unknown_source(const workload::ControlRequest& r, const std::map<std::string, ImageSource>& sources) {
  if (r.kind == workload::ControlRequest::Kind::Unload || r.source.empty() || sources.count(r.source)) return "";
  std::string names;
  for (const auto& [name, source] : sources) names += (names.empty() ? "" : ", ") + name;
  return fmt::format("unknown image source '{}'; expected {}", text_of(r.source),
                     names.empty() ? "no source= (the config has no [image_source.NAME] section)"
                                   : "source= one of " + names);
}

std::optional<Swap> parse_swap(const std::string& spec, Hertz clock, const std::string& base_dir,
                               std::string* why, SwapOption option) {
  const bool stage = option == SwapOption::Stage;
  const char* what = stage ? "stage" : "swap";
  auto colon = spec.find(':');
  if (colon == std::string::npos) {
    *why = stage ? fmt::format("stage '{}': expected TIME:SCHEDULER[,source=NAME][,KEY=VALUE...]", text_of(spec))
                 : fmt::format("swap '{}': expected TIME:SCHEDULER[,KEY=VALUE...] or TIME:unload[=NAME]",
                               text_of(spec));
    return std::nullopt;
  }
  Swap swap;
  swap.spec = spec;
  std::string reason;
  auto at = parse_simulated_duration(spec.substr(0, colon), clock, &reason);
  if (!at) {
    *why = fmt::format("{} '{}': time '{}': expected {}", what, text_of(spec), text_of(spec.substr(0, colon)), reason);
    return std::nullopt;
  }
  swap.at = *at;
  // The words after TIME: commas (or blanks) between them; a word in double
  // quotes may hold both, so that any plugin path can be named.
  std::vector<std::string> words;
  for (const std::string& part : split_outside_quotes(spec.substr(colon + 1), ','))
    for (const std::string& quoted : value_words(part)) {
      std::string word;
      if (!unquote_value(quoted, &word, &reason)) {
        *why = fmt::format("{} '{}': {}", what, text_of(spec), reason);
        return std::nullopt;
      }
      words.push_back(std::move(word));
    }
  auto kind = stage ? workload::ControlRequest::Kind::Stage : workload::ControlRequest::Kind::Load;
  if (!stage && !words.empty() && (words[0] == "unload" || words[0].rfind("unload=", 0) == 0)) {
    kind = workload::ControlRequest::Kind::Unload;
    words[0].erase(0, words[0].size() > 6 ? 7 : 6);
    if (words[0].empty()) words.erase(words.begin());
  }
  std::string err = workload::parse_control(kind, std::vector<std::string_view>(words.begin(), words.end()),
                                            base_dir, &swap.request);
  if (err.empty()) err = hopeless_load(swap.request);
  if (!err.empty()) {
    *why = fmt::format("{} '{}': {}", what, text_of(spec), err);
    return std::nullopt;
  }
  return swap;
}

}  // namespace vmmsim::config
