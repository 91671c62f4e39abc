// A planned sweep's folder (docs/sweeps.md "The sweep folder"): sweep.json,
// what planned it, and manifest.jsonl, one JSON line per run. Written once by
// `vmmsim sweep plan`, read by `sweep run`, `collect` and `status`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"
#include "config/config_parser.h"

namespace vmmsim::app {

inline constexpr const char* kSweepFile = "sweep.json";
inline constexpr const char* kManifestLines = "manifest.jsonl";

// The vmmsim that runs now, as `vmmsim --version` gives it.
struct VmmsimBuild {
  std::string version, git, systemc;
  std::string executable;       // its absolute path
  std::string executable_hash;  // base/content_hash.h, of its bytes
  static VmmsimBuild current();
  // Results of `other` are this build's results: the same version and git
  // revision, and for a revision with uncommitted changes ("+dirty") or none
  // ("unknown") the same executable bytes too.
  bool same_results_as(const VmmsimBuild& other) const;
  std::string text() const;  // "vmmsim 0.1 (git 4d7353eae017)"
};

// sweep.json.
struct SweepHeader {
  VmmsimBuild planned_by;
  std::vector<std::string> command;  // the plan's command line
  std::string cwd;                   // where it ran: configs' relative paths start there
  std::size_t runs = 0, chunk = 1, max_running = 0;
  std::string until;  // --until, "" = each config's own
  TimeWindow window;  // of the timelines, in cycles of window_clock
  bool window_given = false;
  Hertz window_clock = 0;
};

// One line of manifest.jsonl.
struct SweepRun {
  std::size_t index = 0;
  std::string name;       // its folder's name (docs/compare.md)
  std::string config;     // as given to plan (relative to SweepHeader::cwd)
  std::string scheduler;  // [vmm] scheduler in effect
  std::vector<config::Override> overrides;
  std::optional<unsigned> seed;  // --seeds: which seed (app/sweep_seeds.h)
  std::string resolved;          // the resolved config's copy, in the sweep folder
  std::string resolved_hash;     // of its text
  std::vector<std::pair<std::string, std::string>> inputs;  // every input file and its hash
};

struct Sweep {
  std::filesystem::path dir;  // absolute
  SweepHeader header;
  std::vector<SweepRun> runs;
};

std::string header_json(const SweepHeader& header);  // the whole of sweep.json
std::string run_json(const SweepRun& run);           // one line, without its line break

// Reads DIR's sweep. InputError naming the file and line for a folder that
// is no planned sweep or a file that is not one of ours.
Sweep read_sweep(const std::filesystem::path& dir);

// A run's result is complete once this file is in its folder: written last,
// by a rename, into the folder that is then renamed into place.
inline constexpr const char* kCompleteFile = "complete.json";

// Where a run's result goes, its failure record, and its lock.
std::filesystem::path result_dir(const Sweep& sweep, const SweepRun& run);
std::filesystem::path failure_dir(const Sweep& sweep, const SweepRun& run);
std::filesystem::path lock_file(const Sweep& sweep, const SweepRun& run);
bool is_complete(const Sweep& sweep, const SweepRun& run);

}  // namespace vmmsim::app
