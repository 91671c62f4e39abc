#include "app/compare_command.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include <boost/program_options.hpp>
#include <fmt/format.h>

#include "app/simulation.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "config/config_parser.h"
#include "report/html_report.h"
#include "report/json_value.h"

namespace vmmsim::app {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using report::JsonValue;

struct Run {
  std::string name;
  std::string config_path;
  std::vector<config::Override> overrides;
  config::Config config;
  fs::path dir;
  int status = -1;  // the child's exit code
  JsonValue results;
};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

// Names say what differs: the config, then each swept value.
std::string run_name(const std::string& config, const std::vector<config::Override>& sweep) {
  std::string name = fs::path(config).stem().string();
  for (const config::Override& o : sweep)
    name += o.key == "vmm.scheduler" ? "--" + o.value : "--" + o.key + "=" + o.value;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && std::string("._=-+").find(c) == std::string::npos) c = '_';
  return name;
}

// The child: one simulation, its report and errors in its folder.
[[noreturn]] void run_child(const Run& run, Cycles window_from, Cycles window_to) {
  int out = ::open((run.dir / "report.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err = ::open((run.dir / "errors.txt").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (out >= 0) ::dup2(out, STDOUT_FILENO);
  if (err >= 0) ::dup2(err, STDERR_FILENO);
  int code = 0;
  try {
    Outputs outputs{(run.dir / "results.json").string(), "", (run.dir / "timeline.json").string(),
                    (run.dir / "resolved.ini").string(), window_from, window_to};
    simulate(run.config, outputs, std::cout);
  } catch (const InputError& e) {
    std::cerr << "vmmsim: " << e.what() << "\n";
    code = 2;
  } catch (const OutputError& e) {
    std::cerr << "vmmsim: " << e.what() << "\n";
    code = 74;  // EX_IOERR, as `vmmsim run`
  } catch (const std::exception& e) {
    std::cerr << "vmmsim: internal error: " << e.what() << "\n";
    code = 1;
  }
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

void write_outputs(const std::vector<Run>& runs, const fs::path& out, std::ostream& table,
                   Cycles window_from, Cycles window_to) {
  // Per run: the summary a user compares first.
  table << fmt::format("{:<40} {:>8} {:>10} {:>8} {:>10} {:>8} {:>6}\n", "run", "fairness", "overhead", "ctxsw",
                       "migrations", "misses", "swaps");
  std::string csv = "run,config,scheduler,vm,share,entitled_share,wait_p50_ms,wait_p99_ms,response_ms,"
                    "turnaround_ms,deadline_misses,context_switches,vmm_overhead,jain_fairness\n";
  for (const Run& run : runs) {
    const JsonValue& r = run.results;
    const double hz = r["clock_hz"].number();
    double vmm = 0, total = 0;
    for (const JsonValue& p : r["pcpus"].array()) {
      vmm += p["vmm_cycles"].number();
      total += p["guest_cycles"].number() + p["vmm_cycles"].number() + p["idle_cycles"].number() +
               p["ceased_cycles"].number();
    }
    std::uint64_t ctxsw = 0, migrations = 0, misses = 0;
    for (const JsonValue& v : r["vcpus"].array()) {
      ctxsw += v["context_switches"].integer();
      migrations += v["migrations"].integer();
      misses += v["deadline_misses"].integer();
    }
    const double overhead = total > 0 ? vmm / total : 0;
    table << fmt::format("{:<40} {:>8.4f} {:>9.3f}% {:>8} {:>10} {:>8} {:>6}\n", run.name,
                         r["jain_fairness"].number(), 100 * overhead, ctxsw, migrations, misses,
                         r["replacements"].size());
    for (const JsonValue& vm : r["vms"].array()) {
      double response = 0, turnaround = 0;
      unsigned responded = 0, finished = 0;
      std::uint64_t vm_misses = 0, vm_ctxsw = 0;
      for (const JsonValue& v : r["vcpus"].array()) {
        if (v["vm"].string() != vm["name"].string()) continue;
        if (!v["response_cycles"].is_null()) response += v["response_cycles"].number(), ++responded;
        if (!v["turnaround_cycles"].is_null()) turnaround += v["turnaround_cycles"].number(), ++finished;
        vm_misses += v["deadline_misses"].integer();
        vm_ctxsw += v["context_switches"].integer();
      }
      const JsonValue& wait = vm["wait_cycles"];
      csv += fmt::format("{},{},{},{},{:.6f},{:.6f},{:.3f},{:.3f},{},{},{},{},{:.6f},{:.6f}\n", run.name,
                         run.config_path, r["scheduler"].string(), vm["name"].string(), vm["share"].number(),
                         vm["entitled_share"].number(), ms(wait["p50"].number(), hz), ms(wait["p99"].number(), hz),
                         responded ? fmt::format("{:.3f}", ms(response / responded, hz)) : "",
                         finished ? fmt::format("{:.3f}", ms(turnaround / finished, hz)) : "", vm_misses,
                         vm_ctxsw, overhead, r["jain_fairness"].number());
    }
  }
  // Per VM, side by side.
  table << fmt::format("\n{:<40} {:<10} {:>8} {:>9} {:>11} {:>11}\n", "run", "vm", "share", "entitled",
                       "wait p50ms", "wait p99ms");
  for (const Run& run : runs) {
    const JsonValue& r = run.results;
    const double hz = r["clock_hz"].number();
    for (const JsonValue& vm : r["vms"].array())
      table << fmt::format("{:<40} {:<10} {:>7.2f}% {:>8.2f}% {:>11.3f} {:>11.3f}\n", run.name, vm["name"].string(),
                           100 * vm["share"].number(), 100 * vm["entitled_share"].number(),
                           ms(vm["wait_cycles"]["p50"].number(), hz), ms(vm["wait_cycles"]["p99"].number(), hz));
  }
  // The three files are written all or nothing (base/output_plan.h).
  OutputPlan plan;
  std::ostream& csv_file = plan.add((out / "compare.csv").string(), "--out").stream();
  std::ostream& json_file = plan.add((out / "compare.json").string(), "--out").stream();
  std::ostream& html_file = plan.add((out / "compare.html").string(), "--out").stream();
  plan.open();
  csv_file << csv;

  // compare.json embeds each run's own results verbatim.
  std::vector<report::HtmlRun> html_runs;
  {
    std::ostream& o = json_file;
    o << "{\n  \"format\": \"vmmsim-compare 1\",\n  \"runs\": [\n";
    for (std::size_t i = 0; i < runs.size(); ++i) {
      std::ifstream in(runs[i].dir / "results.json");
      std::stringstream text;
      text << in.rdbuf();
      std::string overrides;
      for (const config::Override& ov : runs[i].overrides)
        overrides += fmt::format("{}\"{}\": \"{}\"", overrides.empty() ? "" : ", ", ov.key, ov.value);
      o << fmt::format("    {{\"name\": \"{}\", \"config\": \"{}\", \"overrides\": {{{}}}, \"dir\": \"{}\",\n     "
                       "\"results\": {}}}{}\n",
                       runs[i].name, runs[i].config_path, overrides, runs[i].dir.filename().string(), text.str(),
                       i + 1 < runs.size() ? "," : "");
      std::ifstream tin(runs[i].dir / "timeline.json");
      std::stringstream timeline;
      timeline << tin.rdbuf();
      html_runs.push_back({runs[i].name, text.str(), timeline.str()});
    }
    o << "  ]\n}\n";
  }
  report::HtmlOptions options;
  options.title = "vmmsim compare: " + out.string();
  const double hz = runs.front().results["clock_hz"].number();
  options.window_from_ms = ms(static_cast<double>(window_from), hz);
  options.window_to_ms = ms(static_cast<double>(window_to), hz);
  html_file << report::render_compare_html(html_runs, options);
  plan.commit();
}

// No output may replace an input of any run (a config, a trace, a plugin),
// nor two outputs share a file; the folders must be writable. Checked
// before any run starts.
void check_compare_outputs(const std::vector<Run>& runs, const fs::path& out) {
  std::vector<std::string> inputs;
  for (const Run& run : runs)
    for (const std::string& input : inputs_of(run.config)) inputs.push_back(input);
  std::vector<std::pair<std::string, std::string>> outputs;
  for (const char* name : {"compare.csv", "compare.json", "compare.html"})
    outputs.emplace_back((out / name).string(), "--out");
  for (const Run& run : runs)
    for (const char* name : {"results.json", "timeline.json", "resolved.ini", "report.txt", "errors.txt"})
      outputs.emplace_back((run.dir / name).string(), "--out");
  check_outputs(inputs, outputs);
}

}  // namespace

int compare_command(const std::vector<std::string>& args) {
  po::options_description options("vmmsim compare CONFIG... [options]");
  std::vector<std::string> configs, sets;
  std::string schedulers, out_dir = "compare-out", until, window = "0:100ms";
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  options.add_options()("help,h", "show this help")(
      "schedulers", po::value(&schedulers), "comma list of schedulers to compare (default: each config's own)")(
      "set", po::value(&sets)->composing(),
      "override a config value in every run: SECTION.KEY=VALUE; a comma list of values sweeps it, each "
      "combination a run of its own (repeatable)")(
      "jobs,j", po::value(&jobs), "runs at once, each in its own process (default: the number of CPUs)")(
      "out", po::value(&out_dir), "folder for each run's results and the comparison (default compare-out)")(
      "until", po::value(&until), "simulated time of every run (default: each config's [run] until)")(
      "window", po::value(&window), "time window FROM:TO of the Gantt chart and timelines (default 0:100ms)");
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
  if (jobs == 0) throw InputError("--jobs 0: expected at least 1");

  // The sweeps: every --set with its values; --schedulers is one more.
  std::vector<std::pair<std::string, std::vector<std::string>>> sweeps;
  if (!schedulers.empty()) sweeps.push_back({"vmm.scheduler", split(schedulers, ',')});
  for (const std::string& s : sets) {
    config::Override o = parse_override(s);
    auto values = split(o.value, ',');
    if (values.empty()) throw InputError(fmt::format("--set {}: expected at least one value", s));
    sweeps.push_back({o.key, values});
  }

  std::vector<Run> runs;
  for (const std::string& config : configs) {
    std::vector<std::size_t> at(sweeps.size(), 0);
    for (;;) {
      Run run;
      run.config_path = config;
      std::vector<config::Override> named;
      for (std::size_t i = 0; i < sweeps.size(); ++i) {
        run.overrides.push_back({sweeps[i].first, sweeps[i].second[at[i]]});
        if (sweeps[i].second.size() > 1 || sweeps[i].first == "vmm.scheduler") named.push_back(run.overrides.back());
      }
      run.name = run_name(config, named);
      // Every run is checked before any starts: bad input stops it all.
      run.config = config::load_config(config, run.overrides);
      if (!until.empty()) {
        std::string why;
        auto cycles = parse_duration(until, run.config.platform.clock, &why);
        if (!cycles || *cycles == 0) throw InputError(fmt::format("--until {}: expected {} above 0", until, why));
        run.config.until = *cycles;
      }
      runs.push_back(std::move(run));
      std::size_t i = 0;
      while (i < at.size() && ++at[i] == sweeps[i].second.size()) at[i++] = 0;
      if (i == at.size()) break;
    }
  }
  std::map<std::string, int> seen;
  for (Run& run : runs)
    if (seen[run.name]++) run.name += "-" + std::to_string(seen[run.name]);

  auto colon = window.find(':');
  std::string why;
  const Hertz clock = runs.front().config.platform.clock;
  std::string from_text = colon == std::string::npos ? "" : window.substr(0, colon);
  // "500:540ms": a bare FROM takes TO's unit.
  if (colon != std::string::npos && !from_text.empty() && from_text.find_first_not_of("0123456789.") == std::string::npos) {
    std::string to_text = window.substr(colon + 1);
    auto unit = to_text.find_first_not_of("0123456789.");
    if (unit != std::string::npos) from_text += to_text.substr(unit);
  }
  auto from = colon == std::string::npos ? std::nullopt : parse_duration(from_text, clock, &why);
  auto to = colon == std::string::npos ? std::nullopt : parse_duration(window.substr(colon + 1), clock, &why);
  if (!from || !to || *to <= *from) throw InputError(fmt::format("--window {}: expected FROM:TO like 0:100ms", window));

  const fs::path out(out_dir);
  std::error_code ec;
  fs::create_directories(out, ec);
  for (Run& run : runs) {
    run.dir = out / run.name;
    fs::create_directories(run.dir, ec);
    if (ec) throw InputError(fmt::format("{}: cannot create ({})", run.dir.string(), ec.message()));
  }
  check_compare_outputs(runs, out);

  // A pool of child processes, `jobs` at a time.
  std::cout.flush();
  std::map<pid_t, Run*> running;
  std::size_t next = 0, done = 0;
  while (done < runs.size()) {
    while (next < runs.size() && running.size() < jobs) {
      pid_t pid = ::fork();
      if (pid < 0) throw std::runtime_error("fork failed");
      if (pid == 0) run_child(runs[next], *from, *to);
      running[pid] = &runs[next++];
    }
    int status = 0;
    pid_t pid = ::wait(&status);
    if (pid < 0) break;
    Run* run = running.at(pid);
    running.erase(pid);
    run->status = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    if (run->status == 0) fs::remove(run->dir / "errors.txt", ec);  // nothing to say
    ++done;
    std::cerr << fmt::format("[{}/{}] {} {}\n", done, runs.size(), run->name,
                             run->status == 0 ? "done" : "FAILED: " + first_line(run->dir / "errors.txt"));
  }
  int failed = 0;
  for (Run& run : runs) {
    if (run.status != 0) {
      failed = std::max(failed, run.status);
      continue;
    }
    std::ifstream in(run.dir / "results.json");
    std::stringstream text;
    text << in.rdbuf();
    run.results = JsonValue::parse(text.str());
  }
  if (failed) return failed;
  write_outputs(runs, out, std::cout, *from, *to);
  std::cout << fmt::format("\nwritten: {0}/compare.csv, {0}/compare.json, {0}/compare.html, and per run "
                           "results.json, resolved.ini, timeline.json, report.txt\n",
                           out.string());
  return 0;
}

}  // namespace vmmsim::app
