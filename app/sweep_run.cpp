// `vmmsim sweep run DIR --index I [--count C]` (docs/sweeps.md "What sweep run guarantees"):
// runs I..I+C-1 of a planned sweep, each in a child process. Idempotent: a
// run whose result is complete is skipped. Atomic per run: a run is
// simulated into a hidden folder beside its result's, which gets the
// completeness mark last and is then renamed into place; the first rename
// wins, so two workers on one run (a retry, two array tasks, a requeue)
// never mix their files. A failed run leaves its folder, with its one-line
// error first in errors.txt, as the run's failure record.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/command_options.h"
#include "app/compare_folder.h"
#include "app/interrupt.h"
#include "app/run_batch.h"
#include "app/run_matrix.h"
#include "app/sweep_command.h"
#include "app/sweep_lock.h"
#include "app/sweep_manifest.h"
#include "base/content_hash.h"
#include "base/input_error.h"
#include "base/output_plan.h"
#include "base/text.h"
#include "config/config_writer.h"

namespace vmmsim::app {
namespace {

namespace po = boost::program_options;
namespace fs = std::filesystem;
using State = CompareRun::State;

// One run of this worker's chunk, beside its CompareRun (its exit, and
// `dir`: the hidden folder it is simulated in).
struct Job {
  const SweepRun* run = nullptr;
  std::optional<RunLock> lock;
};

// The run's config as planned: InputError when it, an override or an input
// file is not what the plan saw (the run would not be the planned one).
config::Config planned_config(const Sweep& sweep, const SweepRun& run) {
  config::Config config = config::load_config(run.config, run.overrides);
  apply_until(config, sweep.header.until);
  std::ostringstream resolved;
  config::write_resolved_config(config, resolved);
  if (fmt::format("{:016x}", fnv1a64(resolved.str())) != run.resolved_hash)
    throw InputError(fmt::format(
        "{}: its resolved configuration is not the planned one ({}): the config, a path in "
        "it or an override changed since vmmsim sweep plan; expected the planned "
        "configuration (plan the sweep again)",
        run.config, (sweep.dir / run.resolved).string()));
  for (const auto& [path, hash] : run.inputs)
    if (file_fnv1a64(path) != hash)
      throw InputError(fmt::format(
          "{}: changed since vmmsim sweep plan (an input of run {}); expected the planned "
          "file (plan the sweep again)",
          path, run.name));
  return config;
}

// Whether the run names a file by a path relative to the folder the plan ran in.
bool has_relative_path(const SweepRun& run) {
  if (fs::path(run.config).is_relative()) return true;
  return std::any_of(run.inputs.begin(), run.inputs.end(),
                     [](const auto& input) { return fs::path(input.first).is_relative(); });
}

// Puts `from` in place of `to`, whatever `to` holds (an earlier failure
// record): exchanged in one step where the file system can, then removed.
void replace_folder(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (::rename(from.c_str(), to.c_str()) != 0) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) != 0) {
      fs::remove_all(to, ec);
      if (::rename(from.c_str(), to.c_str()) != 0)
        throw OutputError(fmt::format("{}: cannot put the run's record in place ({})", to.string(),
                                      std::strerror(errno)));
      return;
    }
  }
  fs::remove_all(from, ec);  // after an exchange, the earlier record
}

// Whether this worker runs `job` now: not when its result is complete, nor
// (without `ignore_locks`) while another worker holds it; `why` says so. A
// run it takes gets its lock and the hidden folder it is simulated in.
bool claim(const Sweep& sweep, Job& job, CompareRun& view, bool ignore_locks, std::string* why) {
  if (is_complete(sweep, *job.run)) {
    *why = "done before";
    return false;
  }
  std::string holder;
  job.lock = RunLock::take(lock_file(sweep, *job.run), &holder);
  if (!job.lock && !ignore_locks) {
    *why = "held by another worker (" + holder + ")";
    return false;
  }
  // A worker that finished it and let go of the lock between the first look
  // and the lock: looked at again, so that it is not simulated twice.
  if (is_complete(sweep, *job.run)) {
    job.lock.reset();
    *why = "done before";
    return false;
  }
  try {
    view.dir = make_hidden_sibling(result_dir(sweep, *job.run), "");
  } catch (const InputError& e) {  // the sweep's own folder: an output that cannot be written, as the lock's
    throw OutputError(e.what());
  }
  return true;
}

// What the parent does when a run's child has ended; returns the progress
// line's word.
std::string finish(const Sweep& sweep, Job& job, const CompareRun& view) {
  const SweepRun& run = *job.run;
  std::error_code ec;
  std::string said = outcome(view);
  if (view.state == State::Done) {
    write_whole_file(
        (view.dir / kCompleteFile).string(),
        fmt::format("{{\"format\": \"vmmsim-sweep-run 1\", \"index\": {}, \"name\": {}}}\n",
                    run.index, json_quoted(run.name)),
        "the sweep folder");
    // One rename makes the result whole; a folder already there is another
    // worker's, the same result: it stays.
    if (::rename(view.dir.c_str(), result_dir(sweep, run).c_str()) != 0) {
      if (errno != ENOTEMPTY && errno != EEXIST)
        throw OutputError(fmt::format("{}: cannot put the run's result in place ({})",
                                      result_dir(sweep, run).string(), std::strerror(errno)));
      fs::remove_all(view.dir, ec);
      said = "done (another worker's result was first; it stays)";
    }
    fs::remove_all(failure_dir(sweep, run), ec);
  } else if (is_complete(sweep, run)) {
    fs::remove_all(view.dir, ec);  // another worker has the result
  } else {
    if (!fs::exists(view.dir / "errors.txt", ec))  // killed: no word of its own
      write_whole_file((view.dir / "errors.txt").string(),
                       "vmmsim: " + said.substr(said.find(": ") + 2) + "\n", "the sweep folder");
    replace_folder(view.dir, failure_dir(sweep, run));
  }
  job.lock.reset();
  return said;
}

}  // namespace

int sweep_run_command(const std::vector<std::string>& args) {
  po::options_description options("vmmsim sweep run DIR --index I [options]");
  std::string index_text, count_text = "1", jobs_text = "1";
  options.add_options()("help,h", "show this help")(
      "index", po::value(&index_text)->value_name("I"),
      "the first run: 0 to the sweep's runs - 1 (required)")(
      "count", po::value(&count_text)->value_name("C"),
      "how many runs from I on (default 1; a count past the last run stops there)")(
      "jobs,j", po::value(&jobs_text),
      "runs at once, each in its own process: 1 to 256 (default 1)")(
      "ignore-locks",
      "run also the runs another worker holds (after a node died with their locks): the "
      "first result to be put in place stays");
  po::variables_map vm;
  const std::optional<Sweep> planned = sweep_of(
      "vmmsim sweep run", args, options,
      "\nSkips the runs that are done; a failed run's folder, with its one-line error, is\n"
      "replaced when it is run again. Exit codes: 0 every run done (or held by another\n"
      "worker), 2 bad input (of the command: nothing run; or of a run), 70, 71, 74 a run\n"
      "failed with that code (the largest), 1 a run was killed by a signal, 128+N stopped\n"
      "by signal N. docs/sweeps.md\n",
      &vm);
  if (!planned) return 0;
  const Sweep& sweep = *planned;
  const std::size_t runs = sweep.runs.size();
  if (index_text.empty())
    throw InputError(fmt::format(
        "vmmsim sweep run: missing --index I; expected the first run to run, 0 to {}", runs - 1));
  const auto index = parse_count(index_text, nullptr);
  if (!index || *index >= runs)
    throw InputError(
        fmt::format("--index {}: expected a run of the sweep, 0 to {}", index_text, runs - 1));
  const auto count = parse_count(count_text, nullptr);
  if (!count || *count == 0)
    throw InputError(fmt::format("--count {}: expected a whole number above 0", count_text));
  const unsigned jobs = parse_jobs(jobs_text);
  const bool ignore_locks = vm.count("ignore-locks") > 0;
  // A count past the last run stops there, however large (index + count would wrap).
  const std::size_t end = *count >= runs - *index ? runs : *index + *count;
  // Relative paths of the manifest start where the plan ran; a chunk whose
  // paths are all absolute does not need that folder on this host.
  if (::chdir(sweep.header.cwd.c_str()) != 0) {
    const int error = errno;
    if (std::any_of(sweep.runs.begin() + *index, sweep.runs.begin() + end, has_relative_path))
      throw InputError(fmt::format(
          "{}: cannot enter the folder the sweep was planned in, {} ({}); expected it at the "
          "same path on every host (a shared file system)",
          (sweep.dir / kSweepFile).string(), sweep.header.cwd, std::strerror(error)));
  }
  // Another vmmsim could give other results: each run fails, saying so.
  const VmmsimBuild self = VmmsimBuild::current();
  const std::string other_build =
      self.same_results_as(sweep.header.planned_by)
          ? ""
          : fmt::format(
                "{}: planned with {}, and this is {}; expected the vmmsim that planned the sweep "
                "({})",
                (sweep.dir / kSweepFile).string(), sweep.header.planned_by.text(), self.text(),
                sweep.header.planned_by.executable);

  std::vector<Job> chunk;
  std::vector<CompareRun> views;
  for (std::size_t i = *index; i < end; ++i) {
    chunk.push_back({&sweep.runs[i], {}});
    views.emplace_back().name = sweep.runs[i].name;
  }
  RunBatch batch;
  batch.jobs = jobs;
  batch.window = {sweep.header.window, sweep.header.window_given};
  batch.load = [&](std::size_t i) {
    if (!other_build.empty()) throw InputError(other_build);
    return planned_config(sweep, *chunk[i].run);
  };
  batch.claim = [&](std::size_t i, std::string* why) {
    return claim(sweep, chunk[i], views[i], ignore_locks, why);
  };
  batch.finish = [&](std::size_t i) { return finish(sweep, chunk[i], views[i]); };
  batch.on_abort = [&] {
    std::error_code ec;
    for (std::size_t i = 0; i < chunk.size(); ++i) {
      if (views[i].state != State::NotRun || views[i].dir.empty()) continue;
      fs::remove_all(views[i].dir, ec);
      chunk[i].lock.reset();
    }
  };
  int signal = 0;
  const int failed = run_batch(views, batch, &signal);
  if (signal != 0) {
    std::cerr << "vmmsim: " << signal_name(signal)
              << ": stopped; the runs it stopped are failed, the runs not started are missing: run "
                 "them again\n";
    return 128 + signal;
  }
  return failed;
}

}  // namespace vmmsim::app
