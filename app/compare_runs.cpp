#include "app/compare_runs.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <utility>

#include "app/simulation.h"
#include "base/content_hash.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "config/control_checks.h"
#include "workload/control_request.h"

namespace vmmsim::app {
namespace {

namespace fs = std::filesystem;

// The files compare writes beside the run folders in --out (the manifest:
// app/compare_folder.h).
constexpr const char* kSummaryFiles[] = {"compare.csv", "compare.json", "compare.html", "compare-shadow.csv",
                                         "compare.manifest"};

std::string folded(std::string s) {  // some file systems ignore case
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A name made a folder name of --out: one plain path component, only
// letters, digits and ._=-+ (a folder name on any file system), at most
// 100 of them before a "run-" prefix; never "." or "..", never hidden (a
// leading "." becomes "_": compare's temporaries are ".NAME.XXXXXX"), never
// one of compare's own files (prefixed "run-"), never empty.
std::string folder_name(std::string name) {
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string("._=-+").find(c) == std::string::npos)
      c = '_';
  if (name.size() > 100) name.resize(100);
  for (std::size_t i = 0; i < name.size() && name[i] == '.'; ++i) name[i] = '_';
  for (const char* summary : kSummaryFiles)
    if (folded(name) == summary) name = "run-" + name;
  return name.empty() ? "run" : name;
}

// Names say what differs: the config, then each swept value.
std::string readable_name(const std::string& config, const std::vector<config::Override>& sweep) {
  std::string name = config;
  for (const config::Override& o : sweep)
    name += o.key == "vmm.scheduler" ? "--" + o.value
            : o.key == "run.shadow"  ? "--shadow-" + o.value.substr(o.value.find(':') + 1)
                                     : "--" + o.key + "=" + o.value;
  return folder_name(name);
}

// A short stable hash (FNV-1a, 64 bits) of what makes a run: the same
// inputs give the same folder names on every machine.
std::string short_hash(const std::string& text) {
  const std::uint64_t h = fnv1a64(text);
  return fmt::format("{:08x}", static_cast<std::uint32_t>(h ^ (h >> 32)));
}

// Runs whose names collide (ignoring case), as groups of indexes.
std::vector<std::vector<std::size_t>> collisions(const std::vector<std::string>& names) {
  std::map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < names.size(); ++i) by_name[folded(names[i])].push_back(i);
  std::vector<std::vector<std::size_t>> groups;
  for (auto& [name, group] : by_name)
    if (group.size() > 1) groups.push_back(group);
  return groups;
}

}  // namespace

void name_runs(std::vector<CompareRun>& runs,
               const std::vector<std::vector<config::Override>>& swept) {
  std::vector<std::string> keys, names;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(fs::absolute(runs[i].config_path), ec);
    std::string key = canonical.string();
    for (const config::Override& o : runs[i].overrides) key += '\n' + o.key + '=' + o.value;
    auto [first, fresh] = seen.emplace(key, i);
    if (!fresh)
      throw InputError(fmt::format(
          "{} and {}: the same run twice (one config file, the same --schedulers and --set "
          "values); expected each run once",
          runs[first->second].config_path, runs[i].config_path));
    keys.push_back(key);
    names.push_back(readable_name(fs::path(runs[i].config_path).stem().string(), swept[i]));
  }
  for (const auto& group : collisions(names)) {
    std::vector<std::string> with_folder;
    for (std::size_t i : group) {
      fs::path canonical = fs::path(keys[i].substr(0, keys[i].find('\n')));
      with_folder.push_back(readable_name(
          (canonical.parent_path().filename() / canonical.stem()).string(), swept[i]));
    }
    if (!collisions(with_folder).empty()) continue;
    for (std::size_t k = 0; k < group.size(); ++k) names[group[k]] = with_folder[k];
  }
  for (const auto& group : collisions(names))
    for (std::size_t i : group) names[i] += "-" + short_hash(keys[i]);
  if (!collisions(names).empty()) throw std::logic_error("compare: two runs with one folder name");
  for (std::size_t i = 0; i < runs.size(); ++i) runs[i].name = names[i];
}

std::string shadow_override(const std::string& spec) {
  std::string why;
  // The clock only scales tolerance= and host_budget=, whose form is checked here.
  const auto shadow = config::parse_swap("0:" + spec, 1000000000, ".", &why, config::SwapOption::Shadow);
  if (!shadow) {
    const auto detail = why.find("': ");  // past the "shadow '0:SPEC'" it names
    throw InputError(fmt::format("--shadow {}: {}", spec, detail == std::string::npos ? why : why.substr(detail + 3)));
  }
  if (shadow->request.kind != workload::ControlRequest::Kind::Shadow)
    throw InputError(fmt::format("--shadow {}: expected a scheduler to shadow: TARGET[,KEY=VALUE...]", spec));
  const std::string target = spec.substr(0, spec.find(','));
  if (!workload::is_image_path(target) || fs::path(target).is_absolute()) return "0:" + spec;
  return "0:" + fs::absolute(target).lexically_normal().string() + spec.substr(target.size());
}

void check_compare_outputs(const std::vector<CompareRun>& runs, const fs::path& out,
                           bool writable) {
  std::vector<std::string> inputs;
  for (const CompareRun& run : runs)
    for (const std::string& input : inputs_of(run.config)) inputs.push_back(input);
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* name : kSummaryFiles) outputs.emplace_back((out / name).string(), "--out");
  for (const CompareRun& run : runs)
    for (const char* name :
         {"results.json", "timeline.json", "resolved.ini", "report.txt", "errors.txt"})
      outputs.emplace_back((run.dir / name).string(), "--out");
  if (writable) {
    check_outputs(inputs, outputs);
    return;
  }
  OutputPlan plan(inputs);
  for (const auto& [path, option] : outputs) plan.add(path, option);
}

}  // namespace vmmsim::app
