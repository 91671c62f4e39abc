#include "app/run_batch.h"

#include <fmt/format.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "app/child_pool.h"
#include "app/interrupt.h"
#include "base/text.h"

namespace vmmsim::app {

using State = CompareRun::State;

int run_batch(std::vector<CompareRun>& runs, const RunBatch& batch, int* stop_signal) {
  std::size_t ended = 0;
  auto say = [&](const CompareRun& run, const std::string& word) {
    std::cerr << fmt::format("[{}/{}] {} {}\n", ++ended, runs.size(), run.name, word);
  };
  int failed = 0;
  std::cout.flush();
  ChildPool pool;
  if (batch.on_abort) pool.on_abort(batch.on_abort);
  pool.run(
      runs.size(), batch.jobs,
      [&](std::size_t i) {
        run_child([&] { return batch.load(i); }, runs[i].dir, batch.window, pool);
      },
      [&](std::size_t i, const ChildPool::Exit& exit) {
        CompareRun& run = runs[i];
        record_exit(run, exit.status);
        if (run.state != State::Done)
          failed = std::max(failed, run.state == State::Failed && !run.killed_by ? run.status : 1);
        say(run, batch.finish ? batch.finish(i) : outcome(run));
      },
      [&](std::size_t i) {
        std::string why;
        if (!batch.claim || batch.claim(i, &why)) return true;
        say(runs[i], why);
        return false;
      });
  *stop_signal = pool.stop_signal();
  return failed;
}

void record_exit(CompareRun& run, int wait_status) {
  run.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  run.killed_by = WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0;
  const bool stopped = std::any_of(std::begin(kStopSignals), std::end(kStopSignals),
                                   [&](int signal) { return run.status == 128 + signal; });
  run.state = run.status == 0 ? State::Done : stopped ? State::Stopped : State::Failed;
}

std::string outcome(const CompareRun& run) {
  if (run.state == State::Done) return "done";
  if (run.state == State::Stopped) return "stopped early (partial results)";
  if (run.killed_by) return "FAILED: killed by " + signal_name(run.killed_by);
  return "FAILED: " + printable(first_line(run.dir / "errors.txt"));
}

std::string first_line(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace vmmsim::app
