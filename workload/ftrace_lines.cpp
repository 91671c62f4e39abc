// ftrace / trace-cmd text -> scheduling events (docs/importers.md): the
// line formats of raw ftrace and trace-cmd report, with or without its sched
// plugin.
#include "workload/ftrace_lines.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "base/text.h"
#include "workload/importers.h"

namespace vmmsim::workload::ftrace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (!all_digits(s) || s.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

namespace {

std::vector<std::string_view> words_of(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

// The value of KEY=VALUE among the words of `s` ("" if absent).
std::string_view value_of(std::string_view s, std::string_view key) {
  for (std::string_view w : words_of(s))
    if (w.size() > key.size() && starts_with(w, key) && w[key.size()] == '=')
      return w.substr(key.size() + 1);
  return {};
}

constexpr const char* kStates =
    "a number, or letters R, R+, S, D, T, t, X, x, Z, P, I, K, W, N, n joined by '|'";

// prev_state: numeric in older trace-cmd output (the 4.4..4.13 kernel layout:
// 1 S, 2 D, 4 T, 8 t, 16 X, 32 Z, 64 x (TASK_DEAD), 128 K (wakekill, a
// modifier), 256 W, 512 P, 1024 N (no-load), 2048 n, 4096 = preempted), or
// letters. D with N is an idle kernel thread (I): a sleep, not I/O.
std::optional<Leave> decode_state(std::string_view s, bool* numeric) {
  *numeric = all_digits(s);
  if (*numeric) {
    auto v = parse_number(s);
    if (!v) return std::nullopt;
    if (*v & 4096) return Leave::Preempted;
    if (*v & (16 | 32 | 64)) return Leave::Dead;
    if ((*v & 2) && !(*v & 1024)) return Leave::Io;
    if (*v & (1 | 2 | 4 | 8 | 128 | 512 | 1024)) return Leave::Sleep;
    return Leave::Preempted;  // 0 R, 256 W, 2048 n: runnable
  }
  bool dead = false, d = false, noload = false, sleep = false;
  std::size_t i = 0;
  while (i <= s.size()) {
    std::size_t bar = s.find('|', i);
    if (bar == std::string_view::npos) bar = s.size();
    std::string_view part = s.substr(i, bar - i);
    while (!part.empty() && part.back() == '+') part.remove_suffix(1);  // R+: preempted
    if (part.size() != 1) return std::nullopt;
    switch (part[0]) {
      case 'X':
      case 'x':
      case 'Z':
        dead = true;
        break;
      case 'D':
        d = true;
        break;
      case 'N':
        noload = true;
        break;
      case 'S':
      case 'T':
      case 't':
      case 'P':
      case 'I':
      case 'K':
        sleep = true;
        break;
      case 'R':
      case 'W':
      case 'n':
        break;
      default:
        return std::nullopt;
    }
    i = bar + 1;
  }
  if (dead) return Leave::Dead;
  if (d && !noload) return Leave::Io;
  if (d || noload || sleep) return Leave::Sleep;
  return Leave::Preempted;
}
// "COMM:PID [PRIO]" as trace-cmd's sched plugin prints a task; the name may
// hold ':' and spaces.
bool plugin_task(std::string_view s, std::string* comm, std::uint64_t* pid) {
  s = trim(s);
  std::size_t bracket = s.rfind(" [");
  if (!s.empty() && s.back() == ']' && bracket != std::string_view::npos)
    s = trim(s.substr(0, bracket));
  std::size_t colon = s.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  auto p = parse_number(s.substr(colon + 1));
  if (!p) return false;
  *comm = std::string(s.substr(0, colon));
  *pid = *p;
  return true;
}

// trace-cmd with its sched plugin: "bash:4251 [120] S ==> swapper/1:0 [120]".
std::string parse_plugin_switch(std::string_view payload, Event* e, Dialect* dialect) {
  std::size_t arrow = payload.find(" ==> ");
  std::string_view prev = payload.substr(0, arrow), next = payload.substr(arrow + 5);
  std::size_t close = prev.rfind(']');
  if (close == std::string_view::npos) close = prev.rfind(' ');
  std::string_view state = close == std::string_view::npos ? "" : trim(prev.substr(close + 1));
  std::string_view task = close == std::string_view::npos ? prev : prev.substr(0, close + 1);
  if (state.empty() || !plugin_task(task, &e->prev_comm, &e->prev_pid) ||
      !plugin_task(next, &e->next_comm, &e->next_pid))
    return fmt::format("sched_switch {}; expected COMM:PID [PRIO] STATE ==> COMM:PID [PRIO]",
                       detail::quoted(payload));
  bool numeric = false;
  auto leave = decode_state(state, &numeric);
  if (!leave) return fmt::format("prev_state {}; expected {}", detail::quoted(state), kStates);
  ++(numeric ? dialect->numeric : dialect->letters);
  ++dialect->arrow;
  ++dialect->plugin;
  e->kind = Event::Switch;
  e->leave = *leave;
  return "";
}

std::string parse_switch(std::string_view payload, Event* e, Dialect* dialect) {
  const char* kExpected =
      "expected prev_comm=C prev_pid=N prev_prio=N prev_state=S [==>] next_comm=C next_pid=N "
      "next_prio=N";
  auto bad = [&](const std::string& what) {
    return fmt::format("sched_switch {}; {}", what, kExpected);
  };
  if (!starts_with(payload, "prev_comm=") && payload.find(" ==> ") != std::string_view::npos)
    return parse_plugin_switch(payload, e, dialect);
  if (!starts_with(payload, "prev_comm=")) return bad("without prev_comm=");
  std::size_t prev_pid_at = payload.find(" prev_pid=");
  std::size_t next_at = payload.find(" next_comm=", prev_pid_at);
  if (prev_pid_at == std::string_view::npos) return bad("without prev_pid=");
  if (next_at == std::string_view::npos) return bad("without next_comm=");
  std::size_t next_pid_at = payload.find(" next_pid=", next_at);
  if (next_pid_at == std::string_view::npos) return bad("without next_pid=");
  e->prev_comm = std::string(payload.substr(10, prev_pid_at - 10));
  e->next_comm = std::string(payload.substr(next_at + 11, next_pid_at - next_at - 11));
  std::string_view prev = payload.substr(prev_pid_at, next_at - prev_pid_at);
  std::string_view next = payload.substr(next_pid_at);
  std::string_view prev_pid = value_of(prev, "prev_pid"), state = value_of(prev, "prev_state");
  std::string_view next_pid = value_of(next, "next_pid");
  auto p = parse_number(prev_pid), n = parse_number(next_pid);
  if (!p) return bad("prev_pid=" + detail::quoted(prev_pid));
  if (!n) return bad("next_pid=" + detail::quoted(next_pid));
  if (state.empty()) return bad("without prev_state=");
  bool numeric = false;
  auto leave = decode_state(state, &numeric);
  if (!leave) return fmt::format("prev_state {}; expected {}", detail::quoted(state), kStates);
  ++(numeric ? dialect->numeric : dialect->letters);
  for (std::string_view w : words_of(prev))
    if (w == "==>") ++dialect->arrow;
  e->kind = Event::Switch;
  e->prev_pid = *p;
  e->next_pid = *n;
  e->leave = *leave;
  return "";
}

std::string parse_wakeup(std::string_view event, std::string_view payload, Event* e, bool* ignored,
                         Dialect* dialect) {
  auto bad = [&](const std::string& what) {
    return fmt::format(
        "{} {}; expected comm=C pid=N prio=N [success=N] target_cpu=N, or COMM:PID [PRIO] "
        "[success=N] CPU:N",
        std::string(event), what);
  };
  if (!starts_with(payload, "comm=")) {
    // trace-cmd's sched plugin: "bash:4251 [120] success=1 CPU:001"
    std::size_t end = std::min(payload.find(" success="), payload.find(" CPU:"));
    if (!plugin_task(payload.substr(0, end), &e->next_comm, &e->next_pid))
      return bad(detail::quoted(payload));
    ++dialect->plugin;
    e->kind = Event::Wakeup;
    *ignored = value_of(payload, "success") == "0";
    return "";
  }
  std::size_t pid_at = payload.find(" pid=");
  if (pid_at == std::string_view::npos) return bad("without pid=");
  std::string_view rest = payload.substr(pid_at);
  std::string_view pid_text = value_of(rest, "pid");
  auto pid = parse_number(pid_text);
  if (!pid) return bad("pid=" + detail::quoted(pid_text));
  e->kind = Event::Wakeup;
  e->next_pid = *pid;
  e->next_comm = std::string(payload.substr(5, pid_at - 5));
  *ignored = value_of(rest, "success") == "0";  // the task was not asleep
  return "";
}

}  // namespace

// "TASK-PID [(TGID)] [CPU] [FLAGS] TIMESTAMP: EVENT: PAYLOAD"; the task name
// may hold spaces, so the line is anchored on the [CPU] word.
std::string parse_line(std::string_view text, Line* line, Event* e, Dialect* dialect) {
  std::string_view t = trim(text);
  if (t.empty() || t[0] == '#' || starts_with(t, "version =") || starts_with(t, "cpus=") ||
      starts_with(t, "=>") || t == "<stack trace>" ||  // kernel stack traces (-T, stacktrace)
      (starts_with(t, "CPU") && t.find("is empty") != std::string_view::npos)) {
    line->kind = Line::Skip;  // comments and trace-cmd's header
    return "";
  }
  if (starts_with(t, "CPU") && t.find("LOST") != std::string_view::npos) {
    line->kind = Line::Lost;  // "CPU:3 [LOST 120 EVENTS]"
    return "";
  }
  const std::string expected =
      "expected an ftrace event line: TASK-PID [CPU] TIMESTAMP: EVENT: FIELDS (TIMESTAMP in "
      "seconds, below 10^10)";
  std::vector<std::string_view> w = words_of(t);
  std::size_t cpu_at = 0;
  while (cpu_at < w.size() &&
         !(w[cpu_at].size() > 2 && w[cpu_at].front() == '[' && w[cpu_at].back() == ']' &&
           all_digits(w[cpu_at].substr(1, w[cpu_at].size() - 2))))
    ++cpu_at;
  auto is_stamp = [&](std::size_t i) {
    return i < w.size() && w[i].size() > 1 && w[i].back() == ':' &&
           detail::parse_seconds_ns(w[i].substr(0, w[i].size() - 1));
  };
  std::size_t stamp_at = cpu_at + 1;
  if (cpu_at < w.size() && !is_stamp(stamp_at)) ++stamp_at;  // the irq-flags column
  if (cpu_at == 0 || cpu_at >= w.size() || !is_stamp(stamp_at) || stamp_at + 1 >= w.size() ||
      w[stamp_at + 1].size() < 2 || w[stamp_at + 1].back() != ':')
    return detail::quoted(t) + "; " + expected;
  std::string_view event = w[stamp_at + 1].substr(0, w[stamp_at + 1].size() - 1);
  line->ns = *detail::parse_seconds_ns(w[stamp_at].substr(0, w[stamp_at].size() - 1));
  line->kind = Line::Other;
  auto cpu = parse_number(w[cpu_at].substr(1, w[cpu_at].size() - 2));
  if (!cpu || *cpu > 65535) return "CPU " + detail::quoted(w[cpu_at]) + "; " + expected;
  std::size_t payload_at =
      static_cast<std::size_t>(w[stamp_at + 1].data() - t.data()) + w[stamp_at + 1].size();
  std::string_view payload = trim(t.substr(payload_at));
  std::string why;
  bool ignored = false;
  if (event == "sched_switch") {
    why = parse_switch(payload, e, dialect);
  } else if (event == "sched_wakeup" || event == "sched_waking" || event == "sched_wakeup_new") {
    why = parse_wakeup(event, payload, e, &ignored, dialect);
  } else {
    return "";
  }
  if (!why.empty()) return why;
  ++dialect->lines;
  for (std::size_t i = 0; i < cpu_at; ++i)
    if (w[i].front() == '(') {
      ++dialect->tgid;
      break;
    }
  if (stamp_at == cpu_at + 2) ++dialect->flags;
  if (!ignored) {
    line->kind = Line::Sched;
    e->ns = line->ns;
    e->cpu = static_cast<unsigned>(*cpu);
  }
  return "";
}

std::string describe(const Dialect& d) {
  std::string states = d.numeric && d.letters ? "numeric and letter prev_state"
                       : d.numeric            ? "numeric prev_state"
                                              : "letter prev_state";
  return fmt::format("dialect: {}, {}, {}, {}{}", states, d.arrow ? "'==>'" : "no '==>'",
                     d.tgid ? "TGID column" : "no TGID column",
                     d.flags ? "irq-flags column" : "no irq-flags column",
                     d.plugin ? ", COMM:PID fields (trace-cmd's sched plugin)" : "");
}

}  // namespace vmmsim::workload::ftrace
