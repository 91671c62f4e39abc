#include "app/trace_command.h"

#include <fmt/format.h>

#include <boost/program_options.hpp>
#include <cctype>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "app/command_options.h"
#include "app/interrupt.h"
#include "app/phases_outputs.h"
#include "base/capped_input.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "config/imported_config.h"
#include "workload/generators.h"
#include "workload/importers.h"
#include "workload/trace_parser.h"

namespace vmmsim::app {
namespace {

namespace po = boost::program_options;

const char* kTraceUsage =
    "usage: vmmsim trace <subcommand> [options]\n\n"
    "subcommands:\n"
    "  gen KIND [options] --seed N -o FILE\n"
    "                write a synthetic trace; KIND: cpu-bound, io-bound, interactive,\n"
    "                periodic, mix or phases (docs/generators.md)\n"
    "  import FORMAT INPUT... -o OUT [options]\n"
    "                turn real traces into vmmsim traces; FORMAT: ftrace, swf or\n"
    "                utilization (docs/importers.md)\n\n"
    "'vmmsim trace gen --help' and 'vmmsim trace import --help' show their options.\n";

const char* kGenKinds =
    "kinds:\n"
    "  cpu-bound     vCPUs that compute, optionally yielding between chunks\n"
    "  io-bound      vCPUs that alternate CPU bursts and blocking I/O\n"
    "  interactive   vCPUs that wait for a keystroke, handle it and echo a reply\n"
    "                (keystrokes come from the console: set [console] input_every)\n"
    "  periodic      real-time jobs: every PERIOD run WORK\n"
    "  mix           a given number of vCPUs of each kind in one trace\n"
    "  phases        a workload whose character changes over time: batch, interactive\n"
    "                and periodic phases in the order of --phases, a trace per VM\n"
    "                (-o OUT writes OUT-batch.trace, OUT-shell.trace, OUT-rt.trace)\n"
    "                and with --config FILE a config that runs them (--controller:\n"
    "                with a switching controller in a service VM)\n\n";

bool is_help(const std::string& word) { return word == "--help" || word == "-h" || word == "help"; }

// --- trace gen ---------------------------------------------------------------------

// The generator's options as Boost options; `only` limits them to one kind (for --help).
void add_generator_options(po::options_description* options,
                           std::optional<workload::GeneratorKind> only) {
  for (const workload::GeneratorOptionInfo& o : workload::generator_options()) {
    if (only && !workload::option_applies(o, *only)) continue;
    if (*o.value_name == '\0')
      options->add_options()(o.name, po::bool_switch(), o.help);
    else
      options->add_options()(o.name, po::value<std::string>()->value_name(o.value_name), o.help);
  }
}

void add_gen_common_options(po::options_description* options, std::string* output,
                            std::string* config_file, bool* controller, bool phases) {
  options->add_options()("help,h", "show this help")(
      "output,o", po::value(output)->value_name("FILE"),
      phases ? "the traces to write (required): FILE-VM.trace for each VM, or FILE with only one"
             : "the trace to write (required)");
  if (phases)
    options->add_options()(
        "config", po::value(config_file)->value_name("FILE"),
        "phases: also write a config that runs the traces: the pCPUs, the console's "
        "keystrokes, a [vm.NAME] for each trace, an until that covers the phases")(
        "controller", po::bool_switch(controller),
        "phases, with --config: also write a service VM (-o FILE: FILE-service.trace) and into the "
        "config a switching controller that loads rtds while a batch phase's vCPUs queue up "
        "and credit once the queue has emptied (docs/controller.md)");
}

int gen_command(const std::vector<std::string>& args) {
  std::string kind_word, output, config_file;
  bool controller = false;
  po::options_description all;
  add_gen_common_options(&all, &output, &config_file, &controller, true);
  add_generator_options(&all, std::nullopt);
  all.add_options()("kind", po::value(&kind_word));
  po::positional_options_description positional;
  positional.add("kind", 1);
  po::variables_map vm = parse_options("vmmsim trace gen", args, all, positional);

  if (vm.count("help")) {
    std::optional<workload::GeneratorKind> kind;
    if (!kind_word.empty()) kind = workload::parse_generator_kind(kind_word);
    std::string title = kind ? fmt::format("vmmsim trace gen {} [options] --seed N -o FILE",
                                           workload::generator_kind_name(*kind))
                             : std::string("vmmsim trace gen KIND [options] --seed N -o FILE");
    po::options_description shown(title);
    std::string unused, unused_config;
    bool unused_controller = false;
    add_gen_common_options(&shown, &unused, &unused_config, &unused_controller,
                           !kind || *kind == workload::GeneratorKind::Phases);
    add_generator_options(&shown, kind);
    if (!kind)
      std::cout << "usage: vmmsim trace gen KIND [options] --seed N -o FILE\n\n" << kGenKinds;
    std::cout << shown
              << "\nDurations need a unit (ns, us, ms, s). Options of one kind: 'vmmsim trace gen "
                 "KIND --help'.\n";
    return 0;
  }
  if (kind_word.empty())
    throw InputError(
        "vmmsim trace gen: missing KIND; expected cpu-bound, io-bound, interactive, periodic, mix "
        "or phases");
  const workload::GeneratorKind kind = workload::parse_generator_kind(kind_word);

  // Option words in the table's order, so that errors do not depend on the command line's.
  std::vector<std::pair<std::string, std::string>> given;
  for (const workload::GeneratorOptionInfo& o : workload::generator_options()) {
    if (!vm.count(o.name)) continue;
    if (*o.value_name == '\0') {
      if (vm[o.name].as<bool>()) given.emplace_back(o.name, "");
    } else {
      given.emplace_back(o.name, vm[o.name].as<std::string>());
    }
  }
  workload::GeneratorSpec spec = workload::make_generator_spec(kind, given);
  if (output.empty())
    throw InputError("vmmsim trace gen: missing -o FILE; expected -o FILE, the trace to write");
  spec.command = command_line("vmmsim trace gen", args);
  if (kind == workload::GeneratorKind::Phases)
    return write_phases(spec, output, config_file, controller);
  const char* phases_only = !config_file.empty() ? "config" : controller ? "controller" : nullptr;
  if (phases_only)
    throw InputError(fmt::format("--{} applies only to phases; expected no --{} with {}",
                                 phases_only, phases_only, workload::generator_kind_name(kind)));
  const std::string text = workload::generate_trace(spec);

  // Internal check: a generated trace that does not parse is a generator bug.
  workload::TraceProgram program;
  try {
    program = workload::parse_trace(text, output, 1000000000);
  } catch (const InputError& e) {
    throw std::logic_error(std::string("vmmsim trace gen wrote a trace that does not parse: ") +
                           e.what());
  }
  OutputPlan plan;
  OutputFile& file = plan.add(output, "-o");
  plan.open();
  file.stream() << text;
  plan.commit();
  std::ostream& say = plan.writes_standard_output() ? std::cerr : std::cout;
  say << fmt::format("wrote {}: {}, {} vCPU{}\n", printable(output), workload::generator_kind_name(kind),
                     program.vcpus.size(), program.vcpus.size() == 1 ? "" : "s");
  if (kind == workload::GeneratorKind::Interactive ||
      (kind == workload::GeneratorKind::Mix && spec.mix_interactive > 0))
    say << "note: interactive vCPUs wait for console input; set [console] input_every and "
           "focus as the trace's comments say\n";
  return 0;
}

// --- trace import ------------------------------------------------------------------

const char* kImportFormats =
    "formats:\n"
    "  ftrace        trace-cmd report / raw ftrace text with sched_switch and sched_wakeup:\n"
    "                one vCPU per task (one INPUT)\n"
    "  swf           Standard Workload Format: one vCPU per processor of each job (one INPUT)\n"
    "  utilization   CPU-utilisation series, one percentage a line: one VM per file\n"
    "                (INPUT... files or directories)\n"
    "Inputs may be gzipped.\n\n";

// "12.5" (seconds) or "500ms": seconds, for --from and --to.
double seconds_value(const char* name, const std::string& text) {
  bool has_unit = !text.empty() && std::isalpha(static_cast<unsigned char>(text.back()));
  std::string why;
  auto ns = parse_duration(has_unit ? text : text + "s", 1000000000, &why);
  if (!ns || (has_unit && text.find("cycle") != std::string::npos))
    throw InputError(fmt::format(
        "--{} {}: expected seconds (12.5) or a duration with a unit (500ms)", name, text));
  return static_cast<double>(*ns) / 1e9;
}

std::size_t size_value(const char* name, const std::string& text, const char* expected) {
  auto n = parse_count(text, nullptr);
  if (!n) throw InputError(fmt::format("--{} {}: expected {}", name, text, expected));
  return static_cast<std::size_t>(*n);
}

bool is_vm_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

int import_command(const std::vector<std::string>& args) {
  std::string format, output, top, from, to, jobs, clock, interval, max_vms, config_file;
  std::vector<std::string> inputs, vm_patterns;
  bool skip_bad = false;
  po::options_description options("vmmsim trace import FORMAT INPUT... -o OUT [options]");
  options.add_options()("help,h", "show this help")(
      "output,o", po::value(&output)->value_name("OUT"),
      "the trace to write (required); with several VMs, OUT-VM.trace for each")(
      "config", po::value(&config_file)->value_name("FILE"),
      "also write a config that runs the imported traces: a [vm.NAME] for each, the platform sized from the "
      "trace, a scheduler and an until that covers it")(
      "top", po::value(&top)->value_name("N"), "ftrace: keep the N tasks with most CPU time")(
      "vm", po::value(&vm_patterns)->composing()->value_name("GLOB=NAME"),
      "ftrace: tasks whose name matches GLOB go to VM NAME, first match wins (repeatable; "
      "default: one VM, all)")(
      "from", po::value(&from)->value_name("S"),
      "start of the time window, seconds from the trace's start (12.5 or 500ms)")(
      "to", po::value(&to)->value_name("S"), "end of the time window, likewise")(
      "jobs", po::value(&jobs)->value_name("FIRST:COUNT"),
      "swf: skip FIRST jobs, then keep at most COUNT (0 = all)")(
      "interval", po::value(&interval)->value_name("D"),
      "utilization: time per sample (default 5min = 300s)")(
      "max-vms", po::value(&max_vms)->value_name("N"), "keep at most N VMs (default: all)")(
      "clock", po::value(&clock)->value_name("FREQ"),
      "the platform clock the traces are checked for (default 1GHz)")(
      "skip-bad", po::bool_switch(&skip_bad),
      "skip and count malformed lines instead of failing on the first");
  po::options_description all;
  all.add(options);
  all.add_options()("format", po::value(&format))("input", po::value(&inputs));
  po::positional_options_description positional;
  positional.add("format", 1).add("input", -1);
  po::variables_map vm = parse_options("vmmsim trace import", args, all, positional);
  if (vm.count("help")) {
    std::cout << "usage: vmmsim trace import FORMAT INPUT... -o OUT [options]\n\n"
              << kImportFormats << options;
    return 0;
  }

  const bool ftrace = format == "ftrace", swf = format == "swf",
             utilization = format == "utilization";
  if (format.empty() || !(ftrace || swf || utilization))
    throw InputError(
        fmt::format("vmmsim trace import: {}; expected FORMAT ftrace, swf or utilization",
                    format.empty() ? "missing FORMAT" : "unknown format '" + format + "'"));
  if (inputs.empty())
    throw InputError(fmt::format("vmmsim trace import {}: missing INPUT; expected {}", format,
                                 utilization ? "one or more files or directories" : "one file"));
  if (!utilization && inputs.size() > 1)
    throw InputError(
        fmt::format("vmmsim trace import {}: {} inputs; expected one file", format, inputs.size()));
  if (output.empty())
    throw InputError("vmmsim trace import: missing -o OUT; expected -o OUT, the trace to write");
  // The output, and its folder, are checked before the inputs are read,
  // against every file read (a utilization folder stands for its files).
  const std::vector<std::string> read = utilization ? workload::utilization_files(inputs) : inputs;
  std::vector<std::pair<std::string, std::string>> outputs{{output, "-o"}};
  if (!config_file.empty()) outputs.emplace_back(config_file, "--config");
  check_outputs(read, outputs);
  auto only_for = [&](const char* name, bool given, bool applies, const char* formats) {
    if (given && !applies)
      throw InputError(fmt::format("--{} applies only to {}; expected no --{} with {}", name,
                                   formats, name, format));
  };
  only_for("top", !top.empty(), ftrace, "ftrace");
  only_for("vm", !vm_patterns.empty(), ftrace, "ftrace");
  only_for("jobs", !jobs.empty(), swf, "swf");
  only_for("interval", !interval.empty(), utilization, "utilization");

  workload::ImportOptions o;
  o.skip_bad = skip_bad;
  if (!clock.empty()) {
    std::string why;
    auto hz = parse_frequency(clock, &why);
    if (!hz) throw InputError(fmt::format("--clock {}: expected {}", clock, why));
    // The range [platform] clock takes: a trace for another clock could not be run.
    if (*hz < 1193182 || *hz > 1000000000000ULL)
      throw InputError(fmt::format("--clock {}: expected a frequency from 1193182Hz to 1THz", clock));
    o.clock = *hz;
  }
  if (!top.empty()) o.top = size_value("top", top, "a whole number (0 = all tasks)");
  for (const std::string& p : vm_patterns) {
    auto eq = p.rfind('=');
    if (eq == std::string::npos || eq == 0 || !is_vm_name(p.substr(eq + 1)))
      throw InputError(
          fmt::format("--vm {}: expected GLOB=NAME, NAME of letters, digits, '_' and '-'", p));
    o.vm_patterns.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  if (!from.empty()) o.from_s = seconds_value("from", from);
  if (!to.empty()) o.to_s = seconds_value("to", to);
  if (o.from_s && o.to_s && *o.to_s <= *o.from_s)
    throw InputError(fmt::format("--to {}: expected a time after --from {}", to, from));
  if (!jobs.empty()) {
    auto colon = jobs.find(':');
    auto first = parse_count(jobs.substr(0, colon), nullptr);
    auto count =
        colon == std::string::npos ? std::nullopt : parse_count(jobs.substr(colon + 1), nullptr);
    if (!first || !count)
      throw InputError(
          fmt::format("--jobs {}: expected FIRST:COUNT, two whole numbers (COUNT 0 = all)", jobs));
    o.first_job = static_cast<std::size_t>(*first);
    o.max_jobs = static_cast<std::size_t>(*count);
  }
  if (!interval.empty()) {
    std::string why;
    auto cycles = parse_duration(interval, o.clock, &why);
    if (!cycles || *cycles == 0)
      throw InputError(fmt::format("--interval {}: expected {} above 0", interval,
                                   why.empty() ? "a duration" : why));
    o.interval = *cycles;
  }
  if (!max_vms.empty()) o.max_vms = size_value("max-vms", max_vms, "a whole number (0 = all VMs)");

  workload::ImportResult result;
  if (utilization) {
    result = workload::import_utilization(inputs, o);
  } else {
    CappedInput buffer(inputs[0], workload::kImportInput);  // read while importing, to the cap
    std::istream in(&buffer);
    result =
        ftrace ? workload::import_ftrace(in, inputs[0], o) : workload::import_swf(in, inputs[0], o);
  }

  // Several VMs: a file each, all written or none (base/output_plan.h).
  if (result.vms.size() > 1 && OutputFile(output).to_standard_output())
    throw InputError(fmt::format("-o {}: {} VMs to write; expected -o OUT naming a file (OUT-VM.trace for "
                                 "each VM), not standard output",
                                 output, result.vms.size()));
  if (!config_file.empty() && OutputFile(output).to_standard_output())
    throw InputError(fmt::format("--config {}: the trace goes to standard output; expected -o OUT naming a file "
                                 "for the config to point to",
                                 config_file));
  OutputPlan plan(read);
  std::vector<OutputFile*> files;
  std::vector<std::string> paths;
  for (const workload::ImportedVm& v : result.vms) {
    paths.push_back(workload::import_output_path(output, v.name, result.vms.size()));
    files.push_back(&plan.add(paths.back(), "-o"));
  }
  std::optional<config::ImportedConfig> config;
  OutputFile* config_out = nullptr;
  if (!config_file.empty()) {
    config = config::imported_config(result, paths, config_file, o.clock, command_line("vmmsim trace import", args));
    config_out = &plan.add(config_file, "--config");
  }
  plan.open();
  for (std::size_t i = 0; i < files.size(); ++i) files[i]->stream() << result.vms[i].trace_text;
  if (config) config::write_imported_config(*config, config_out->stream());
  plan.commit();
  std::ostream& say = plan.writes_standard_output() ? std::cerr : std::cout;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const workload::ImportedVm& v = result.vms[i];
    say << fmt::format("wrote {}: VM {}, {} vCPU{}\n", printable(files[i]->path()), printable(v.name),
                       v.vcpu_labels.size(), v.vcpu_labels.size() == 1 ? "" : "s");
  }
  if (config)
    say << fmt::format("wrote {}: {} VM{}, {} pCPUs, scheduler {}, until {:.3f} s\n", printable(config_out->path()),
                       config->vms.size(), config->vms.size() == 1 ? "" : "s", config->cpus, config->scheduler,
                       to_seconds(config->until, config->clock));
  // The notes quote task names and lines of the input: printable, line by line.
  std::istringstream notes(result.notes);
  for (std::string line; std::getline(notes, line);) say << printable(line) << "\n";
  say << fmt::format("read {} lines; skipped {} malformed{}\n", result.lines_read, result.lines_skipped,
                     result.lines_skipped > 0 ? " (--skip-bad)" : "");
  return 0;
}

}  // namespace

int trace_command(const std::vector<std::string>& args) {
  if (args.empty())
    throw InputError(
        "vmmsim trace: missing subcommand; expected gen or import (see 'vmmsim trace --help')");
  if (is_help(args[0])) {
    std::cout << kTraceUsage;
    return 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  // A stopped gen or import has nothing partial to give: it leaves nothing.
  abort_on_interrupts();
  if (args[0] == "gen") return gen_command(rest);
  if (args[0] == "import") return import_command(rest);
  throw InputError(fmt::format(
      "vmmsim trace: unknown subcommand '{}'; expected gen or import (see 'vmmsim trace --help')",
      args[0]));
}

}  // namespace vmmsim::app
