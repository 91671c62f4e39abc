#include "app/compare_command.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "app/child_pool.h"
#include "app/compare_folder.h"
#include "app/compare_runs.h"
#include "app/compare_shadow_table.h"
#include "app/compare_table.h"
#include "app/interrupt.h"
#include "app/out_of_memory.h"
#include "app/simulation.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "config/config_parser.h"
#include "report/html_report.h"
#include "report/json_value.h"

namespace vmmsim::app {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using report::JsonValue;
using State = CompareRun::State;

// The most runs at once (--jobs): far more than any machine's CPUs, far
// fewer than a process table holds.
constexpr unsigned kMaxJobs = 256;
constexpr int kWriteFailed = 74;  // EX_IOERR: an output could not be written, as `vmmsim run`
// Without --window: each run's timeline is 0:100ms plus the neighbourhood of
// its first replacement, this much before its first cease and at least this
// much after its last phase (docs/compare.md). It covers the page's own zoom
// (4 x the replacement's span, at least 2 ms) for replacements up to 5 ms.
constexpr const char* kDefaultWindow = "0:100ms";
constexpr const char* kReplacementPad = "20ms";

const char* state_name(State state) {
  switch (state) {
    case State::Done: return "done";
    case State::Stopped: return "stopped";
    case State::Failed: return "failed";
    case State::NotRun: break;
  }
  return "not run";
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

unsigned jobs_of(const std::string& text) {
  auto n = parse_count(text, nullptr);
  if (!n || *n < 1 || *n > kMaxJobs)
    throw InputError(fmt::format("--jobs {}: expected a whole number from 1 to {}", text, kMaxJobs));
  return static_cast<unsigned>(*n);
}

// What a run had to say (its error, or why it stopped early), as
// errors.txt, an output like the run's others (base/output_plan.h); a run
// with nothing to say leaves none (its folder is new: app/compare_folder.h).
// Returns the run's exit code: 74 if the file could not be written, and
// then the text goes to compare's stderr.
int write_errors(const fs::path& file, const std::string& text, int code) {
  try {
    if (text.empty()) return code;
    OutputPlan plan;
    OutputFile& errors = plan.add(file.string(), "--out");
    plan.open();
    errors.stream() << text;
    plan.commit();
    return code;
  } catch (const std::exception& e) {
    std::cerr << text << "vmmsim: " << printable(e.what()) << "\n";
    return code != 0 ? code : kWriteFailed;
  }
}

// The child: one simulation. Its report.txt is one more output of its plan,
// so the run's files are written all or nothing, and errors.txt comes last.
// A stop signal ends it early, as it does `vmmsim run`: it writes the
// results of the time simulated so far, marked partial, and exits with
// 128 + signal.
// Without `window_given`, the timeline also keeps the first replacement's
// neighbourhood (kReplacementPad).
[[noreturn]] void run_child(const CompareRun& run, const TimeWindow& window, bool window_given,
                            const ChildPool& pool) {
  // Compare's stdout is its table: whatever else writes there in a run (a
  // plugin's printf) goes to compare's stderr.
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  std::ostringstream errors;
  int code = 0;
  try {
    Outputs outputs{(run.dir / "results.json").string(), "", (run.dir / "timeline.json").string(),
                    (run.dir / "resolved.ini").string(), window.from, window.to,
                    (run.dir / "report.txt").string()};
    if (!window_given) outputs.timeline_replacement_pad = *parse_duration(kReplacementPad, run.config.platform.clock, nullptr);
    catch_interrupts();  // each output file registers its temporary (base/temporary_files.h)
    pool.unblock_in_child();
    if (simulate(run.config, outputs, std::cout, interrupt_signal())) {
      errors << "vmmsim: " << signal_name(*interrupt_signal())
             << ": stopped early; the results cover the simulated time so far (partial)\n";
      code = 128 + *interrupt_signal();
    }
  } catch (const InputError& e) {
    errors << "vmmsim: " << printable(e.what()) << "\n";
    code = 2;
  } catch (const OutputError& e) {
    errors << "vmmsim: " << printable(e.what()) << "\n";
    code = kWriteFailed;
  } catch (const std::exception& e) {
    if (is_out_of_memory(e)) {
      report_out_of_memory(errors);
      code = kOutOfMemory;
    } else {
      errors << "vmmsim: internal error: " << printable(e.what()) << "\n";
      code = 70;
    }
  }
  code = write_errors(run.dir / "errors.txt", errors.str(), code);
  std::cout.flush();
  std::cerr.flush();
  ::_exit(code);  // no static destructors of the parent's state in the child
}

std::string first_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

double ms(double cycles, double hz) { return cycles * 1000.0 / hz; }

// The summary of the runs that have results. `partial`: why some runs were
// stopped early or not run ("" if none was); the table, CSV, JSON and HTML
// then say so.
// `window`: the one given (--window), or none: the page then opens its
// Gantt chart around the first replacement.
void write_outputs(const std::vector<CompareRun>& runs, const fs::path& out, const fs::path& shown, std::ostream& table,
                   const std::optional<TimeWindow>& window, const std::string& partial) {
  if (!partial.empty()) table << "PARTIAL: " << partial << "\n\n";
  const std::string csv = write_compare_table(runs, table);
  const bool shadowed = any_shadow(runs);
  const std::string shadow_csv = shadowed ? write_shadow_table(runs, table) : "";
  bool listed = false;  // the runs without results, by what became of them
  for (const CompareRun& run : runs)
    if (!run.has_results() || run.state == State::Stopped)
      table << (listed ? "" : "\n") << fmt::format("{:<40} {}\n", run.name, run.state == State::Stopped
                                                                            ? "stopped early (partial results)"
                                                                            : state_name(run.state)),
          listed = true;
  // The three files are written all or nothing (base/output_plan.h).
  OutputPlan plan;
  std::ostream& csv_file = plan.add((out / "compare.csv").string(), "--out").stream();
  std::ostream& json_file = plan.add((out / "compare.json").string(), "--out").stream();
  std::ostream& html_file = plan.add((out / "compare.html").string(), "--out").stream();
  std::ostream* shadow_file = shadowed ? &plan.add((out / "compare-shadow.csv").string(), "--out").stream() : nullptr;
  plan.open();
  csv_file << csv;
  if (shadow_file) *shadow_file << shadow_csv;

  // compare.json embeds each run's own results verbatim.
  std::vector<report::HtmlRun> html_runs;
  {
    std::ostream& o = json_file;
    o << "{\n  \"format\": \"vmmsim-compare 1\",\n";
    o << fmt::format("  \"partial\": {},\n", partial.empty() ? "false" : "true");
    if (!partial.empty()) o << fmt::format("  \"partial_reason\": {},\n", json_quoted(partial));
    o << "  \"runs\": [\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
      std::stringstream text, timeline;
      if (runs[i].has_results()) {
        std::ifstream in(runs[i].dir / "results.json");
        text << in.rdbuf();
        std::ifstream tin(runs[i].dir / "timeline.json");
        timeline << tin.rdbuf();
      }
      std::string overrides;
      for (const config::Override& ov : runs[i].overrides)
        overrides += fmt::format("{}{}: {}", overrides.empty() ? "" : ", ", json_quoted(ov.key), json_quoted(ov.value));
      o << fmt::format("    {{\"name\": {}, \"config\": {}, \"overrides\": {{{}}}, \"dir\": {}, \"status\": {},\n     "
                       "\"results\": {}}}{}\n",
                       json_quoted(runs[i].name), json_quoted(runs[i].config_path), overrides,
                       json_quoted(runs[i].dir.filename().string()), json_quoted(state_name(runs[i].state)),
                       runs[i].has_results() ? text.str() : "null", i + 1 < runs.size() ? "," : "");
      html_runs.push_back({runs[i].name, text.str(), timeline.str()});
    }
    o << "  ]\n}\n";
  }
  report::HtmlOptions options;
  options.title = "vmmsim compare: " + shown.string();
  options.note = partial.empty() ? "" : "PARTIAL: " + partial;
  if (window) {
    const double hz = static_cast<double>(runs.front().config.platform.clock);
    options.window_from_ms = ms(static_cast<double>(window->from), hz);
    options.window_to_ms = ms(static_cast<double>(window->to), hz);
  }
  html_file << report::render_compare_html(html_runs, options);
  plan.commit();
}

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
  const unsigned jobs = vm.count("jobs") ? jobs_of(jobs_text)  // `--jobs ""` is no number either
                                         : std::clamp(std::thread::hardware_concurrency(), 1u, kMaxJobs);

  // The sweeps: every --set with its values; --schedulers is one more.
  std::vector<std::pair<std::string, std::vector<std::string>>> sweeps;
  if (!schedulers.empty()) sweeps.push_back({"vmm.scheduler", split(schedulers, ',')});
  // --shadow is [run] shadow from cycle 0; a spec keeps its commas (parameters).
  if (!shadows.empty()) {
    std::vector<std::string> values;
    for (const std::string& spec : shadows) values.push_back(shadow_override(spec));
    sweeps.push_back({"run.shadow", values});
  }
  for (const std::string& s : sets) {
    config::Override o = parse_override(s);
    auto values = split(o.value, ',');
    if (values.empty()) throw InputError(fmt::format("--set {}: expected at least one value", s));
    sweeps.push_back({o.key, values});
  }

  std::vector<CompareRun> runs;
  std::vector<std::vector<config::Override>> swept;  // per run: the values that name it
  for (const std::string& config : configs) {
    std::vector<std::size_t> at(sweeps.size(), 0);
    for (;;) {
      CompareRun run;
      run.config_path = config;
      std::vector<config::Override> named;
      for (std::size_t i = 0; i < sweeps.size(); ++i) {
        run.overrides.push_back({sweeps[i].first, sweeps[i].second[at[i]]});
        if (sweeps[i].second.size() > 1 || sweeps[i].first == "vmm.scheduler") named.push_back(run.overrides.back());
      }
      swept.push_back(named);
      // Every run is checked before any starts: bad input stops it all.
      set_activity(fmt::format("reading {} and its traces", shown(config, 200)));
      run.config = config::load_config(config, run.overrides);
      if (!until.empty()) {
        std::string why;
        auto cycles = parse_simulated_duration(until, run.config.platform.clock, &why);
        if (!cycles || *cycles == 0)
          throw InputError(fmt::format("--until {}: expected {}", until, cycles ? "a duration above 0" : why));
        run.config.until = *cycles;
      }
      runs.push_back(std::move(run));
      std::size_t i = 0;
      while (i < at.size() && ++at[i] == sweeps[i].second.size()) at[i++] = 0;
      if (i == at.size()) break;
    }
  }
  name_runs(runs, swept);

  const auto window_cycles = parse_time_window(window, runs.front().config.platform.clock);
  if (!window_cycles) throw InputError(fmt::format("--window {}: expected FROM:TO like 0:100ms", window));
  const bool window_given = vm.count("window") > 0;

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
  // all cleanly (app/child_pool.h).
  std::cout.flush();
  std::size_t ended = 0;
  ChildPool pool;
  pool.on_abort([&] { folder.discard(); });
  pool.run(
      runs.size(), jobs, [&](std::size_t i) { run_child(runs[i], *window_cycles, window_given, pool); },
      [&](std::size_t i, const ChildPool::Exit& exit) {
        CompareRun& run = runs[i];
        run.status = WIFEXITED(exit.status) ? WEXITSTATUS(exit.status) : -1;
        run.killed_by = WIFSIGNALED(exit.status) ? WTERMSIG(exit.status) : 0;
        const bool stopped = std::any_of(std::begin(kStopSignals), std::end(kStopSignals),
                                         [&](int signal) { return run.status == 128 + signal; });
        run.state = run.status == 0 ? State::Done : stopped ? State::Stopped : State::Failed;
        std::cerr << fmt::format("[{}/{}] {} {}\n", ++ended, runs.size(), run.name,
                                 run.state == State::Done      ? "done"
                                 : run.state == State::Stopped ? "stopped early (partial results)"
                                 : run.killed_by ? "FAILED: killed by " + signal_name(run.killed_by)
                                                 : "FAILED: " + printable(first_line(run.dir / "errors.txt")));
      });
  const int signal = pool.stop_signal();
  auto count = [&](State state) {
    return std::count_if(runs.begin(), runs.end(), [&](const CompareRun& r) { return r.state == state; });
  };
  int failed = 0;  // a run's exit code, or 1 for one killed: 128 + N is compare's own signal only
  for (CompareRun& run : runs) {
    if (run.state == State::Failed) failed = std::max(failed, run.killed_by ? 1 : run.status);
    if (!run.has_results()) continue;
    std::ifstream in(run.dir / "results.json");
    std::stringstream text;
    text << in.rdbuf();
    run.results = JsonValue::parse(text.str(), (run.dir / "results.json").string());
  }
  // Without a signal, a failed (or stopped) run fails the comparison, as
  // before; its folders (errors.txt) still replace the earlier comparison.
  if (signal == 0 && (failed || count(State::Stopped))) {
    folder.commit(run_folders);
    return std::max(failed, 1);
  }
  const std::string partial =
      signal == 0 ? ""
                  : fmt::format("interrupted by {}; of {} runs, {} finished, {} stopped early (their results cover "
                                "the simulated time so far), {} failed, {} not run",
                                signal_name(signal), runs.size(), count(State::Done),
                                count(State::Stopped), count(State::Failed), count(State::NotRun));
  write_outputs(runs, folder.staging(), out, std::cout, window_given ? window_cycles : std::nullopt, partial);
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
