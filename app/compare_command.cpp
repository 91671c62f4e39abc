#include "app/compare_command.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "app/child_pool.h"
#include "app/compare_folder.h"
#include "app/compare_runs.h"
#include "app/compare_shadow_table.h"
#include "app/compare_summary.h"
#include "app/interrupt.h"
#include "app/run_batch.h"
#include "app/run_matrix.h"
#include "app/simulation.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"

namespace vmmsim::app {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using State = CompareRun::State;

}  // namespace

int compare_command(const std::vector<std::string>& args) {
  po::options_description options("vmmsim compare CONFIG... [options]");
  std::vector<std::string> configs, sets, shadows;
  std::string schedulers, out_dir = "compare-out", until, window = kDefaultWindow;
  std::string jobs_text;
  options.add_options()("help,h", "show this help")(
      "schedulers", po::value(&schedulers), "comma list of schedulers to compare (default: each config's own)")(
      "set", po::value(&sets)->composing(),
      "override a config value in every run: SECTION.KEY=VALUE; a comma list of values sweeps it, each "
      "combination a run of its own (repeatable)")(
      "shadow", po::value(&shadows)->composing(),
      "TARGET[,KEY=VALUE...]: run each config's scheduler with TARGET in shadow from the start and tabulate "
      "how often they agree (compare-shadow.csv); repeatable, each one a run of its own")(
      "jobs,j", po::value(&jobs_text),
      "runs at once, each in its own process: 1 to 256 (default: the number of CPUs, at most 256)")(
      "out", po::value(&out_dir),
      "folder for each run's results and the comparison (default compare-out): new, empty or an earlier "
      "comparison's, which is replaced whole")(
      "until", po::value(&until), "simulated time of every run (default: each config's [run] until)")(
      "window", po::value(&window),
      "time window FROM:TO of the timelines and the Gantt chart (default: the timelines hold 0:100ms and 20 ms "
      "either side of each run's first replacement, and the chart opens around that replacement)");
  po::options_description hidden;
  hidden.add_options()("config", po::value(&configs));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("config", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(std::string("vmmsim compare: ") + e.what() + "; see 'vmmsim compare --help'");
  }
  if (vm.count("help")) {
    std::cout << options;
    return 0;
  }
  if (configs.empty()) throw InputError("vmmsim compare: missing CONFIG; see 'vmmsim compare --help'");
  const unsigned jobs = vm.count("jobs") ? parse_jobs(jobs_text) : default_jobs();  // `--jobs ""` is no number either

  std::vector<CompareRun> runs = expand_runs({configs, schedulers, sets, until, 0, {}, shadows});

  const auto window_cycles = parse_time_window(window, runs.front().config.platform.clock);
  if (!window_cycles) throw InputError(fmt::format("--window {}: expected FROM:TO like 0:100ms", window));
  const RunWindow run_window{*window_cycles, vm.count("window") > 0};

  const fs::path out(out_dir);
  for (CompareRun& run : runs) run.dir = out / run.name;
  check_compare_outputs(runs, out, false);
  // Everything is written into a staging folder beside --out, which then
  // replaces --out whole (app/compare_folder.h).
  std::vector<std::string> inputs, run_folders;
  for (const CompareRun& run : runs)
    for (const std::string& input : inputs_of(run.config)) inputs.push_back(input);
  for (const CompareRun& run : runs) run_folders.push_back(run.name);
  CompareFolder folder(out, inputs);
  for (CompareRun& run : runs) {
    run.dir = folder.staging() / run.name;
    std::error_code ec;
    if (!fs::create_directory(run.dir, ec))
      throw InputError(fmt::format("{}: cannot create ({}); expected a writable --out", run.dir.string(), ec.message()));
  }
  check_compare_outputs(runs, folder.staging(), true);

  // The runs, `jobs` at a time, each in a child process; a signal stops them
  // all cleanly (app/run_batch.h, app/child_pool.h).
  RunBatch batch;
  batch.jobs = jobs;
  batch.window = run_window;
  batch.load = [&](std::size_t i) { return runs[i].config; };
  batch.on_abort = [&] { folder.discard(); };
  int signal = 0;
  const int failed = run_batch(runs, batch, &signal);  // 128 + N is compare's own signal only
  for (CompareRun& run : runs)
    if (run.has_results()) load_results(run);
  // Without a signal, a failed (or stopped) run fails the comparison, as
  // before; its folders (errors.txt) still replace the earlier comparison.
  if (signal == 0 && failed) {
    folder.commit(run_folders);
    return failed;
  }
  auto count = [&](State state) {
    return std::count_if(runs.begin(), runs.end(), [&](const CompareRun& r) { return r.state == state; });
  };
  const std::string partial =
      signal == 0 ? ""
                  : fmt::format("interrupted by {}; of {} runs, {} finished, {} stopped early (their results cover "
                                "the simulated time so far), {} failed, {} not run",
                                signal_name(signal), runs.size(), count(State::Done),
                                count(State::Stopped), count(State::Failed), count(State::NotRun));
  std::optional<WindowMs> shown_window;
  if (run_window.given) shown_window = window_ms(run_window.window, static_cast<double>(runs.front().config.platform.clock));
  write_compare_summary(runs, folder.staging(), "vmmsim compare: " + out.string(), std::cout, shown_window, partial);
  folder.commit(run_folders);
  std::cout << fmt::format("\nwritten: {0}/compare.csv, {0}/compare.json, {0}/compare.html, {1}and per run "
                           "results.json, resolved.ini, timeline.json, report.txt\n",
                           printable(out.string()),
                           any_shadow(runs) ? printable(out.string()) + "/compare-shadow.csv, " : "");
  if (signal == 0) return 0;
  std::cout.flush();
  std::cerr << "vmmsim: " << signal_name(signal) << ": stopped early; the comparison covers what ran (partial)\n";
  return 128 + signal;
}

}  // namespace vmmsim::app
