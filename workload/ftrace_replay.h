// Replaying ftrace's scheduling events (docs/importers.md): each task's time
// split into runs and sleeps, and its program within the import's window.
// Internal to workload/import_ftrace.cpp and its parts. Plain C++.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workload/ftrace_lines.h"
#include "workload/importers.h"

namespace vmmsim::workload::ftrace {

using detail::ImportStep;

struct Segment {
  ImportStep::Kind kind = ImportStep::Run;
  std::uint64_t start = 0, end = 0;
};

struct Task {
  std::uint64_t pid = 0;
  unsigned generation = 1;  // > 1 when the pid was reused after an exit
  std::string comm;
  enum State { Running, Runnable, Sleeping, Dead } state = Runnable;
  ImportStep::Kind sleep_kind = ImportStep::Sleep;
  std::uint64_t since = 0;  // when the current state began
  std::uint64_t arrival = 0;
  std::optional<std::uint64_t> exit_ns;
  std::vector<Segment> segments;

  std::string label() const {
    std::string l = fmt::format("{}-{}", comm, pid);
    return generation > 1 ? fmt::format("{}.{}", l, generation) : l;
  }
};

struct Anomalies {
  std::uint64_t out_not_running = 0, in_running = 0, missed_wakeups = 0, running_at_start = 0,
                reused_pids = 0;
};

// The tasks of `events` (in time order) replayed from `start`, the trace's
// first event; the bursts still running at `end` close there.
std::vector<Task> replay_tasks(const std::vector<Event>& events, std::uint64_t start,
                               std::uint64_t end, Anomalies* anomalies);

// A task's program within [from, to] (absolute ns), or nullopt if it has no
// CPU time there. Arrival is relative to `from`.
struct Replayed {
  const Task* task = nullptr;
  std::uint64_t cpu_ns = 0;
  detail::ImportVcpu vcpu;
};

std::optional<Replayed> replay_in(const Task& t, std::uint64_t from, std::uint64_t to);
// Most CPU time first; ties by pid, then by the pid's generation.
bool by_cpu_time(const Replayed& a, const Replayed& b);

}  // namespace vmmsim::workload::ftrace
