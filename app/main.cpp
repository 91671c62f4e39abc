// vmmsim: the command line. Bad input is reported here, once, with exit
// code 2; a simulation runs once per process (SystemC elaborates once).
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <systemc>

#include "app/compare_command.h"
#include "app/interrupt.h"
#include "app/run_progress.h"
#include "app/sweep_command.h"
#include "app/trace_command.h"
#include "app/out_of_memory.h"
#include "app/simulation.h"
#include "base/input_error.h"
#include "base/output_file.h"
#include "base/text.h"
#include "config/config_parser.h"
#include "config/config_writer.h"
#include "models/platform.h"
#include "report/json_report.h"
#include "report/text_report.h"
#include "schedulers/registry.h"
#include "vmmsim_version.h"

namespace po = boost::program_options;
using namespace vmmsim;

namespace {

constexpr int kBadInput = 2;
constexpr int kInternalError = 70;  // EX_SOFTWARE
constexpr int kWriteFailed = 74;    // EX_IOERR: an output could not be written

const char* kUsage =
    "usage: vmmsim <command> [options]\n\n"
    "commands:\n"
    "  run CONFIG    run a simulation and print its report\n"
    "  compare CONFIG... --schedulers A,B,...\n"
    "                the same workload under several schedulers (or --set sweeps),\n"
    "                each run in its own process; a table, CSV, JSON and HTML\n"
    "  sweep plan|run|status|collect\n"
    "                the runs of a comparison on a Slurm cluster, over ssh hosts\n"
    "                with GNU parallel, or here; collected into compare's outputs\n"
    "  list          list the built-in schedulers with their parameters\n"
    "  trace gen|import\n"
    "                write a synthetic trace, or import a real one\n\n"
    "'vmmsim <command> --help' shows a command's options; 'vmmsim --version' the version.\n";

const char* kRunOutputsHelp =
    "\nOutputs: FILE '-' is standard output (at most one output there; the text report\n"
    "then goes to standard error). A device, FIFO or socket (/dev/null, /dev/stdout) is\n"
    "written directly; any other FILE is written beside it under a unique temporary name\n"
    "and renamed over it once every output is complete (a symbolic link stays a link).\n"
    "Exit codes: 0 done, 2 bad input (nothing run, nothing written), 74 an output could\n"
    "not be written (none replaced), 128+N stopped by signal N (SIGINT, SIGTERM, SIGHUP)\n"
    "with a partial report.\n";

void print_list(std::ostream& out) {
  auto range = [](const vmm_param_spec_t& p) {
    if (p.kind == VMM_PARAM_DURATION)
      return fmt::format("default {}us, {}us..{}us", p.default_value, p.min, p.max);
    return fmt::format("default {}, {}..{}", p.default_value, p.min, p.max);
  };
  // "[sched.NAME] key" and "[vm.NAME] key" in one column, as wide as the
  // longest and two spaces more: every help text starts at the same place.
  auto sched_key = [](const vmm_sched_ops_t& ops, const vmm_param_spec_t& p) {
    return fmt::format("[sched.{}] {}", ops.name, p.key);
  };
  auto vm_key = [](const vmm_param_spec_t& p) { return fmt::format("[vm.NAME] {}", p.key); };
  std::size_t width = 0;
  for (const vmm_sched_ops_t* ops : sched::builtin_schedulers()) {
    for (std::uint32_t i = 0; i < ops->param_count; ++i) width = std::max(width, sched_key(*ops, ops->params[i]).size());
    for (std::uint32_t i = 0; i < ops->vm_param_count; ++i) width = std::max(width, vm_key(ops->vm_params[i]).size());
  }
  for (const vmm_sched_ops_t* ops : sched::builtin_schedulers()) {
    out << fmt::format("{:<8} {}\n", ops->name, ops->description);
    for (std::uint32_t i = 0; i < ops->param_count; ++i)
      out << fmt::format("    {:<{}}  {} ({})\n", sched_key(*ops, ops->params[i]), width, ops->params[i].help,
                         range(ops->params[i]));
    for (std::uint32_t i = 0; i < ops->vm_param_count; ++i)
      out << fmt::format("    {:<{}}  {} ({})\n", vm_key(ops->vm_params[i]), width, ops->vm_params[i].help,
                         range(ops->vm_params[i]));
  }
}

int run_command(const std::vector<std::string>& args) {
  po::options_description options("vmmsim run CONFIG [options]");
  std::string config_path, until, json, vcd, config_out, timeline, window;
  std::vector<std::string> sets, swaps, stages, shadows;
  options.add_options()("help,h", "show this help")(
      "until", po::value(&until),
      "simulated time to stop at (e.g. 2s, 500ms; a bare number is cycles of [platform] clock; default: [run] until)")(
      "json", po::value(&json)->value_name("FILE"), "write the results as JSON to FILE")(
      "vcd", po::value(&vcd)->value_name("FILE"), "write a VCD waveform to FILE, and beside it GTKWave's "
      "FILE.gtkw (without .vcd) and translate filters")(
      "timeline", po::value(&timeline)->value_name("FILE"),
      "write a Chrome/Perfetto trace-event timeline to FILE (JSON)")(
      "window", po::value(&window)->value_name("FROM:TO"),
      "keep only [FROM, TO) of simulated time in the --timeline (e.g. 0:100ms, 1s:1.2s; events "
      "overlapping it are clipped to it; default: the whole run)")(
      "quiet,q", "no progress line on standard error (shown only on a terminal, for runs over a second)")(
      "summary", "print the report's header and per-VM lines only (not each vCPU and pCPU)")(
      "config-out", po::value(&config_out)->value_name("FILE"),
      "write the resolved configuration (defaults included) to FILE")(
      "set", po::value(&sets)->composing(), "override a config value: SECTION.KEY=VALUE (repeatable)")(
      "swap", po::value(&swaps)->composing(),
      "replace the scheduler at a time: TIME:SCHEDULER[,policy=keep-old|unload-old|unload-after|auto][,source=NAME][,KEY=VALUE...] "
      "(SCHEDULER: a built-in or a plugin .so path) or TIME:unload[=NAME] (repeatable)")(
      "stage", po::value(&stages)->composing(),
      "load a scheduler's image while the guests run, for a later --swap to activate without the load: "
      "TIME:SCHEDULER[,source=NAME][,KEY=VALUE...] (repeatable; at one time, stages come before swaps)")(
      "shadow", po::value(&shadows)->composing(),
      "evaluate a candidate scheduler in shadow from a time: TIME:SCHEDULER[,tolerance=DURATION][,host_budget=DURATION]"
      "[,KEY=VALUE...] (its answers are compared with the active scheduler's, never applied), or TIME:unshadow "
      "(repeatable; one shadow at a time)")(
      "host-cost", "report host nanoseconds per call of the shadow (not reproducible run to run)");
  po::options_description hidden;
  hidden.add_options()("config", po::value(&config_path));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("config", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(std::string("vmmsim run: ") + e.what() + "; see 'vmmsim run --help'");
  }
  if (vm.count("help")) {
    std::cout << options << kRunOutputsHelp;
    return 0;
  }
  if (config_path.empty()) throw InputError("vmmsim run: missing CONFIG; see 'vmmsim run --help'");

  std::vector<config::Override> overrides;
  for (const std::string& s : sets) overrides.push_back(app::parse_override(s));
  app::set_activity(fmt::format("reading {} and its traces", shown(config_path, 200)));
  config::Config cfg = config::load_config(config_path, overrides);
  if (!until.empty()) {
    std::string why;
    auto cycles = parse_simulated_duration(until, cfg.platform.clock, &why);
    if (!cycles || *cycles == 0)
      throw InputError(fmt::format("--until {}: expected {}", until, cycles ? "a duration above 0" : why));
    cfg.until = *cycles;
    // 5 cycles is almost never meant: say what a bare number is.
    if (until.find_first_not_of("0123456789") == std::string::npos)
      std::cerr << fmt::format("vmmsim: warning: --until {} has no unit: {} cycles ({:.9g}s at {}); write e.g. "
                               "{}s or {}ms for seconds or milliseconds\n",
                               until, until, to_seconds(*cycles, cfg.platform.clock),
                               format_frequency(cfg.platform.clock), until, until);
  }
  auto add_requests = [&](const std::vector<std::string>& specs, config::SwapOption option,
                          std::vector<config::Swap>* into) {
    const char* name = option == config::SwapOption::Stage    ? "stage"
                       : option == config::SwapOption::Shadow ? "shadow"
                                                              : "swap";
    for (const std::string& spec : specs) {
      std::string why;
      auto swap = config::parse_swap(spec, cfg.platform.clock, ".", &why, option);
      if (!swap) throw InputError("--" + why);
      why = config::unknown_source(swap->request, cfg.image_sources);
      if (!why.empty()) throw InputError(fmt::format("--{} '{}': {}", name, shown(spec, 200), why));
      into->push_back(*swap);
    }
  };
  add_requests(stages, config::SwapOption::Stage, &cfg.swaps);
  add_requests(swaps, config::SwapOption::Swap, &cfg.swaps);
  add_requests(shadows, config::SwapOption::Shadow, &cfg.shadows);
  app::Outputs outputs{json, vcd, timeline, config_out};
  if (!window.empty()) {
    const auto span = parse_time_window(window, cfg.platform.clock);
    if (!span)
      throw InputError(fmt::format("--window {}: expected FROM:TO like 0:100ms, TO after FROM", window));
    if (timeline.empty())
      throw InputError(fmt::format("--window {}: limits the timeline only; expected --timeline FILE with it", window));
    outputs.timeline_from = span->from;
    outputs.timeline_to = span->to;
  }
  outputs.summary = vm.count("summary") > 0;
  outputs.host_cost = vm.count("host-cost") > 0;
  outputs.progress = vm.count("quiet") == 0 && app::standard_error_is_terminal();
  app::catch_interrupts();
  if (!app::simulate(cfg, outputs, std::cout, app::interrupt_signal())) return 0;
  // Stopped by a signal: the partial report is out; say so in the status too.
  std::cout.flush();
  std::cerr << "vmmsim: " << app::signal_name(*app::interrupt_signal())
            << ": stopped early; the report covers the simulated time so far (partial)\n";
  return 128 + *app::interrupt_signal();
}

}  // namespace

int sc_main(int argc, char* argv[]) {
  // A reader that went away (`| head`) or a file size limit is a failed
  // write with a cause (EPIPE, EFBIG), reported and cleaned up like any
  // other, not a death that leaves temporary files behind.
  std::signal(SIGPIPE, SIG_IGN);
  std::signal(SIGXFSZ, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kUsage;
      return args.empty() ? kBadInput : 0;
    }
    if (args[0] == "--version" || args[0] == "version") {
      std::cout << fmt::format("vmmsim {} (git {})\nSystemC {}\n", VMMSIM_VERSION, VMMSIM_GIT_REVISION,
                               sc_core::sc_release());
      return 0;
    }
    std::string command = args[0];
    args.erase(args.begin());
    app::set_activity(fmt::format("running 'vmmsim {}'", shown(command)));
    if (command == "run") return run_command(args);
    if (command == "compare") return app::compare_command(args);
    if (command == "trace") return app::trace_command(args);
    if (command == "sweep") return app::sweep_command(args);
    if (command == "list") {
      if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
        std::cout << "vmmsim list: the built-in schedulers, their [sched.NAME] parameters and per-VM keys\n";
        return 0;
      }
      print_list(std::cout);
      return 0;
    }
    throw InputError(fmt::format("unknown command '{}'; expected run, compare, sweep, trace or list (see 'vmmsim --help')", command));
  } catch (const InputError& e) {
    // Messages quote file names and input: a terminal gets them printable.
    std::cerr << "vmmsim: " << printable(e.what()) << "\n";
    return kBadInput;
  } catch (const OutputError& e) {
    std::cerr << "vmmsim: " << printable(e.what()) << "\n";
    return kWriteFailed;
  } catch (const std::exception& e) {
    if (app::is_out_of_memory(e)) {
      app::report_out_of_memory(std::cerr);
      return app::kOutOfMemory;
    }
    // A bug, not bad input: one line and EX_SOFTWARE instead of SystemC's
    // multi-line E549 report; unwinding has removed the partial outputs.
    std::cerr << "vmmsim: internal error (please report it with the inputs): " << printable(e.what()) << "\n";
    return kInternalError;
  }
}

// libsystemc provides main(); this one only silences its banner first.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
