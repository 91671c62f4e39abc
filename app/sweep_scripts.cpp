#include "app/sweep_scripts.h"

#include <fmt/format.h>

#include "app/command_options.h"
#include "base/text.h"

namespace vmmsim::app {
namespace {

// A path that a #SBATCH line can hold: Slurm splits those lines at blanks
// without a shell's quoting, and '%' and '\' are its file name patterns.
bool sbatch_safe(const std::string& path) {
  return path.find_first_of(" \t\n\"'\\%") == std::string::npos;
}

}  // namespace

std::string slurm_script(const SweepScripts& s) {
  const std::string logs = s.dir + "/logs";
  std::string text = fmt::format(
      "#!/bin/sh\n"
      "# The sweep planned in {dir} as one Slurm job array (docs/sweeps.md): task T\n"
      "# runs the {chunk} run(s) from T*{chunk} on with `vmmsim sweep run`, one after another.\n"
      "#   sbatch {dir_word}/slurm.sbatch\n"
      "# Options given to sbatch override these (-p PARTITION, -t TIME, -A ACCOUNT). Every\n"
      "# node must see the sweep folder, the configs and their traces at the same paths.\n"
      "# Runs done already are skipped, so the same script may be submitted again\n"
      "# for what failed or was not run. Words after the script go to `sweep run`:\n"
      "#   sbatch {dir_word}/slurm.sbatch --ignore-locks   (after a node died with its locks)\n"
      "#SBATCH --job-name=vmmsim-sweep\n"
      "#SBATCH --array=0-{last}%{max_running}\n"
      "#SBATCH --ntasks=1\n"
      "#SBATCH --cpus-per-task=1\n",
      fmt::arg("dir", printable(s.dir)), fmt::arg("dir_word", printable(shell_word(s.dir))),
      fmt::arg("chunk", s.chunk), fmt::arg("last", s.tasks() - 1),
      fmt::arg("max_running", s.max_running));
  if (sbatch_safe(logs))
    text += fmt::format("#SBATCH --output={}/slurm-%A_%a.out\n", logs);
  else
    text +=
        "# (Slurm's own output file, slurm-%A_%a.out where sbatch ran: the sweep folder's\n"
        "# path cannot be written on an #SBATCH line.)\n";
  text += fmt::format(
      "VMMSIM=${{VMMSIM:-{}}}\n"
      "exec \"$VMMSIM\" sweep run {} --index $((SLURM_ARRAY_TASK_ID * {})) --count {} \"$@\"\n",
      shell_word(s.executable), shell_word(s.dir), s.chunk, s.chunk);
  return text;
}

std::string parallel_script(const SweepScripts& s) {
  return fmt::format(
      "#!/bin/sh\n"
      "# The sweep planned in {dir} with GNU parallel (docs/sweeps.md): one job per\n"
      "# chunk of {chunk} run(s), each `vmmsim sweep run`.\n"
      "#   {dir}/parallel.sh                     here, a job per CPU\n"
      "#   {dir}/parallel.sh HOSTS [OPTION...]   over ssh, on the hosts of the file HOSTS\n"
      "# HOSTS is parallel's --sshloginfile: a line per host, `[JOBS/][user@]host`, and `:` for\n"
      "# this machine. OPTIONs go to parallel (--jobs 4, --retries 2). Every host must see the\n"
      "# sweep folder, the configs and their traces at the same paths, and vmmsim at $VMMSIM.\n"
      "# Runs done already are skipped, so the script may be run again for what is missing.\n"
      "set -eu\n"
      "VMMSIM=${{VMMSIM:-{exe}}}\n"
      "dir={dir_word}\n"
      "if [ $# -gt 0 ] && [ \"${{1#-}}\" = \"$1\" ]; then\n"
      "  hosts=$1\n"
      "  shift\n"
      "  set -- --sshloginfile \"$hosts\" \"$@\"\n"
      "fi\n"
      "seq 0 {chunk} {last} |\n"
      "  parallel --will-cite --joblog \"$dir/logs/parallel.joblog\" \"$@\" \\\n"
      "    -q \"$VMMSIM\" sweep run \"$dir\" --index {{}} --count {chunk}\n",
      fmt::arg("dir", printable(s.dir)), fmt::arg("dir_word", shell_word(s.dir)),
      fmt::arg("chunk", s.chunk), fmt::arg("last", (s.tasks() - 1) * s.chunk),
      fmt::arg("exe", shell_word(s.executable)));
}

}  // namespace vmmsim::app
