// `vmmsim sweep collect DIR` and `vmmsim sweep status DIR` (docs/sweeps.md
// "On a laptop", "Commands"): what became of each run, read from the sweep's folders
// alone, whoever ran them and wherever.
#include <fmt/format.h>

#include <iostream>

#include "app/command_options.h"
#include "app/compare_summary.h"
#include "app/run_batch.h"
#include "app/sweep_command.h"
#include "app/sweep_lock.h"
#include "app/sweep_manifest.h"
#include "base/input_error.h"
#include "base/text.h"

namespace vmmsim::app {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using State = CompareRun::State;

// Each run as compare sees it: done (its result complete), failed (a failure
// record and no result), or missing (not run yet, or running now).
std::vector<CompareRun> run_states(const Sweep& sweep) {
  std::vector<CompareRun> runs;
  for (const SweepRun& run : sweep.runs) {
    CompareRun view;
    view.name = run.name;
    view.config_path = run.config;
    view.overrides = run.overrides;
    view.seed = run.seed;
    std::error_code ec;
    if (is_complete(sweep, run)) {
      view.state = State::Done;
      view.dir = result_dir(sweep, run);
    } else if (fs::is_directory(failure_dir(sweep, run), ec)) {
      view.state = State::Failed;
      view.dir = failure_dir(sweep, run);
    } else {
      view.state = State::Missing;
      view.dir = result_dir(sweep, run);
    }
    runs.push_back(std::move(view));
  }
  return runs;
}

std::size_t count(const std::vector<CompareRun>& runs, State state) {
  return static_cast<std::size_t>(std::count_if(
      runs.begin(), runs.end(), [&](const CompareRun& r) { return r.state == state; }));
}

// "0-3, 7, 9-12": indexes as ranges, the way sbatch --array and --index take them.
std::string ranges(const std::vector<std::size_t>& indexes) {
  std::string out;
  for (std::size_t i = 0; i < indexes.size();) {
    std::size_t j = i;
    while (j + 1 < indexes.size() && indexes[j + 1] == indexes[j] + 1) ++j;
    out += (out.empty() ? "" : ", ") +
           (j == i ? std::to_string(indexes[i]) : fmt::format("{}-{}", indexes[i], indexes[j]));
    i = j + 1;
  }
  return out;
}

}  // namespace

int sweep_collect_command(const std::vector<std::string>& args) {
  po::options_description options("vmmsim sweep collect DIR [options]");
  std::string out;
  options.add_options()("help,h", "show this help")(
      "out", po::value(&out)->value_name("FOLDER"),
      "where compare.csv, compare.json and compare.html go (default: DIR); made if missing");
  po::variables_map vm;
  const std::optional<Sweep> planned = sweep_of(
      "vmmsim sweep collect", args, options,
      "\nThe runs done so far, as vmmsim compare gives the same runs: the table on stdout, and\n"
      "compare.csv, compare.json and compare.html. Runs failed or missing are listed, and the\n"
      "outputs then say they are partial. docs/sweeps.md\n",
      &vm);
  if (!planned) return 0;
  const Sweep& sweep = *planned;
  const fs::path into = out.empty() ? sweep.dir : fs::path(out);
  std::error_code ec;
  fs::create_directories(into, ec);
  if (!fs::is_directory(into, ec))
    throw InputError(fmt::format(
        "--out {}: not a folder that can be made; expected a folder for the summary", out));
  std::vector<CompareRun> runs = run_states(sweep);
  for (CompareRun& run : runs)
    if (run.has_results()) load_results(run);
  const std::size_t done = count(runs, State::Done);
  const std::string partial =
      done == runs.size()
          ? ""
          : fmt::format("of {} runs, {} done, {} failed, {} missing (not run yet, or running)",
                        runs.size(), done, count(runs, State::Failed), count(runs, State::Missing));
  std::optional<WindowMs> window;
  if (sweep.header.window_given)
    window = window_ms(sweep.header.window, static_cast<double>(sweep.header.window_clock));
  write_compare_summary(runs, into, "vmmsim sweep: " + sweep.dir.string(), std::cout, window,
                        partial);
  std::cout << fmt::format("\nwritten: {0}/compare.csv, {0}/compare.json, {0}/compare.html\n",
                           printable(into.string()));
  return 0;
}

int sweep_status_command(const std::vector<std::string>& args) {
  po::options_description options("vmmsim sweep status DIR");
  options.add_options()("help,h", "show this help");
  po::variables_map vm;
  const std::optional<Sweep> planned = sweep_of(
      "vmmsim sweep status", args, options,
      "\nDone, failed and missing runs; each failed run with its one-line error, each run held by\n"
      "a worker with that worker. Exit code 0 when every run is done, 1 otherwise. "
      "docs/sweeps.md\n",
      &vm);
  if (!planned) return 0;
  const Sweep& sweep = *planned;
  const std::vector<CompareRun> runs = run_states(sweep);
  std::cout << fmt::format("{}: {} runs: {} done, {} failed, {} missing ({})\n",
                           printable(sweep.dir.string()), runs.size(), count(runs, State::Done),
                           count(runs, State::Failed), count(runs, State::Missing),
                           sweep.header.planned_by.text());
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (runs[i].state == State::Failed)
      std::cout << fmt::format("failed  {} {}: {}\n", i, printable(runs[i].name),
                               printable(first_line(runs[i].dir / "errors.txt")));
    if (runs[i].state == State::Done) continue;
    bool stale = false;
    const std::string holder = RunLock::holder(lock_file(sweep, sweep.runs[i]), &stale);
    if (!holder.empty())
      std::cout << fmt::format(
          "running {} {}: {}{}\n", i, printable(runs[i].name), printable(holder),
          stale ? " (gone: the next sweep run of it takes its lock over)" : "");
    if (runs[i].state == State::Missing) missing.push_back(i);
  }
  if (!missing.empty()) std::cout << "missing " << ranges(missing) << "\n";
  return count(runs, State::Done) == runs.size() ? 0 : 1;
}

}  // namespace vmmsim::app
