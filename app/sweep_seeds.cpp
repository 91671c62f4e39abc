#include "app/sweep_seeds.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>

#include "base/content_hash.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "base/units.h"
#include "config/ini_syntax.h"
#include "workload/generators.h"

namespace vmmsim::app {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSpecPrefix = "# spec: ";

// The "# spec:" comment among a trace's opening comments, or "".
std::string spec_line(const std::string& trace) {
  std::ifstream in(trace);
  std::string line;
  while (std::getline(in, line) && (line.empty() || line[0] == '#'))
    if (line.rfind(kSpecPrefix, 0) == 0) return line.substr(std::string(kSpecPrefix).size());
  return "";
}

// The spec's words as `vmmsim trace gen` options, the seed replaced.
workload::GeneratorSpec spec_with_seed(const std::string& spec, std::uint64_t* seed, unsigned k,
                                       const std::string& trace) {
  std::istringstream in(spec);
  std::vector<std::string> words{std::istream_iterator<std::string>(in),
                                 std::istream_iterator<std::string>()};
  if (words.empty())
    throw InputError(
        fmt::format("{}: an empty '# spec:' line; expected one vmmsim trace gen wrote", trace));
  std::vector<std::pair<std::string, std::string>> options;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const std::string name = words[i].rfind("--", 0) == 0 ? words[i].substr(2) : "";
    const workload::GeneratorOptionInfo* info = nullptr;
    for (const workload::GeneratorOptionInfo& o : workload::generator_options())
      if (name == o.name) info = &o;
    if (!info || (*info->value_name != '\0' && i + 1 == words.size()))
      throw InputError(fmt::format(
          "{}: '# spec: {}': '{}' is no option of vmmsim trace gen; expected the spec line "
          "vmmsim trace gen wrote",
          trace, shown(spec, 200), shown(words[i])));
    options.emplace_back(name, *info->value_name == '\0' ? "" : words[++i]);
  }
  workload::GeneratorSpec parsed =
      workload::make_generator_spec(workload::parse_generator_kind(words[0]), options);
  if (parsed.seed > std::numeric_limits<std::uint64_t>::max() - k)
    throw InputError(
        fmt::format("{}: --seed {} + {} is past 2^64 - 1; expected a trace of a smaller seed",
                    trace, parsed.seed, k));
  *seed = parsed.seed += k;
  return parsed;
}

}  // namespace

TraceReseeder::TraceReseeder(unsigned seeds, fs::path traces)
    : m_seeds(seeds), m_traces(std::move(traces)) {}

std::string TraceReseeder::reseeded(const std::string& trace, unsigned k) {
  const std::string key = trace + '\n' + std::to_string(k);
  if (auto done = m_written.find(key); done != m_written.end()) return done->second;
  std::uint64_t seed = 0;
  workload::GeneratorSpec spec = spec_with_seed(m_spec[trace], &seed, k, trace);
  // The same stem from two folders: the hash of the original's path tells them apart.
  const fs::path file =
      m_traces / fmt::format("{}-{:08x}-seed{}.trace", fs::path(trace).stem().string(),
                             static_cast<std::uint32_t>(fnv1a64(fs::absolute(trace).string())),
                             seed);
  spec.command.clear();  // its "# spec:" line says how to make it again
  std::error_code ec;
  fs::create_directories(m_traces, ec);
  write_whole_file(file.string(), workload::generate_trace(spec), "--out");
  return m_written[key] = file.string();
}

std::vector<config::Override> TraceReseeder::operator()(const config::Config& config, unsigned k) {
  std::vector<config::Override> overrides;
  for (const config::VmConfig& vm : config.vms) {
    if (!m_spec.count(vm.trace_path)) m_spec[vm.trace_path] = spec_line(vm.trace_path);
    if (m_spec[vm.trace_path].empty()) continue;
    const std::string key = vm.service ? "service.trace" : "vm." + vm.name + ".trace";
    overrides.push_back({key, config::quoted_value(reseeded(vm.trace_path, k))});
  }
  if (overrides.empty())
    throw InputError(fmt::format(
        "--seeds {}: {} has no trace that vmmsim trace gen wrote (none has a '# spec:' "
        "line), so no seed to vary; expected --seeds 1, or a config with a generated trace",
        m_seeds, config.file));
  return overrides;
}

}  // namespace vmmsim::app
