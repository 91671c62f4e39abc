// Runs on this machine, `jobs` at a time, each in a child process
// (app/run_child.h, app/child_pool.h), with a progress line on stderr as each
// ends: "[2/4] default--rr done". The one way both `vmmsim compare` and
// `vmmsim sweep run` run their runs; compare is the local case of a sweep
// (docs/sweeps.md "vmmsim compare and vmmsim sweep").
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "app/compare_runs.h"
#include "app/run_child.h"
#include "config/config.h"

namespace vmmsim::app {

struct RunBatch {
  unsigned jobs = 1;
  RunWindow window;
  // In run i's child: its config.
  std::function<config::Config(std::size_t)> load;
  // Asked just before run i would start: false leaves it unstarted, and
  // `why` is its progress word ("done before"). None: every run starts.
  std::function<bool(std::size_t, std::string* why)> claim;
  // After run i has ended and its state is recorded: what the parent does
  // with its folder; returns its progress word. None: outcome(run).
  std::function<std::string(std::size_t)> finish;
  // When a second signal aborts, once every run has ended.
  std::function<void()> on_abort;
};

// Runs `runs` (each simulated into its `dir`), recording each one's exit.
// Returns the code of their failures: 0 if none, else a failed run's own
// code (the largest), or 1 for a run killed, or stopped by a signal that
// this process did not get. `stop_signal`: the signal that stopped them, 0
// if none.
int run_batch(std::vector<CompareRun>& runs, const RunBatch& batch, int* stop_signal);

// What became of the run from its child's waitpid status: `status`,
// `killed_by` and `state` (Done, Stopped by a signal, else Failed).
void record_exit(CompareRun& run, int wait_status);
// The progress line's word for it: "done", "stopped early (partial
// results)", or "FAILED: " and the first line of the run's errors.txt (or
// "killed by SIGKILL").
std::string outcome(const CompareRun& run);
// The first line of a file ("" if it has none).
std::string first_line(const std::filesystem::path& file);

}  // namespace vmmsim::app
