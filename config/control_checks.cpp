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
  using Kind = workload::ControlRequest::Kind;
  if (r.kind == Kind::Unload || r.kind == Kind::Unshadow) return "";  // no image named
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

namespace {

// What each option takes: its name in messages, its forms, the request kind.
struct TimedForm {
  const char* what;
  const char* forms;
  workload::ControlRequest::Kind kind;
};

TimedForm timed_form(SwapOption option) {
  using Kind = workload::ControlRequest::Kind;
  switch (option) {
    case SwapOption::Stage: return {"stage", "TIME:SCHEDULER[,source=NAME][,KEY=VALUE...]", Kind::Stage};
    case SwapOption::Shadow: return {"shadow", "TIME:SCHEDULER[,KEY=VALUE...] or TIME:unshadow", Kind::Shadow};
    case SwapOption::Swap: break;
  }
  return {"swap", "TIME:SCHEDULER[,KEY=VALUE...] or TIME:unload[=NAME]", Kind::Load};
}

}  // namespace

// Commas (or blanks) between the words; a word in double quotes may hold
// both, so that any plugin path can be named.
bool control_words(std::string_view text, std::vector<std::string>* words, std::string* why) {
  for (const std::string& part : split_outside_quotes(text, ','))
    for (const std::string& quoted : value_words(part)) {
      std::string word;
      if (!unquote_value(quoted, &word, why)) return false;
      words->push_back(std::move(word));
    }
  return true;
}

// TIME:WORDS, one parser for --swap, --stage and --shadow (and their [run] keys).
std::optional<Swap> parse_swap(const std::string& spec, Hertz clock, const std::string& base_dir,
                               std::string* why, SwapOption option) {
  const TimedForm form = timed_form(option);
  const char* what = form.what;
  auto colon = spec.find(':');
  if (colon == std::string::npos) {
    *why = fmt::format("{} '{}': expected {}", what, text_of(spec), form.forms);
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
  std::vector<std::string> words;
  if (!control_words(spec.substr(colon + 1), &words, &reason)) {
    *why = fmt::format("{} '{}': {}", what, text_of(spec), reason);
    return std::nullopt;
  }
  auto kind = form.kind;
  if (option == SwapOption::Shadow && !words.empty() && words[0] == "unshadow") {
    kind = workload::ControlRequest::Kind::Unshadow;
    words.erase(words.begin());
  } else if (option == SwapOption::Swap && !words.empty() &&
             (words[0] == "unload" || words[0].rfind("unload=", 0) == 0)) {
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
