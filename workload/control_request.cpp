#include "workload/control_request.h"

#include <filesystem>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "base/text.h"

namespace vmmsim::workload {
namespace {

// The trace format's blanks (workload/trace_parser.cpp).
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string quoted(std::string_view word) { return "'" + shown(word) + "'"; }

// Every word of `text`.
std::vector<std::string_view> all_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    std::size_t start = i;
    while (i < text.size() && !is_space(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

// A relative image path is relative to `base_dir` (the trace's folder); with
// no base it is left as written. The result keeps a '/' so that dlopen takes
// it as a path rather than searching the library path.
std::string resolve_image(std::string_view target, const std::string& base_dir) {
  namespace fs = std::filesystem;
  fs::path path{std::string(target)};
  if (path.is_absolute()) return path.lexically_normal().string();
  if (base_dir.empty()) return std::string(target);
  std::string resolved = (fs::path(base_dir) / path).lexically_normal().string();
  if (resolved.find('/') == std::string::npos) resolved = "./" + resolved;
  return resolved;
}

bool is_param_key(std::string_view key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

constexpr const char* kPolicies = "policy=keep-old, policy=unload-old, policy=unload-after or policy=auto";

}  // namespace

bool is_image_path(std::string_view target) {
  return target.find('/') != std::string_view::npos ||
         (target.size() > 3 && target.substr(target.size() - 3) == ".so");
}

const char* control_keyword(ControlRequest::Kind kind) {
  switch (kind) {
    case ControlRequest::Kind::Load: return "sched-load";
    case ControlRequest::Kind::Unload: return "sched-unload";
    case ControlRequest::Kind::Stage: return "sched-stage";
    case ControlRequest::Kind::Shadow: return "sched-shadow";
    case ControlRequest::Kind::Unshadow: return "sched-unshadow";
  }
  return "?";
}

std::string parse_control(ControlRequest::Kind kind, std::string_view words,
                          const std::string& base_dir, ControlRequest* out) {
  return parse_control(kind, all_words(words), base_dir, out);
}

std::string parse_control(ControlRequest::Kind kind, const std::vector<std::string_view>& w,
                          const std::string& base_dir, ControlRequest* out) {
  if (out == nullptr) throw std::invalid_argument("parse_control: no output");  // a caller's bug
  if (kind == ControlRequest::Kind::Unshadow) {
    if (!w.empty())
      return fmt::format("extra argument {}; expected nothing after sched-unshadow (it ends the shadow on)",
                         quoted(w[0]));
    *out = ControlRequest{};
    out->kind = kind;
    return "";
  }
  if (kind == ControlRequest::Kind::Unload) {
    if (w.size() > 1)
      return fmt::format(
          "extra argument {} after {}; expected one scheduler name, or none for the active one",
          quoted(w[1]), quoted(w[0]));
    if (w.size() == 1 && (is_image_path(w[0]) || w[0].find('=') != std::string_view::npos))
      return fmt::format(
          "{} to unload; expected a scheduler's name (not an image path or KEY=VALUE), or none "
          "for the active one",
          quoted(w[0]));
    out->kind = kind;
    out->target = w.empty() ? std::string() : std::string(w[0]);
    out->policy = LoadPolicy::Auto;
    out->params.clear();
    out->source.clear();
    return "";
  }

  const bool stage = kind == ControlRequest::Kind::Stage;
  const bool shadow = kind == ControlRequest::Kind::Shadow;
  if (w.empty())
    return stage    ? "no scheduler named; expected a built-in scheduler name or a shared-object path, then "
                      "[source=NAME] [KEY=VALUE ...]"
           : shadow ? "no scheduler named; expected a built-in scheduler name or a shared-object path, then "
                      "[tolerance=DURATION] [host_budget=DURATION] [KEY=VALUE ...]"
                    : "no scheduler named; expected a built-in scheduler name or a shared-object path, then "
                      "[policy=keep-old|unload-old|unload-after|auto] [source=NAME] [KEY=VALUE ...]";
  std::string_view target = w[0];
  bool path = is_image_path(target);
  if (!path && target.find('=') != std::string_view::npos)
    return fmt::format(
        "{} where the scheduler belongs; expected a built-in scheduler name or a shared-object "
        "path before any KEY=VALUE",
        quoted(target));
  LoadPolicy policy = LoadPolicy::Auto;
  std::string_view policy_word;  // the policy= given, if any
  std::string_view source_word;  // the source= given, if any
  std::vector<std::pair<std::string, std::string>> params;
  for (std::size_t i = 1; i < w.size(); ++i) {
    std::string_view word = w[i];
    std::size_t eq = word.find('=');
    if (eq == std::string_view::npos)
      return fmt::format(
          "{} after the scheduler; expected only policy= and KEY=VALUE parameters after it",
          quoted(word));
    std::string_view key = word.substr(0, eq);
    std::string_view value = word.substr(eq + 1);
    if (shadow && (key == "policy" || key == "source"))
      return fmt::format("{} for a shadow, which is never loaded into a slot; expected only KEY=VALUE "
                         "parameters of the scheduler, tolerance= and host_budget=",
                         quoted(word));
    if (key == "policy" && stage)
      return fmt::format("{} with a stage; expected no policy= (a staged image replaces nothing until the "
                         "sched-load that activates it, which takes the policy)",
                         quoted(word));
    if (key == "policy") {
      if (!policy_word.empty())
        return fmt::format("second policy {} (first {}); expected at most one policy=",
                           quoted(word), quoted(policy_word));
      if (value == "keep-old")
        policy = LoadPolicy::KeepOld;
      else if (value == "unload-old")
        policy = LoadPolicy::UnloadOld;
      else if (value == "auto")
        policy = LoadPolicy::Auto;
      else if (value == "unload-after")
        policy = LoadPolicy::UnloadAfter;
      else
        return fmt::format("bad policy {}; expected {}", quoted(value), kPolicies);
      policy_word = word;
      continue;
    }
    if (key == "source") {
      if (!source_word.empty())
        return fmt::format("second source {} (first {}); expected at most one source=", quoted(word),
                           quoted(source_word));
      if (!plain_name(value))
        return fmt::format("bad source {}; expected source=NAME of an [image_source.NAME] section (letters, "
                           "digits, '_', '-')",
                           quoted(value));
      // [0019]: a built-in is part of the VMM; only a plugin image is fetched.
      if (!path)
        return fmt::format("{} for the built-in {}, whose image is in the VMM's own memory; expected source= "
                           "only with a plugin path",
                           quoted(word), quoted(target));
      source_word = word;
      continue;
    }
    if (!is_param_key(key))
      return fmt::format("bad parameter key {} in {}; expected KEY=VALUE with KEY of a-z, 0-9, _",
                         quoted(key), quoted(word));
    if (value.empty())
      return fmt::format("parameter {} without a value; expected KEY=VALUE with a non-empty VALUE",
                         quoted(word));
    for (const auto& [seen, first] : params)
      if (seen == key)
        return fmt::format("parameter {} twice ({}={} first); expected each KEY once", quoted(key),
                           shown(seen), shown(first));
    params.emplace_back(std::string(key), std::string(value));
  }
  out->kind = kind;
  out->target = path ? resolve_image(target, base_dir) : std::string(target);
  out->policy = policy;
  out->params = std::move(params);
  out->source = source_word.empty() ? std::string() : std::string(source_word.substr(7));
  return "";
}

}  // namespace vmmsim::workload
