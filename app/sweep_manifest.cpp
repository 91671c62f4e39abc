#include "app/sweep_manifest.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <systemc>

#include "base/content_hash.h"
#include "base/input_error.h"
#include "base/text.h"
#include "vmmsim_version.h"

namespace vmmsim::app {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;  // keys in the order written: the same bytes for the same plan

constexpr const char* kFormat = "vmmsim-sweep 1";

std::string self_executable() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.string();
}

Json build_json(const VmmsimBuild& b) {
  return Json{{"version", b.version},
              {"git", b.git},
              {"systemc", b.systemc},
              {"executable", b.executable},
              {"executable_hash", b.executable_hash}};
}

VmmsimBuild build_of(const Json& j) {
  return {j.at("version").get<std::string>(), j.at("git").get<std::string>(),
          j.at("systemc").get<std::string>(), j.at("executable").get<std::string>(),
          j.at("executable_hash").get<std::string>()};
}

SweepRun run_of(const Json& j) {
  SweepRun run;
  run.index = j.at("index").get<std::size_t>();
  run.name = j.at("name").get<std::string>();
  run.config = j.at("config").get<std::string>();
  run.scheduler = j.at("scheduler").get<std::string>();
  for (const Json& o : j.at("overrides"))
    run.overrides.push_back({o.at("key").get<std::string>(), o.at("value").get<std::string>()});
  if (!j.at("seed").is_null()) run.seed = j.at("seed").get<unsigned>();
  run.resolved = j.at("resolved").get<std::string>();
  run.resolved_hash = j.at("resolved_hash").get<std::string>();
  for (const Json& i : j.at("inputs"))
    run.inputs.emplace_back(i.at("path").get<std::string>(), i.at("hash").get<std::string>());
  // A name is one plain folder name (app/compare_runs.cpp): never a path out of the sweep.
  if (run.name.empty() || run.name.find('/') != std::string::npos || run.name[0] == '.')
    throw std::runtime_error("a run name that is no folder name");
  return run;
}

std::string read_text(const fs::path& file, const char* what) {
  std::ifstream in(file);
  if (!in)
    throw InputError(
        fmt::format("{}: cannot read {} ({}); expected a folder planned by vmmsim sweep plan",
                    file.parent_path().string(), what, std::strerror(errno)));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

VmmsimBuild VmmsimBuild::current() {
  VmmsimBuild b{VMMSIM_VERSION, VMMSIM_GIT_REVISION, sc_core::sc_release(), self_executable(), ""};
  b.executable_hash = file_fnv1a64(b.executable).value_or("");
  return b;
}

bool VmmsimBuild::same_results_as(const VmmsimBuild& other) const {
  if (version != other.version || git != other.git) return false;
  const bool exact = git != "unknown" && git.find("+dirty") == std::string::npos;
  return exact || executable_hash == other.executable_hash;
}

std::string VmmsimBuild::text() const { return fmt::format("vmmsim {} (git {})", version, git); }

std::string header_json(const SweepHeader& h) {
  Json j{{"format", kFormat},
         {"planned_by", build_json(h.planned_by)},
         {"command", h.command},
         {"cwd", h.cwd},
         {"runs", h.runs},
         {"chunk", h.chunk},
         {"max_running", h.max_running},
         {"until", h.until.empty() ? Json() : Json(h.until)},
         {"window", Json{{"from_cycles", h.window.from},
                         {"to_cycles", h.window.to},
                         {"given", h.window_given},
                         {"clock_hz", h.window_clock}}},
         {"manifest", kManifestLines}};
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

std::string run_json(const SweepRun& run) {
  Json overrides = Json::array(), inputs = Json::array();
  for (const config::Override& o : run.overrides)
    overrides.push_back(Json{{"key", o.key}, {"value", o.value}});
  for (const auto& [path, hash] : run.inputs)
    inputs.push_back(Json{{"path", path}, {"hash", hash}});
  Json j{{"index", run.index},       {"name", run.name},
         {"config", run.config},     {"scheduler", run.scheduler},
         {"overrides", overrides},   {"seed", run.seed ? Json(*run.seed) : Json()},
         {"resolved", run.resolved}, {"resolved_hash", run.resolved_hash},
         {"inputs", inputs},         {"dir", "runs/" + run.name}};
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Sweep read_sweep(const fs::path& dir) {
  Sweep sweep;
  std::error_code ec;
  sweep.dir = fs::absolute(dir, ec).lexically_normal();
  if (!sweep.dir.has_filename()) sweep.dir = sweep.dir.parent_path();
  const fs::path header_file = sweep.dir / kSweepFile;
  if (!fs::is_regular_file(header_file, ec))
    throw InputError(fmt::format(
        "{}: no {} (not a sweep, or its plan did not finish); expected a folder planned "
        "by vmmsim sweep plan",
        dir.string(), kSweepFile));
  try {
    const Json j = Json::parse(read_text(header_file, kSweepFile));
    if (j.at("format") != kFormat)
      throw std::runtime_error("format is not " + std::string(kFormat));
    SweepHeader& h = sweep.header;
    h.planned_by = build_of(j.at("planned_by"));
    h.command = j.at("command").get<std::vector<std::string>>();
    h.cwd = j.at("cwd").get<std::string>();
    h.runs = j.at("runs").get<std::size_t>();
    h.chunk = j.at("chunk").get<std::size_t>();
    h.max_running = j.at("max_running").get<std::size_t>();
    h.until = j.at("until").is_null() ? "" : j.at("until").get<std::string>();
    const Json& w = j.at("window");
    h.window = {w.at("from_cycles").get<Cycles>(), w.at("to_cycles").get<Cycles>()};
    h.window_given = w.at("given").get<bool>();
    h.window_clock = w.at("clock_hz").get<Hertz>();
  } catch (const std::exception& e) {
    throw InputError(fmt::format("{}: {}; expected the {} that vmmsim sweep plan wrote",
                                 header_file.string(), e.what(), kSweepFile));
  }
  std::istringstream lines(read_text(sweep.dir / kManifestLines, kManifestLines));
  std::string line;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    try {
      sweep.runs.push_back(run_of(Json::parse(line)));
      if (sweep.runs.back().index != number - 1) throw std::runtime_error("index out of order");
    } catch (const std::exception& e) {
      throw InputError(fmt::format("{}:{}: {}; expected the {} that vmmsim sweep plan wrote",
                                   (sweep.dir / kManifestLines).string(), number, e.what(),
                                   kManifestLines));
    }
  }
  if (sweep.runs.size() != sweep.header.runs)
    throw InputError(
        fmt::format("{}: {} runs, sweep.json says {}; expected the {} that vmmsim sweep plan wrote",
                    (sweep.dir / kManifestLines).string(), sweep.runs.size(), sweep.header.runs,
                    kManifestLines));
  return sweep;
}

fs::path result_dir(const Sweep& sweep, const SweepRun& run) {
  return sweep.dir / "runs" / run.name;
}
fs::path failure_dir(const Sweep& sweep, const SweepRun& run) {
  return sweep.dir / "failed" / run.name;
}
fs::path lock_file(const Sweep& sweep, const SweepRun& run) {
  return sweep.dir / "locks" / (run.name + ".lock");
}

bool is_complete(const Sweep& sweep, const SweepRun& run) {
  std::error_code ec;
  return fs::is_regular_file(result_dir(sweep, run) / kCompleteFile, ec);
}

}  // namespace vmmsim::app
