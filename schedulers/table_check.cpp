#include "schedulers/table_check.h"

#include <cstring>
#include <map>
#include <string_view>
#include <type_traits>

#include <fmt/format.h>

#include "base/text.h"

namespace vmmsim::sched {
namespace {

constexpr const char* kNameChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
// Keys as sched-load's KEY=VALUE and [sched.NAME] take them: any other key
// could never be set.
constexpr const char* kKeyChars = "abcdefghijklmnopqrstuvwxyz0123456789_";

// A C string of the table, read no further than `max` + 1 bytes.
std::string_view bounded(const char* s, std::size_t max) { return {s, strnlen(s, max + 1)}; }

std::string quoted(std::string_view s) { return "'" + shown(s, kMaxNameChars) + "'"; }

// "" or why `s` is not a name made of `allowed`.
std::string bad_name(const char* s, const char* allowed, const char* allowed_words) {
  std::string_view name = bounded(s, kMaxNameChars);
  if (!name.empty() && name.size() <= kMaxNameChars && name.find_first_not_of(allowed) == std::string_view::npos)
    return "";
  return fmt::format("{}; expected 1 to {} characters of {}", quoted(name), kMaxNameChars, allowed_words);
}

// "" or why `s` is not one line of printable ASCII for people.
std::string bad_text(const char* s) {
  std::string_view text = bounded(s, kMaxTextChars);
  bool printable = true;
  for (char c : text) printable = printable && c >= ' ' && c <= '~';
  if (printable && text.size() <= kMaxTextChars) return "";
  return fmt::format("{}; expected one line of at most {} printable ASCII characters", quoted(text),
                     kMaxTextChars);
}

// Every operation the VMM calls must be there (tick and dump are optional).
const char* missing_operation(const vmm_sched_ops_t& ops) {
  if (!ops.create) return "create";
  if (!ops.destroy) return "destroy";
  if (!ops.insert) return "insert";
  if (!ops.remove) return "remove";
  if (!ops.wake) return "wake";
  if (!ops.block) return "block";
  if (!ops.yield) return "yield";
  if (!ops.pick_next) return "pick_next";
  if (!ops.priority) return "priority";
  return nullptr;
}

std::string spec_defect(const vmm_param_spec_t& spec, const std::string& at) {
  if (!spec.key) return fmt::format("has {} with no key", at);
  std::string why = bad_name(spec.key, kKeyChars, "a-z, 0-9 and '_' (as KEY=VALUE takes them)");
  if (!why.empty()) return fmt::format("has {} key {}", at, why);
  const std::string named = fmt::format("{} '{}'", at, spec.key);
  // A plugin's kind may be any bit pattern: read as the enum, a value that
  // is no enumerator is undefined behaviour in C++, so its bytes are read.
  std::underlying_type_t<vmm_param_kind_t> raw_kind;
  static_assert(sizeof raw_kind == sizeof spec.kind);
  std::memcpy(&raw_kind, &spec.kind, sizeof raw_kind);
  const auto kind = static_cast<long long>(raw_kind);
  if (kind != VMM_PARAM_INTEGER && kind != VMM_PARAM_DURATION)
    return fmt::format("has {} of kind {}; expected VMM_PARAM_INTEGER (0) or VMM_PARAM_DURATION (1)", named, kind);
  if (!spec.help) return fmt::format("has {} with no help", named);
  why = bad_text(spec.help);
  if (!why.empty()) return fmt::format("has {} help {}", named, why);
  if (spec.min > spec.max) return fmt::format("has {} with min {} > max {}", named, spec.min, spec.max);
  if (spec.default_value < spec.min || spec.default_value > spec.max)
    return fmt::format("has {} default {} outside its range {}..{}", named, spec.default_value, spec.min, spec.max);
  if (kind == VMM_PARAM_DURATION && (spec.min < 0 || spec.max > kMaxDurationMicros))
    return fmt::format("has {} range {}us..{}us; expected durations from 0us to {}us", named, spec.min, spec.max,
                       kMaxDurationMicros);
  return "";
}

std::string specs_defect(const vmm_param_spec_t* specs, std::uint32_t count, const char* array,
                         const char* count_field) {
  if (count > kMaxParams) return fmt::format("has {} {}; expected at most {}", count_field, count, kMaxParams);
  if (count > 0 && !specs) return fmt::format("has {} NULL with {} {}", array, count_field, count);
  std::map<std::string_view, std::uint32_t> first;
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string why = spec_defect(specs[i], fmt::format("{}[{}]", array, i));
    if (!why.empty()) return why;
    auto [seen, fresh] = first.emplace(specs[i].key, i);
    if (!fresh)
      return fmt::format("has {}[{}] '{}' again (first {}[{}]); expected each key once", array, i, specs[i].key, array,
                         seen->second);
  }
  return "";
}

}  // namespace

std::string table_defect(const vmm_sched_ops_t& ops) {
  if (!ops.name) return "has no 'name'";
  std::string why = bad_name(ops.name, kNameChars, "A-Z, a-z, 0-9, '_' and '-'");
  if (!why.empty()) return "has name " + why;
  if (const char* missing = missing_operation(ops)) return fmt::format("has no '{}'", missing);
  if (!ops.description) return "has no description";
  why = bad_text(ops.description);
  if (!why.empty()) return "has description " + why;
  why = specs_defect(ops.params, ops.param_count, "params", "param_count");
  if (!why.empty()) return why;
  return specs_defect(ops.vm_params, ops.vm_param_count, "vm_params", "vm_param_count");
}

}  // namespace vmmsim::sched
