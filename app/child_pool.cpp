#include "app/child_pool.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

#include "app/interrupt.h"
#include "base/input_error.h"
#include "base/units.h"

namespace vmmsim::app {

namespace {

constexpr unsigned kMaxJobs = 256;

bool ignored(int signal) {
  struct sigaction current;
  return sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN;
}

}  // namespace

unsigned parse_jobs(const std::string& text) {
  auto n = parse_count(text, nullptr);
  if (!n || *n < 1 || *n > kMaxJobs)
    throw InputError(fmt::format("--jobs {}: expected a whole number from 1 to {}", text, kMaxJobs));
  return static_cast<unsigned>(*n);
}

unsigned default_jobs() { return std::clamp(std::thread::hardware_concurrency(), 1u, kMaxJobs); }

ChildPool::ChildPool() {
  sigemptyset(&m_blocked);
  sigaddset(&m_blocked, SIGCHLD);
  // A signal the parent's parent ignores stays ignored (nohup, a script's `&`).
  for (int signal : kStopSignals)
    if (!ignored(signal)) sigaddset(&m_blocked, signal);
  sigprocmask(SIG_BLOCK, &m_blocked, &m_previous);
}

ChildPool::~ChildPool() {
  // Signals that came after the jobs ended are not acted on: the work is
  // done, and what it wrote is whole.
  const timespec now{0, 0};
  while (sigtimedwait(&m_blocked, nullptr, &now) > 0) {
  }
  sigprocmask(SIG_SETMASK, &m_previous, nullptr);
}

void ChildPool::unblock_in_child() const { sigprocmask(SIG_SETMASK, &m_previous, nullptr); }

void ChildPool::on_stop_signal(int signal, const std::vector<pid_t>& running) {
  const long long now = monotonic_ns();
  if (m_stop == 0) {
    m_stop = signal;
    m_stop_ns = now;
    for (pid_t pid : running) ::kill(pid, signal);
    return;
  }
  if (signal == m_stop && now - m_stop_ns < kSameRequestNs) return;  // the first, delivered twice
  if (m_abort == 0) {
    m_abort = signal;
    // A signal the children take for a second one, never for a repeat of the first.
    int abort = SIGKILL;
    for (int other : kStopSignals)
      if (other != m_stop && sigismember(&m_blocked, other)) {
        abort = other;
        break;
      }
    for (pid_t pid : running) ::kill(pid, abort);
    return;
  }
  for (pid_t pid : running) ::kill(pid, SIGKILL);
}

std::vector<ChildPool::Exit> ChildPool::run(std::size_t count, unsigned jobs,
                                            const std::function<void(std::size_t)>& child,
                                            const std::function<void(std::size_t, const Exit&)>& done,
                                            const std::function<bool(std::size_t)>& start) {
  std::vector<Exit> exits(count);
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0;
  const pid_t parent = ::getpid();
  std::string fork_error;
  for (;;) {
    while (m_stop == 0 && fork_error.empty() && next < count && running.size() < jobs) {
      if (start && !start(next)) {
        ++next;
        continue;
      }
      const pid_t pid = ::fork();
      if (pid < 0) {
        fork_error = std::strerror(errno);
        break;
      }
      if (pid == 0) {
        ::setpgid(0, 0);                      // the terminal's signals reach the parent only
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);   // no orphan goes on writing into the output folder
        if (::getppid() != parent) ::_exit(128 + SIGTERM);  // the parent died before prctl
        child(next);
        ::_exit(70);  // `child` must not return
      }
      exits[next].started = true;
      running[pid] = next++;
    }
    if (running.empty()) break;
    siginfo_t info;
    if (sigwaitinfo(&m_blocked, &info) < 0) continue;  // EINTR
    if (info.si_signo == SIGCHLD) {
      int status = 0;
      for (pid_t pid; (pid = ::waitpid(-1, &status, WNOHANG)) > 0;) {
        auto job = running.find(pid);
        if (job == running.end()) continue;
        const std::size_t index = job->second;  // erase() ends `job`
        running.erase(job);
        exits[index].status = status;
        done(index, exits[index]);
      }
    } else {
      std::vector<pid_t> pids;
      for (const auto& [pid, job] : running) pids.push_back(pid);
      on_stop_signal(info.si_signo, pids);
    }
  }
  if (m_abort != 0) {
    // Every child is gone; nothing of compare's own is half-written yet.
    if (m_on_abort) m_on_abort();
    std::signal(m_abort, SIG_DFL);
    sigprocmask(SIG_SETMASK, &m_previous, nullptr);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, m_abort);
    sigprocmask(SIG_UNBLOCK, &only, nullptr);
    std::raise(m_abort);
  }
  if (!fork_error.empty()) throw std::runtime_error("cannot start a run (fork: " + fork_error + ")");
  return exits;
}

}  // namespace vmmsim::app
