// Replaying ftrace's scheduling events into each task's runs and sleeps,
// with the events a trace lost counted and bridged (docs/importers.md).
#include "workload/ftrace_replay.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace vmmsim::workload::ftrace {
namespace {

class Replay {
 public:
  explicit Replay(std::uint64_t start) : m_start(start) {}

  void apply(const Event& e) {
    if (e.kind == Event::Wakeup) {
      if (e.next_pid != 0) wake(e);
      return;
    }
    auto cpu_last = m_cpu_last.find(e.cpu);
    bool cpu_seen = cpu_last != m_cpu_last.end();
    if (e.prev_pid != 0) switch_out(e, cpu_seen ? cpu_last->second : m_start, cpu_seen);
    if (e.next_pid != 0) switch_in(e);
    m_cpu_last[e.cpu] = e.ns;
  }

  // Closes the bursts still running at the end of the trace.
  std::vector<Task> finish(std::uint64_t end) {
    for (Task& t : m_tasks)
      if (t.state == Task::Running) t.segments.push_back({ImportStep::Run, t.since, end});
    return std::move(m_tasks);
  }

  const Anomalies& anomalies() const { return m_anomalies; }

 private:
  // The task that owns `pid` now; a new one when unseen or after its exit.
  Task* find(std::uint64_t pid) {
    auto it = m_live.find(pid);
    return it == m_live.end() || m_tasks[it->second].state == Task::Dead ? nullptr
                                                                         : &m_tasks[it->second];
  }

  Task& create(std::uint64_t pid, const std::string& comm, std::uint64_t arrival) {
    Task t;
    t.pid = pid;
    t.comm = comm;
    t.arrival = arrival;
    t.since = arrival;
    auto it = m_live.find(pid);
    if (it != m_live.end()) {
      t.generation = m_tasks[it->second].generation + 1;
      ++m_anomalies.reused_pids;
    }
    m_live[pid] = m_tasks.size();
    m_tasks.push_back(std::move(t));
    return m_tasks.back();
  }

  static void rename(Task& t, const std::string& comm) {
    if (!comm.empty() && comm != "<...>") t.comm = comm;
  }

  void wake(const Event& e) {
    Task* t = find(e.next_pid);
    if (!t) {
      create(e.next_pid, e.next_comm, e.ns).state = Task::Runnable;
      return;
    }
    rename(*t, e.next_comm);
    if (t->state != Task::Sleeping) return;  // a wakeup of a task already awake
    t->segments.push_back({t->sleep_kind, t->since, e.ns});
    t->state = Task::Runnable;
    t->since = e.ns;
  }

  // cpu_since: the CPU's previous switch, or the trace's start (cpu_seen false).
  void switch_out(const Event& e, std::uint64_t cpu_since, bool cpu_seen) {
    Task* t = find(e.prev_pid);
    std::uint64_t burst = 0;
    if (!t) {
      // Running since before the trace began, or its switch-in was lost.
      t = &create(e.prev_pid, e.prev_comm, cpu_since);
      burst = cpu_since;
      ++(cpu_seen ? m_anomalies.out_not_running : m_anomalies.running_at_start);
    } else if (t->state == Task::Running) {
      burst = t->since;
    } else {
      // Its switch-in was lost: it ran at most since the CPU's last switch.
      ++m_anomalies.out_not_running;
      burst = std::max(t->since, std::min(cpu_since, e.ns));
      if (t->state == Task::Sleeping && burst > t->since)
        t->segments.push_back({t->sleep_kind, t->since, burst});
    }
    rename(*t, e.prev_comm);
    if (e.ns > burst) t->segments.push_back({ImportStep::Run, burst, e.ns});
    t->since = e.ns;
    switch (e.leave) {
      case Leave::Preempted:
        t->state = Task::Runnable;
        break;
      case Leave::Sleep:
      case Leave::Io:
        t->state = Task::Sleeping;
        t->sleep_kind = e.leave == Leave::Io ? ImportStep::Io : ImportStep::Sleep;
        break;
      case Leave::Dead:
        t->state = Task::Dead;
        t->exit_ns = e.ns;
        break;
    }
  }

  void switch_in(const Event& e) {
    Task* t = find(e.next_pid);
    if (!t) {
      t = &create(e.next_pid, e.next_comm, e.ns);
    } else if (t->state == Task::Sleeping) {
      ++m_anomalies.missed_wakeups;  // its wait until now counts as the sleep
      t->segments.push_back({t->sleep_kind, t->since, e.ns});
    } else if (t->state == Task::Running) {
      ++m_anomalies.in_running;  // a lost switch-out: the burst goes on
      t->segments.push_back({ImportStep::Run, t->since, e.ns});
    }
    rename(*t, e.next_comm);
    t->state = Task::Running;
    t->since = e.ns;
  }

  std::uint64_t m_start;
  std::vector<Task> m_tasks;
  std::unordered_map<std::uint64_t, std::size_t> m_live;  // pid -> its newest task
  std::map<unsigned, std::uint64_t> m_cpu_last;           // CPU -> time of its last switch
  Anomalies m_anomalies;
};

}  // namespace

std::vector<Task> replay_tasks(const std::vector<Event>& events, std::uint64_t start,
                               std::uint64_t end, Anomalies* anomalies) {
  Replay replay(start);
  for (const Event& e : events) replay.apply(e);
  std::vector<Task> tasks = replay.finish(end);
  *anomalies = replay.anomalies();
  return tasks;
}

std::optional<Replayed> replay_in(const Task& t, std::uint64_t from, std::uint64_t to) {
  if (t.arrival > to || (t.exit_ns && *t.exit_ns < from)) return std::nullopt;
  Replayed r;
  r.task = &t;
  std::uint64_t arrival = std::max(t.arrival, from);
  std::vector<ImportStep> steps;
  for (const Segment& s : t.segments) {
    std::uint64_t a = std::max(s.start, from), b = std::min(s.end, to);
    if (b <= a) continue;
    if (steps.empty() && s.kind != ImportStep::Run) {
      arrival = std::max(arrival, b);  // asleep when the window opens: arrives at its wakeup
      continue;
    }
    if (s.kind == ImportStep::Run) r.cpu_ns += b - a;
    if (!steps.empty() && steps.back().kind == s.kind)
      steps.back().ns += b - a;  // a preempted burst goes on; sleeps of one kind join
    else
      steps.push_back({s.kind, b - a});
  }
  while (!steps.empty() && steps.back().kind != ImportStep::Run) steps.pop_back();
  if (r.cpu_ns == 0) return std::nullopt;
  r.vcpu.arrival_ns = arrival - from;
  r.vcpu.blocks.push_back({1, std::move(steps)});
  r.vcpu.exit = t.exit_ns && *t.exit_ns >= from && *t.exit_ns <= to;
  r.vcpu.comment = fmt::format("{}: {} CPU", t.label(), detail::describe_ns(r.cpu_ns));
  return r;
}

bool by_cpu_time(const Replayed& a, const Replayed& b) {
  if (a.cpu_ns != b.cpu_ns) return a.cpu_ns > b.cpu_ns;
  if (a.task->pid != b.task->pid) return a.task->pid < b.task->pid;
  return a.task->generation < b.task->generation;
}

}  // namespace vmmsim::workload::ftrace
