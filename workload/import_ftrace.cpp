// ftrace / trace-cmd text -> vmmsim traces: one vCPU per task, replaying its
// CPU demand (docs/importers.md).
#include <fmt/format.h>

#include <algorithm>
#include <istream>
#include <map>
#include <unordered_map>

#include "base/capped_input.h"
#include "base/input_error.h"
#include "workload/importers.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {
namespace {

using detail::ImportStep;

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

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
  if (!all_digits(s) || s.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) v = v * 10 + static_cast<std::uint64_t>(c - '0');
  return v;
}

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

// One line of the text. Returns "" and fills *event (kind set when it is a
// sched event we use), or the reason it is malformed ("what; expected ...").
struct Line {
  enum Kind { Skip, Sched, Other, Lost } kind = Skip;
  std::uint64_t ns = 0;
};

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

// ---------------------------------------------------------------------------
// Replaying the events: each task's time split into runs and sleeps.

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

// A task's program within [from, to] (absolute ns), or nullopt if it has no
// CPU time there. Arrival is relative to `from`.
struct Replayed {
  const Task* task = nullptr;
  std::uint64_t cpu_ns = 0;
  detail::ImportVcpu vcpu;
};

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

}  // namespace

ImportResult import_ftrace(std::istream& in, const std::string& file,
                           const ImportOptions& options) {
  for (const auto& [glob, vm] : options.vm_patterns)
    if (!detail::is_vm_name(vm))
      throw InputError(
          fmt::format("{}: VM name {} for tasks {}; expected letters, digits, '_' and '-'", file,
                      detail::quoted(vm), detail::quoted(glob)));
  // Each VM's trace is a file of its own (OUT-VM.trace), and some file
  // systems ignore case: names that differ only in case would share one.
  std::vector<std::string> names{options.vm_patterns.empty() ? "all" : "other"};
  for (const auto& pattern : options.vm_patterns) names.push_back(pattern.second);
  for (const std::string& a : names)
    for (const std::string& b : names)
      if (a != b && detail::same_ignoring_case(a, b))
        throw InputError(fmt::format("{}: VM names {} and {} differ only in case; expected one spelling (each VM's "
                                     "trace is a file, and some file systems ignore case)",
                                     file, detail::quoted(a), detail::quoted(b)));
  const detail::Window window = detail::window_of(options, file);

  ImportResult result;
  Dialect dialect;
  std::vector<Event> events;
  std::optional<std::uint64_t> first_ns, last_ns;
  std::uint64_t other_events = 0, lost_lines = 0, switches = 0, wakeups = 0;
  std::string first_skipped, text;
  std::optional<std::uint64_t> header_cpus;
  unsigned cpu_count = 0;  // highest CPU number seen + 1
  while (read_line(in, &text, kMaxLineChars, file, result.lines_read + 1)) {
    ++result.lines_read;
    Line line;
    Event e;
    if (starts_with(trim(text), "cpus=")) header_cpus = parse_number(trim(text).substr(5));  // trace-cmd's header
    std::string why = parse_line(text, &line, &e, &dialect);
    if (!why.empty()) {
      std::string message = fmt::format("{}:{}: {}", file, result.lines_read, why);
      if (!options.skip_bad) throw InputError(message);
      ++result.lines_skipped;
      if (first_skipped.empty()) first_skipped = message;
      continue;
    }
    if (line.kind == Line::Lost) ++lost_lines;
    if (line.kind != Line::Sched && line.kind != Line::Other) continue;
    first_ns = std::min(first_ns.value_or(line.ns), line.ns);
    last_ns = std::max(last_ns.value_or(line.ns), line.ns);
    if (line.kind == Line::Other) {
      ++other_events;
      continue;
    }
    ++(e.kind == Event::Switch ? switches : wakeups);
    cpu_count = std::max(cpu_count, e.cpu + 1);
    events.push_back(std::move(e));
  }
  if (in.bad()) throw InputError(fmt::format("{}: read error", file));
  if (switches == 0)
    throw InputError(fmt::format(
        "{}: no sched_switch event in {} lines; expected ftrace text with sched_switch and "
        "sched_wakeup events (trace-cmd record -e sched_switch -e sched_wakeup)",
        file, result.lines_read));

  // trace-cmd merges the CPUs in time order; a raw per-CPU dump may not.
  std::stable_sort(events.begin(), events.end(),
                   [](const Event& a, const Event& b) { return a.ns < b.ns; });
  Replay replay(*first_ns);
  for (const Event& e : events) replay.apply(e);
  std::vector<Task> tasks = replay.finish(*last_ns);
  const Anomalies& anomalies = replay.anomalies();

  const std::uint64_t from = *first_ns + window.from_ns;
  const std::uint64_t to = window.to_ns ? std::min(*last_ns, *first_ns + *window.to_ns) : *last_ns;
  // A vCPU arrives at most 2^50 cycles after time 0 (the format's limit), as in swf.
  const std::uint64_t max_arrival = detail::max_arrival_ns(options.clock);
  std::size_t too_late = 0;
  std::vector<Replayed> replayed;
  for (const Task& t : tasks) {
    auto r = replay_in(t, from, to);
    if (!r) continue;
    if (r->vcpu.arrival_ns > max_arrival) {
      ++too_late;
      continue;
    }
    replayed.push_back(std::move(*r));
  }
  std::sort(replayed.begin(), replayed.end(), by_cpu_time);
  std::size_t idle_tasks = tasks.size() - replayed.size() - too_late;
  std::size_t cut = options.top > 0 ? std::min(options.top, replayed.size()) : replayed.size();
  std::uint64_t cut_cpu = 0;
  for (std::size_t i = cut; i < replayed.size(); ++i) cut_cpu += replayed[i].cpu_ns;
  std::size_t cut_count = replayed.size() - cut;
  replayed.resize(cut);

  // VMs in the order of the patterns, then "other" ("all" without patterns).
  std::vector<std::string> vm_names;
  for (const auto& p : options.vm_patterns)
    if (std::find(vm_names.begin(), vm_names.end(), p.second) == vm_names.end())
      vm_names.push_back(p.second);
  const std::string rest = options.vm_patterns.empty() ? "all" : "other";
  if (std::find(vm_names.begin(), vm_names.end(), rest) == vm_names.end()) vm_names.push_back(rest);
  std::vector<std::vector<const Replayed*>> members(vm_names.size());
  for (const Replayed& r : replayed) {
    std::string vm = rest;
    for (const auto& [glob, name] : options.vm_patterns)
      if (glob_match(glob, r.task->comm)) {
        vm = name;
        break;
      }
    auto at = std::find(vm_names.begin(), vm_names.end(), vm) - vm_names.begin();
    members[static_cast<std::size_t>(at)].push_back(&r);
  }

  const std::string window_text =
      fmt::format("{}..{} after the first event at {:.6f} s", detail::describe_ns(from - *first_ns),
                  detail::describe_ns(to - *first_ns), static_cast<double>(*first_ns) / 1e9);
  std::size_t over_limit = 0, vms_cut = 0;
  for (std::size_t v = 0; v < vm_names.size(); ++v) {
    auto& list = members[v];  // sorted by CPU time, most first
    if (list.empty()) {
      if (vm_names[v] != rest) result.notes += fmt::format("VM {}: no task kept\n", vm_names[v]);
      continue;
    }
    if (options.max_vms > 0 && result.vms.size() == options.max_vms) {
      ++vms_cut;
      continue;
    }
    if (list.size() > detail::kMaxVcpusPerTrace) {
      over_limit += list.size() - detail::kMaxVcpusPerTrace;
      list.resize(detail::kMaxVcpusPerTrace);
    }
    std::stable_sort(list.begin(), list.end(), [](const Replayed* a, const Replayed* b) {
      return a->vcpu.arrival_ns < b->vcpu.arrival_ns;
    });
    std::uint64_t cpu = 0;
    std::vector<detail::ImportVcpu> vcpus;
    ImportedVm vm;
    vm.name = vm_names[v];
    for (const Replayed* r : list) {
      cpu += r->cpu_ns;
      vcpus.push_back(r->vcpu);
      vm.vcpu_labels.push_back(r->task->label());
    }
    std::vector<std::string> comments = {
        fmt::format("Imported by vmmsim from the ftrace file {} ({})", file, describe(dialect)),
        fmt::format("Window: {}; time 0 here is its start.", window_text),
        "Each vCPU replays one task's CPU demand: run = its time on a CPU (bursts split by",
        "preemption joined), sleep/io = blocked in state S/D until its wakeup, exit = it died.",
        fmt::format("VM {}: {} tasks, {} CPU in total.", vm.name, list.size(),
                    detail::describe_ns(cpu))};
    vm.trace_text = detail::write_trace(file, comments, vcpus, options.clock);
    result.notes +=
        fmt::format("VM {}: {} tasks, {} CPU\n", vm.name, list.size(), detail::describe_ns(cpu));
    result.vms.push_back(std::move(vm));
  }

  std::string notes = fmt::format("{}\n", describe(dialect));
  notes += fmt::format(
      "read {} lines: {} sched_switch, {} wakeups, {} other events ignored; trace spans {}\n",
      result.lines_read, switches, wakeups, other_events,
      detail::describe_ns(*last_ns - *first_ns));
  notes += fmt::format("window: {}\n", window_text);
  notes += fmt::format("tasks: {} seen, {} with no CPU time in the window dropped, {} kept\n",
                       tasks.size(), idle_tasks, cut);
  const std::string late_text =
      fmt::format("{} tasks first run more than {} after the window's start (the format's limit "
                  "at this clock): narrow the import with --from/--to",
                  too_late, detail::describe_ns(max_arrival));
  if (too_late > 0) notes += "dropped " + late_text + "\n";
  if (cut_count > 0)
    notes += fmt::format("dropped {} tasks beyond the top {} ({} CPU)\n", cut_count, options.top,
                         detail::describe_ns(cut_cpu));
  if (over_limit > 0)
    notes += fmt::format("dropped {} tasks with the least CPU time: a trace holds {} vCPUs\n",
                         over_limit, detail::kMaxVcpusPerTrace);
  if (vms_cut > 0)
    notes += fmt::format("dropped {} VMs beyond the first {}\n", vms_cut, options.max_vms);
  if (anomalies.running_at_start > 0)
    notes +=
        fmt::format("{} tasks were on a CPU when the trace began: their first burst starts there\n",
                    anomalies.running_at_start);
  if (anomalies.reused_pids > 0)
    notes += fmt::format("{} pids reused after an exit: labelled PID.2, PID.3, ...\n",
                         anomalies.reused_pids);
  if (anomalies.out_not_running + anomalies.in_running + anomalies.missed_wakeups + lost_lines > 0)
    notes += fmt::format(
        "lost events: {} 'LOST' lines, {} switch-outs of a task not on a CPU (burst counted from "
        "the CPU's previous switch), {} switch-ins of a running task, {} switch-ins without a "
        "wakeup (the wait counted as sleep)\n",
        lost_lines, anomalies.out_not_running, anomalies.in_running, anomalies.missed_wakeups);
  if (result.lines_skipped > 0)
    notes += fmt::format("skipped {} malformed lines (first: {})\n", result.lines_skipped,
                         first_skipped);
  if (header_cpus && *header_cpus >= 1 && *header_cpus <= 65536) {
    result.source_cpus = static_cast<unsigned>(*header_cpus);
    result.source_cpus_origin = fmt::format("cpus={} in the trace's header", *header_cpus);
  } else {
    result.source_cpus = cpu_count;
    result.source_cpus_origin = fmt::format("CPUs 0..{} in the trace", cpu_count - 1);
  }
  result.notes = notes + result.notes;
  if (result.vms.empty())
    throw InputError(fmt::format("{}: nothing to import: no task ran in the window ({}){}", file,
                                 window_text, too_late > 0 ? "; " + late_text : ""));
  return result;
}

}  // namespace vmmsim::workload
