// The lines of ftrace / trace-cmd text read into scheduling events: the
// parsing half of `vmmsim trace import ftrace` (docs/importers.md).
// Internal to workload/import_ftrace.cpp and its parts. Plain C++.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmmsim::workload::ftrace {

// Why a task left its CPU (sched_switch prev_state).
enum class Leave { Preempted, Sleep, Io, Dead };

struct Event {
  enum Kind { Switch, Wakeup } kind = Switch;
  std::uint64_t ns = 0;
  unsigned cpu = 0;
  std::uint64_t prev_pid = 0, next_pid = 0;  // Wakeup: the woken task in next_pid
  std::string prev_comm, next_comm;
  Leave leave = Leave::Preempted;
};

// What the lines showed of the dialect, for the notes.
struct Dialect {
  std::uint64_t tgid = 0, flags = 0, numeric = 0, letters = 0, arrow = 0, plugin = 0, lines = 0;
};

// One line of the text. Returns "" and fills *event (kind set when it is a
// sched event we use), or the reason it is malformed ("what; expected ...").
struct Line {
  enum Kind { Skip, Sched, Other, Lost } kind = Skip;
  std::uint64_t ns = 0;
};

bool starts_with(std::string_view s, std::string_view prefix);
std::optional<std::uint64_t> parse_number(std::string_view s);

// "TASK-PID [(TGID)] [CPU] [FLAGS] TIMESTAMP: EVENT: PAYLOAD"; the task name
// may hold spaces, so the line is anchored on the [CPU] word.
std::string parse_line(std::string_view text, Line* line, Event* e, Dialect* dialect);
// "dialect: letter prev_state, '==>', ...": what the lines showed, for the notes.
std::string describe(const Dialect& d);

}  // namespace vmmsim::workload::ftrace
