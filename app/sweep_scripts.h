// The scripts `vmmsim sweep plan` writes beside the manifest (docs/sweeps.md):
// a Slurm batch script of one job array, and a GNU parallel command line,
// each running the sweep in chunks of `vmmsim sweep run`.
#pragma once

#include <cstddef>
#include <string>

namespace vmmsim::app {

struct SweepScripts {
  std::string dir;         // the sweep folder, absolute
  std::string executable;  // the vmmsim that planned it, absolute
  std::size_t runs = 0, chunk = 1, max_running = 1;
  std::size_t tasks() const { return (runs + chunk - 1) / chunk; }
};

// slurm.sbatch [SWEEP-RUN-OPTION...]: `#SBATCH --array=0-K%M`, task t running
// runs t*C..t*C+C-1.
std::string slurm_script(const SweepScripts& s);
// parallel.sh [HOSTS [PARALLEL-OPTION...]]: one job per chunk, here or over ssh.
std::string parallel_script(const SweepScripts& s);

}  // namespace vmmsim::app
