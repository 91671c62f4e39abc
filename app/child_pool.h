// Child processes, `jobs` at a time, that a signal stops cleanly: what
// `vmmsim compare` runs its simulations in (docs/compare.md, "Signals").
//
// The parent holds SIGINT, SIGTERM, SIGHUP and SIGCHLD blocked and takes
// them with sigwaitinfo, so that nothing races. Each child runs in a process
// group of its own (a terminal's Ctrl-C reaches the parent only, which
// forwards it once) and dies with the parent (PR_SET_PDEATHSIG). The first
// stop signal is forwarded to every running child (each stops and writes
// its partial outputs) and no more children start; the parent waits for all
// of them. A second one aborts: every running child gets a stop signal
// other than the first (its own handler removes its temporaries and it dies
// of it), the parent waits for them and dies of the second signal. A third
// kills the children with SIGKILL.
#pragma once

#include <csignal>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace vmmsim::app {

// --jobs: runs at once, 1 to 256 (far more than any machine's CPUs, far
// fewer than a process table holds); InputError otherwise, "" too.
unsigned parse_jobs(const std::string& text);
// Without --jobs: the number of CPUs, at most 256.
unsigned default_jobs();

class ChildPool {
 public:
  // What became of one job.
  struct Exit {
    bool started = false;
    int status = 0;  // from waitpid, when started
  };

  // Blocks the signals from here on (the caller's mask comes back with the destructor).
  ChildPool();
  ~ChildPool();
  ChildPool(const ChildPool&) = delete;
  ChildPool& operator=(const ChildPool&) = delete;

  // Runs jobs 0..count-1, at most `jobs` at once, in job order. In the child,
  // `child` runs job i and must not return (_exit). `done(i)` is called in
  // the parent as each job ends. With `start`, it is asked in the parent just
  // before job i would start, and a job it declines is not started. Returns
  // every job's exit; stop_signal() then says whether a signal stopped them.
  std::vector<Exit> run(std::size_t count, unsigned jobs, const std::function<void(std::size_t)>& child,
                        const std::function<void(std::size_t, const Exit&)>& done,
                        const std::function<bool(std::size_t)>& start = {});

  // 0, or the signal that stopped the jobs.
  int stop_signal() const { return m_stop; }

  // In a child, once its own handlers are installed: take signals again.
  void unblock_in_child() const;

  // Called in the parent when a second signal aborts, once every child has
  // ended and before the parent dies of the signal (compare removes its
  // staging folder).
  void on_abort(std::function<void()> cleanup) { m_on_abort = std::move(cleanup); }

 private:
  void on_stop_signal(int signal, const std::vector<pid_t>& running);

  sigset_t m_blocked, m_previous;
  int m_stop = 0;   // the first stop signal
  int m_abort = 0;  // the second one
  long long m_stop_ns = 0;
  std::function<void()> m_on_abort;
};

}  // namespace vmmsim::app
