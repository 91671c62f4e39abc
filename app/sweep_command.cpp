#include "app/sweep_command.h"

#include <fmt/format.h>

#include <iostream>

#include "app/command_options.h"
#include "base/input_error.h"
#include "base/text.h"

namespace vmmsim::app {
namespace {

const char* kSweepUsage =
    "usage: vmmsim sweep <subcommand> [options]\n\n"
    "Thousands of runs on the engines a cluster has (docs/sweeps.md):\n"
    "  plan CONFIG... --out DIR [--schedulers A,B] [--set KEY=V1,V2]... [--seeds N] [--chunk C]\n"
    "                write the runs (every combination, as compare makes them) as "
    "DIR/manifest.jsonl,\n"
    "                with DIR/slurm.sbatch (a job array) and DIR/parallel.sh (GNU parallel, ssh)\n"
    "  run DIR --index I [--count C] [--jobs J]\n"
    "                run runs I..I+C-1; done runs are skipped, each run is put in place whole\n"
    "  status DIR    done, failed and missing runs, and the failed runs' errors\n"
    "  collect DIR   the runs done so far as compare's table, CSV, JSON and HTML\n\n"
    "'vmmsim sweep <subcommand> --help' shows its options.\n";

}  // namespace

std::optional<Sweep> sweep_of(const char* command, const std::vector<std::string>& args,
                              const boost::program_options::options_description& options,
                              const char* more, boost::program_options::variables_map* vm) {
  namespace po = boost::program_options;
  std::string dir;
  po::options_description all;
  all.add(options).add_options()("dir", po::value(&dir));
  po::positional_options_description positional;
  positional.add("dir", 1);
  *vm = parse_options(command, args, all, positional);
  if (printed_help(*vm, options, more)) return std::nullopt;
  if (dir.empty())
    throw InputError(fmt::format("{}: missing DIR; see '{} --help'", command, command));
  return read_sweep(dir);
}

int sweep_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kSweepUsage;
    return args.empty() ? 2 : 0;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "plan") return sweep_plan_command(rest);
  if (args[0] == "run") return sweep_run_command(rest);
  if (args[0] == "collect") return sweep_collect_command(rest);
  if (args[0] == "status") return sweep_status_command(rest);
  throw InputError(
      fmt::format("vmmsim sweep: unknown subcommand '{}'; expected plan, run, status or collect",
                  shown(args[0])));
}

}  // namespace vmmsim::app
