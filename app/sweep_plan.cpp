// `vmmsim sweep plan CONFIG... --out DIR` (docs/sweeps.md "On a laptop", "The sweep folder"): the
// runs of a comparison, each checked as compare checks them, written as a
// manifest with the scripts that run it. Nothing runs here.
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <sstream>

#include "app/command_options.h"
#include "app/run_child.h"
#include "app/run_matrix.h"
#include "app/simulation.h"
#include "app/sweep_command.h"
#include "app/sweep_manifest.h"
#include "app/sweep_scripts.h"
#include "app/sweep_seeds.h"
#include "base/content_hash.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "config/config_writer.h"

namespace vmmsim::app {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;

// Slurm's default MaxArraySize is 1001: without --chunk, the array stays
// within it.
constexpr std::size_t kArrayTasks = 1000;
constexpr std::size_t kMaxRunning = 100;

std::size_t whole_number(const std::string& option, const std::string& text, std::uint64_t most) {
  const auto n = parse_count(text, nullptr);
  if (!n || *n < 1 || *n > most)
    throw InputError(
        fmt::format("--{} {}: expected a whole number from 1 to {}", option, text, most));
  return static_cast<std::size_t>(*n);
}

// The --out folder while the plan is written: a new or empty one, whose
// contents go again if the plan does not finish.
class PlanFolder {
 public:
  explicit PlanFolder(const std::string& out) : m_dir(fs::absolute(out).lexically_normal()) {
    if (!m_dir.has_filename()) m_dir = m_dir.parent_path();
    std::error_code ec;
    if (fs::exists(m_dir, ec)) {
      if (!fs::is_directory(m_dir, ec))
        throw InputError(fmt::format(
            "--out {}: not a folder; expected a new or empty folder for the sweep", out));
      if (!fs::is_empty(m_dir, ec))
        throw InputError(fmt::format(
            "--out {}: not empty; expected a new or empty folder (a sweep is planned once: "
            "plan another in a new folder)",
            out));
    } else {
      for (fs::path at = m_dir; !at.empty() && !fs::exists(at, ec); at = at.parent_path())
        m_made = at;
      if (!fs::create_directories(m_dir, ec))
        throw InputError(fmt::format(
            "--out {}: cannot create ({}); expected a folder that can be made", out, ec.message()));
    }
  }
  // The sweep's own folders, after the constructor: a failure here removes them again.
  void make_parts(const std::string& out) const {
    std::error_code ec;
    for (const char* sub : {"configs", "runs", "failed", "locks", "logs"})
      if (!fs::create_directory(m_dir / sub, ec))
        throw InputError(
            fmt::format("--out {}: cannot create {} in it ({}); expected a writable folder", out,
                        sub, ec.message()));
  }
  // Unless kept: what it made goes, the folders it made too.
  ~PlanFolder() {
    if (m_done) return;
    std::error_code ec;
    if (!m_made.empty())
      fs::remove_all(m_made, ec);
    else
      for (const auto& entry : fs::directory_iterator(m_dir, ec)) fs::remove_all(entry.path(), ec);
  }
  const fs::path& dir() const { return m_dir; }
  void keep() { m_done = true; }

 private:
  fs::path m_dir;
  fs::path m_made;  // the outermost folder made for it, if any
  bool m_done = false;
};

void write_file(const fs::path& file, const std::string& text, bool executable = false) {
  write_whole_file(file.string(), text, "--out");
  if (!executable) return;
  // Executable by whoever may read it.
  std::error_code ec;
  const fs::perms p = fs::status(file, ec).permissions();
  fs::perms x = fs::perms::none;
  if ((p & fs::perms::owner_read) != fs::perms::none) x |= fs::perms::owner_exec;
  if ((p & fs::perms::group_read) != fs::perms::none) x |= fs::perms::group_exec;
  if ((p & fs::perms::others_read) != fs::perms::none) x |= fs::perms::others_exec;
  fs::permissions(file, x, fs::perm_options::add, ec);
}

}  // namespace

int sweep_plan_command(const std::vector<std::string>& args) {
  po::options_description options("vmmsim sweep plan CONFIG... --out DIR [options]");
  std::vector<std::string> configs, sets;
  std::string schedulers, out, until, window = kDefaultWindow, seeds_text, chunk_text, running_text;
  options.add_options()("help,h", "show this help")(
      "schedulers", po::value(&schedulers),
      "comma list of schedulers (default: each config's own)")(
      "set", po::value(&sets)->composing(),
      "override a config value in every run: SECTION.KEY=VALUE; a comma list of values "
      "sweeps it, each combination a run of its own (repeatable)")(
      "seeds", po::value(&seeds_text)->value_name("N"),
      "run every combination with N seeds: each trace that vmmsim trace gen wrote made "
      "again with its --seed + 1, ..., + N-1 (1 to 100000; docs/sweeps.md \"Seeds\")")(
      "chunk", po::value(&chunk_text)->value_name("C"),
      "runs per Slurm array task and per parallel job (default: 1, or as many as keep the "
      "array within 1000 tasks)")("max-running", po::value(&running_text)->value_name("M"),
                                  "array tasks Slurm runs at once (%M of --array; default 100)")(
      "out", po::value(&out)->value_name("DIR"), "the sweep's folder: new or empty (required)")(
      "until", po::value(&until),
      "simulated time of every run (default: each config's [run] until)")(
      "window", po::value(&window),
      "time window FROM:TO of the timelines and the Gantt chart, as compare's --window");
  po::options_description all;
  all.add(options).add_options()("config", po::value(&configs));
  po::positional_options_description positional;
  positional.add("config", -1);
  const po::variables_map vm = parse_options("vmmsim sweep plan", args, all, positional);
  if (printed_help(
          vm, options,
          "\nWrites DIR/sweep.json (the vmmsim and the command that planned it), "
          "DIR/manifest.jsonl (a\n"
          "line per run), DIR/configs/ (each run's resolved config), DIR/slurm.sbatch and\n"
          "DIR/parallel.sh. Every run is checked first: bad input writes nothing (exit 2).\n"))
    return 0;
  if (configs.empty())
    throw InputError("vmmsim sweep plan: missing CONFIG; see 'vmmsim sweep plan --help'");
  if (out.empty())
    throw InputError("vmmsim sweep plan: missing --out DIR; expected the sweep's folder");
  const unsigned seeds =
      vm.count("seeds") ? static_cast<unsigned>(whole_number("seeds", seeds_text, 100000)) : 0;
  std::size_t chunk = vm.count("chunk") ? whole_number("chunk", chunk_text, 1000000) : 0;
  const std::size_t max_running =
      vm.count("max-running") ? whole_number("max-running", running_text, 1000000) : kMaxRunning;

  PlanFolder folder(out);
  folder.make_parts(out);
  const fs::path& dir = folder.dir();
  TraceReseeder reseeder(seeds, dir / "traces");
  const std::vector<CompareRun> runs =
      expand_runs({configs, schedulers, sets, until, seeds, std::ref(reseeder), {}});
  const auto window_cycles = parse_time_window(window, runs.front().config.platform.clock);
  if (!window_cycles)
    throw InputError(fmt::format("--window {}: expected FROM:TO like 0:100ms", window));
  if (chunk == 0) chunk = std::max<std::size_t>(1, (runs.size() + kArrayTasks - 1) / kArrayTasks);

  // Each run as the manifest says it, with its resolved config and inputs.
  std::map<std::string, std::string> hashes;  // input file -> its hash, read once
  std::string manifest;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const CompareRun& r = runs[i];
    std::ostringstream resolved;
    config::write_resolved_config(r.config, resolved);
    SweepRun run{i, r.name, r.config_path, r.config.vmm.scheduler, r.overrides, r.seed, "", "", {}};
    run.resolved_hash = fmt::format("{:016x}", fnv1a64(resolved.str()));
    run.resolved = "configs/" + run.resolved_hash + ".ini";
    if (!fs::exists(dir / run.resolved)) write_file(dir / run.resolved, resolved.str());
    for (const std::string& input : inputs_of(r.config)) {
      auto [at, fresh] = hashes.emplace(input, "");
      if (fresh) at->second = file_fnv1a64(input).value_or("unreadable");
      run.inputs.emplace_back(input, at->second);
    }
    manifest += run_json(run) + "\n";
  }
  write_file(dir / kManifestLines, manifest);

  SweepHeader header;
  header.planned_by = VmmsimBuild::current();
  header.command = {"vmmsim", "sweep", "plan"};
  header.command.insert(header.command.end(), args.begin(), args.end());
  header.cwd = fs::current_path().string();
  header.runs = runs.size();
  header.chunk = chunk;
  header.max_running = max_running;
  header.until = until;
  header.window = *window_cycles;
  header.window_given = vm.count("window") > 0;
  header.window_clock = runs.front().config.platform.clock;
  const SweepScripts scripts{dir.string(), header.planned_by.executable, runs.size(), chunk,
                             max_running};
  write_file(dir / "slurm.sbatch", slurm_script(scripts), true);
  write_file(dir / "parallel.sh", parallel_script(scripts), true);
  write_file(dir / kSweepFile, header_json(header));  // last: the folder is a sweep from here on
  folder.keep();

  const std::string d = printable(shell_word(dir.string()));
  std::cout << fmt::format(
      "planned {} runs in {} ({})\n"
      "  here:      {}/parallel.sh, or vmmsim sweep run {} --index 0 --count {} --jobs N\n"
      "  Slurm:     sbatch {}/slurm.sbatch ({} array tasks of {} run{}, at most {} at once)\n"
      "  ssh hosts: {}/parallel.sh HOSTS\n"
      "  then:      vmmsim sweep status {}; vmmsim sweep collect {}\n",
      runs.size(), d, header.planned_by.text(), d, d, runs.size(), d, scripts.tasks(), chunk,
      chunk == 1 ? "" : "s", max_running, d, d, d);
  return 0;
}

}  // namespace vmmsim::app
