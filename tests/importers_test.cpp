// The importers: exact programs for hand-checked snippets of each format, both
// ftrace dialects on real excerpts (tests/data, checked against a simple
// independent reckoning), options, bad input, and that every import parses.
#include "workload/importers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/input_error.h"
#include "workload/trace_parser.h"

namespace vmmsim::workload {
namespace {

constexpr Hertz k1GHz = 1000000000;
const std::string kData = VMMSIM_TEST_DATA_DIR;

// The steps of trace text without comments, indentation or blank lines.
std::string body(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    line = line.substr(first, line.find_last_not_of(' ') + 1 - first);
    out += line + "\n";
  }
  return out;
}

// Every VM's text starts with the header and parses; one label per vCPU.
void expect_parses(const ImportResult& r, Hertz clock = k1GHz) {
  ASSERT_FALSE(r.vms.empty());
  for (const ImportedVm& vm : r.vms) {
    EXPECT_EQ(vm.trace_text.rfind("# vmmsim-trace 1\n", 0), 0u) << vm.name;
    TraceProgram t;
    ASSERT_NO_THROW(t = parse_trace(vm.trace_text, vm.name + ".trace", clock)) << vm.trace_text;
    EXPECT_EQ(t.vcpus.size(), vm.vcpu_labels.size()) << vm.name;
  }
}

// CPU time (run cycles at 1 GHz = ns) of each vCPU, by label.
std::map<std::string, std::uint64_t> cpu_by_label(const ImportResult& r) {
  std::map<std::string, std::uint64_t> cpu;
  for (const ImportedVm& vm : r.vms) {
    TraceProgram t = parse_trace(vm.trace_text, vm.name, k1GHz);
    for (std::size_t i = 0; i < t.vcpus.size(); ++i) {
      std::vector<std::uint64_t> times = {1};  // iterations of the enclosing loops
      for (const Step& s : t.vcpus[i].steps) {
        if (s.kind == StepKind::LoopBegin) times.push_back(times.back() * s.count);
        if (s.kind == StepKind::LoopEnd) times.pop_back();
        if (s.kind == StepKind::Run) cpu[vm.vcpu_labels[i]] += s.cycles * times.back();
      }
    }
  }
  return cpu;
}

ImportResult ftrace(const std::string& text, const ImportOptions& o = {},
                    const std::string& file = "snip.txt") {
  std::istringstream in(text);
  return import_ftrace(in, file, o);
}

ImportResult swf(const std::string& text, const ImportOptions& o = {}) {
  std::istringstream in(text);
  return import_swf(in, "j.swf", o);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_STARTS_WITH(text, prefix) EXPECT_EQ((text).rfind(prefix, 0), 0u) << (text)
#define EXPECT_CONTAINS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

// ---------------------------------------------------------------------------
// ftrace: hand-checked snippets in both dialects.
//
// Task a (pid 10): woken at 0, on CPU 10..110 us, asleep (S) until woken at
// 610, on 700..900, preempted, on again 1000..1050, blocked in D until 2050,
// on 2100..2200 and dies. Task b (pid 20) first appears switched in at 900, is
// on 900..1000 and blocks in D|K (numeric 130: killable, not dead), never woken.
// Times are microseconds after 1.000000 s.

// clang-format off
const char* kOldDialect =
    "version = 6\n"
    "cpus=2\n"
    "          <idle>-0     [000]     1.000000: sched_wakeup:          comm=a pid=10 prio=120 success=1 target_cpu=000\n"
    "          <idle>-0     [000]     1.000010: sched_switch:          prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=0 next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    [000]     1.000110: sched_switch:          prev_comm=a prev_pid=10 prev_prio=120 prev_state=1 next_comm=swapper/0 next_pid=0 next_prio=120\n"
    "          <idle>-0     [001]     1.000610: sched_wakeup:          comm=a pid=10 prio=120 success=1 target_cpu=001\n"
    "          <idle>-0     [001]     1.000700: sched_switch:          prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=0 next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    [001]     1.000900: sched_switch:          prev_comm=a prev_pid=10 prev_prio=120 prev_state=4096 next_comm=b next_pid=20 next_prio=120\n"
    "               b-20    [001]     1.001000: sched_switch:          prev_comm=b prev_pid=20 prev_prio=120 prev_state=130 next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    [001]     1.001050: sched_switch:          prev_comm=a prev_pid=10 prev_prio=120 prev_state=2 next_comm=swapper/1 next_pid=0 next_prio=120\n"
    "          <idle>-0     [001]     1.002050: sched_wakeup:          comm=a pid=10 prio=120 success=1 target_cpu=001\n"
    "          <idle>-0     [001]     1.002100: sched_switch:          prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=0 next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    [001]     1.002200: sched_switch:          prev_comm=a prev_pid=10 prev_prio=120 prev_state=64 next_comm=swapper/1 next_pid=0 next_prio=120\n";
// clang-format on

// The same story as Android systrace writes it; b's name has spaces.
// clang-format off
const char* kNewDialect =
    "# tracer: nop\n"
    "#\n"
    "#           TASK-PID    TGID   CPU#  ||||    TIMESTAMP  FUNCTION\n"
    "#              | |        |      |   ||||       |         |\n"
    "          <idle>-0     (-----) [000] dnh3     1.000000: sched_wakeup: comm=a pid=10 prio=120 target_cpu=000\n"
    "          <idle>-0     (-----) [000] d..3     1.000010: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    (   10) [000] d..3     1.000110: sched_switch: prev_comm=a prev_pid=10 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n"
    "          <idle>-0     (-----) [000] d..2     1.000120: cpu_idle: state=2 cpu_id=0\n"
    "          <idle>-0     (-----) [001] dnh3     1.000610: sched_wakeup: comm=a pid=10 prio=120 target_cpu=001\n"
    "          <idle>-0     (-----) [001] d..3     1.000700: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    (   10) [001] d..3     1.000900: sched_switch: prev_comm=a prev_pid=10 prev_prio=120 prev_state=R+ ==> next_comm=shell srvc 7950 next_pid=20 next_prio=120\n"
    "shell srvc 7950-20     (   20) [001] d..3     1.001000: sched_switch: prev_comm=shell srvc 7950 prev_pid=20 prev_prio=120 prev_state=D|K ==> next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    (   10) [001] d..3     1.001050: sched_switch: prev_comm=a prev_pid=10 prev_prio=120 prev_state=D ==> next_comm=swapper/1 next_pid=0 next_prio=120\n"
    "          <idle>-0     (-----) [001] dnh3     1.002050: sched_wakeup: comm=a pid=10 prio=120 target_cpu=001\n"
    "          <idle>-0     (-----) [001] d..3     1.002100: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=a next_pid=10 next_prio=120\n"
    "               a-10    (   10) [001] d..3     1.002200: sched_switch: prev_comm=a prev_pid=10 prev_prio=120 prev_state=x ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";
// clang-format on

// The same story as trace-cmd prints it with its sched plugin loaded.
// clang-format off
const char* kPluginDialect =
    "cpus=2\n"
    "          <idle>-0     [000]     1.000000: sched_wakeup:         a:10 [120] success=1 CPU:000\n"
    "          <idle>-0     [000]     1.000010: sched_switch:         swapper/0:0 [120] R ==> a:10 [120]\n"
    "               a-10    [000]     1.000110: sched_switch:         a:10 [120] S ==> swapper/0:0 [120]\n"
    "          <idle>-0     [001]     1.000610: sched_wakeup:         a:10 [120] success=1 CPU:001\n"
    "          <idle>-0     [001]     1.000700: sched_switch:         swapper/1:0 [120] R ==> a:10 [120]\n"
    "               a-10    [001]     1.000900: sched_switch:         a:10 [120] R+ ==> shell srvc 7950:20 [120]\n"
    "shell srvc 7950-20     [001]     1.001000: sched_switch:         shell srvc 7950:20 [120] D|K ==> a:10 [120]\n"
    "               a-10    [001]     1.001050: sched_switch:         a:10 [120] D ==> swapper/1:0 [120]\n"
    "          <idle>-0     [001]     1.002050: sched_wakeup:         a:10 [120] CPU:001\n"
    "          <idle>-0     [001]     1.002100: sched_switch:         swapper/1:0 [120] R ==> a:10 [120]\n"
    "               a-10    [001]     1.002200: sched_switch:         a:10 [120] x ==> swapper/1:0 [120]\n";
// clang-format on

const char* kStoryBody =
    "vcpu 0\n"
    "arrive 0\n"
    "run 100us\n"    // 10..110
    "sleep 500us\n"  // S: 110..610 (its wakeup)
    "run 250us\n"    // 700..900 and 1000..1050: the preemption gap is not demand
    "io 1ms\n"       // D: 1050..2050
    "run 100us\n"    // 2100..2200
    "exit\n"         // dead
    "vcpu 1\n"
    "arrive 900us\n"  // first switched in
    "run 100us\n";    // 900..1000; blocked at the end: nothing more to replay

TEST(FtraceImport, OldDialectReplaysEachTasksDemand) {
  ImportResult r = ftrace(kOldDialect);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].name, "all");
  EXPECT_EQ(body(r.vms[0].trace_text), kStoryBody);
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"a-10", "b-20"}));
  EXPECT_EQ(r.lines_read, 13u);
  EXPECT_EQ(r.lines_skipped, 0u);
  EXPECT_CONTAINS(r.notes,
                  "dialect: numeric prev_state, no '==>', no TGID column, no irq-flags column");
  EXPECT_CONTAINS(r.vms[0].trace_text, "snip.txt");  // the source is named
}

TEST(FtraceImport, NewDialectReplaysTheSameStory) {
  ImportResult r = ftrace(kNewDialect);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(body(r.vms[0].trace_text), kStoryBody);
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"a-10", "shell srvc 7950-20"}));
  EXPECT_CONTAINS(r.notes, "dialect: letter prev_state, '==>', TGID column, irq-flags column");
  EXPECT_CONTAINS(r.notes, "1 other events ignored");  // cpu_idle
}

TEST(FtraceImport, TraceCmdPluginDialectReplaysTheSameStory) {
  ImportResult r = ftrace(kPluginDialect);
  expect_parses(r);
  EXPECT_EQ(body(r.vms[0].trace_text), kStoryBody);
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"a-10", "shell srvc 7950-20"}));
  EXPECT_CONTAINS(r.notes,
                  "dialect: letter prev_state, '==>', no TGID column, no irq-flags "
                  "column, COMM:PID fields (trace-cmd's sched plugin)");
  std::string bad = "  a-1 [000] 1.0: sched_switch: a:1 [120] ==> b:2 [120]\n";
  EXPECT_EQ(error_of([&] { ftrace(bad); }),
            "snip.txt:1: sched_switch 'a:1 [120] ==> b:2 [120]'; expected COMM:PID [PRIO] STATE "
            "==> COMM:PID [PRIO]");
}

TEST(FtraceImport, WindowClipsBurstsAndTurnsALeadingSleepIntoTheArrival) {
  ImportOptions o;
  o.from_s = 0.0005;  // a is asleep then (110..610): it arrives at its wakeup
  o.to_s = 0.0011;    // a's io (1050..2050) is cut: nothing to replay after it
  ImportResult r = ftrace(kOldDialect, o);
  expect_parses(r);
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 110us\nrun 250us\n"
            "vcpu 1\narrive 400us\nrun 100us\n");
  EXPECT_CONTAINS(r.notes, "window: 500 us..1.1 ms after the first event at 1.000000 s");
}

TEST(FtraceImport, WakingWakeupAndUnsuccessfulWakeupsCountOnce) {
  // clang-format off
  const char* text =
      "  <idle>-0 [000] 5.000000: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=0 next_comm=w next_pid=7 next_prio=120\n"
      "       w-7 [000] 5.000100: sched_switch: prev_comm=w prev_pid=7 prev_prio=120 prev_state=1 next_comm=swapper/0 next_pid=0 next_prio=120\n"
      "  <idle>-0 [000] 5.000300: sched_waking: comm=w pid=7 prio=120 target_cpu=000\n"
      "  <idle>-0 [000] 5.000350: sched_wakeup: comm=w pid=7 prio=120 success=1 target_cpu=000\n"
      "  <idle>-0 [000] 5.000360: sched_wakeup: comm=w pid=7 prio=120 success=0 target_cpu=000\n"
      "  <idle>-0 [000] 5.000400: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=0 next_comm=w next_pid=7 next_prio=120\n"
      "       w-7 [000] 5.000500: sched_switch: prev_comm=w prev_pid=7 prev_prio=120 prev_state=1 next_comm=swapper/0 next_pid=0 next_prio=120\n";
  // clang-format on
  ImportResult r = ftrace(text);
  expect_parses(r);
  EXPECT_EQ(body(r.vms[0].trace_text), "vcpu 0\narrive 0\nrun 100us\nsleep 200us\nrun 100us\n");
}

TEST(FtraceImport, TaskRunningAtTheStartAndReusedPids) {
  // clang-format off
  const char* text =
      "  <idle>-0 [001] 2.000000: sched_wakeup: comm=z pid=9 prio=120 success=1 target_cpu=001\n"
      "  long-30  [000] 2.000100: sched_switch: prev_comm=long prev_pid=30 prev_prio=120 prev_state=R ==> next_comm=z next_pid=9 next_prio=120\n"
      "     z-9   [000] 2.000150: sched_switch: prev_comm=z prev_pid=9 prev_prio=120 prev_state=X ==> next_comm=long next_pid=30 next_prio=120\n"
      "  <idle>-0 [001] 2.000400: sched_wakeup: comm=z2 pid=9 prio=120 success=1 target_cpu=001\n"
      "  <idle>-0 [001] 2.000500: sched_switch: prev_comm=swapper/1 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=z2 next_pid=9 next_prio=120\n"
      "    z2-9   [001] 2.000600: sched_switch: prev_comm=z2 prev_pid=9 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120\n";
  // clang-format on
  ImportResult r = ftrace(text);
  expect_parses(r);
  // long ran from before the trace: its first burst counts from the first
  // event (0..100); it is on CPU 0 again from 150 to the last event (600).
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\nrun 550us\n"        // long
            "vcpu 1\narrive 0\nrun 50us\nexit\n"   // z (pid 9): 100..150, dead
            "vcpu 2\narrive 400us\nrun 100us\n");  // z2, pid 9 again
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"long-30", "z-9", "z2-9.2"}));
  EXPECT_CONTAINS(r.notes, "1 tasks were on a CPU when the trace began");
  EXPECT_CONTAINS(r.notes, "1 pids reused");
}

TEST(FtraceImport, MalformedLinesNameFileAndLineOrAreCountedWithSkipBad) {
  std::string text = kOldDialect;
  // Line 3: not an event line; line 6: a sched_switch without next_pid.
  std::size_t third = text.find('\n', text.find('\n') + 1) + 1;
  text.insert(third, "garbage in the middle\n");
  std::size_t sixth = third;
  for (int i = 0; i < 3; ++i) sixth = text.find('\n', sixth) + 1;
  text.insert(sixth,
              "  <idle>-0 [000] 1.000011: sched_switch: prev_comm=swapper/0 prev_pid=0 "
              "prev_prio=120 prev_state=0 next_comm=a\n");

  std::string message = error_of([&] { ftrace(text, {}, "bad.txt"); });
  EXPECT_EQ(message,
            "bad.txt:3: 'garbage in the middle'; expected an ftrace event line: TASK-PID [CPU] "
            "TIMESTAMP: EVENT: FIELDS (TIMESTAMP in seconds, below 10^10)");
  // Eleven digits of seconds are past a 64-bit ns count: the same answer.
  std::string late = "  <idle>-0 [000] 99999999999.000000: sched_switch: prev_comm=swapper/0 "
                     "prev_pid=0 prev_prio=120 prev_state=0 next_comm=a next_pid=1 next_prio=120\n";
  EXPECT_EQ(error_of([&] { ftrace(late, {}, "late.txt"); }),
            "late.txt:1: '<idle>-0 [000] 99999999999.000000: sched...'; expected an ftrace event "
            "line: TASK-PID [CPU] TIMESTAMP: EVENT: FIELDS (TIMESTAMP in seconds, below 10^10)");

  ImportOptions o;
  o.skip_bad = true;
  ImportResult r = ftrace(text, o, "bad.txt");
  expect_parses(r);
  EXPECT_EQ(r.lines_skipped, 2u);
  EXPECT_EQ(r.lines_read, 15u);
  EXPECT_EQ(body(r.vms[0].trace_text), kStoryBody);  // the good lines tell the whole story
  EXPECT_CONTAINS(r.notes, "skipped 2 malformed lines (first: bad.txt:3: ");

  std::string bad_switch =
      "  <idle>-0 [000] 1.000011: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 "
      "prev_state=0 next_comm=a\n";
  EXPECT_EQ(error_of([&] { ftrace(bad_switch, {}, "s.txt"); }),
            "s.txt:1: sched_switch without next_pid=; expected prev_comm=C prev_pid=N prev_prio=N "
            "prev_state=S [==>] next_comm=C next_pid=N next_prio=N");
}

TEST(FtraceImport, RejectsUnknownStatesEmptyTracesAndBadVmNames) {
  std::string text =
      "  a-1 [000] 1.0: sched_switch: prev_comm=a prev_pid=1 prev_prio=120 prev_state=Q ==> "
      "next_comm=b next_pid=2 next_prio=120\n";
  EXPECT_STARTS_WITH(error_of([&] { ftrace(text); }),
                     "snip.txt:1: prev_state 'Q'; expected a number");
  EXPECT_EQ(
      error_of([&] { ftrace("# tracer: nop\n"); }).rfind("snip.txt: no sched_switch event", 0), 0u);
  ImportOptions o;
  o.vm_patterns = {{"a*", "bad name"}};
  EXPECT_STARTS_WITH(error_of([&] { ftrace(kOldDialect, o); }), "snip.txt: VM name 'bad name'");
  ImportOptions window;
  window.from_s = 2.0;
  window.to_s = 1.0;
  EXPECT_STARTS_WITH(error_of([&] { ftrace(kOldDialect, window); }), "snip.txt: time window");
  window.to_s = 3.0;  // after the trace's end
  EXPECT_STARTS_WITH(error_of([&] { ftrace(kOldDialect, window); }),
                     "snip.txt: nothing to import: no task ran in the window");
}

// ---------------------------------------------------------------------------
// ftrace: the real excerpts, checked against a plain reckoning of each task's
// CPU time: the sum of its switch-in..switch-out intervals (a task first seen
// switched out ran from the trace's first event; one still on a CPU at the
// end runs to the last event).

// The text between `key` and the next " " + `until` (or the line's end).
std::string field(const std::string& line, const std::string& key, const std::string& until) {
  std::size_t at = line.find(key);
  if (at == std::string::npos) return "";
  at += key.size();
  std::size_t end = until.empty() ? line.find(' ', at) : line.find(" " + until, at);
  return line.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

std::map<std::string, std::uint64_t> reckon_cpu(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::map<std::string, std::uint64_t> cpu;       // pid -> ns
  std::map<std::string, std::uint64_t> on_since;  // pid -> switch-in time
  std::map<std::string, std::string> name;
  std::uint64_t first = 0, last = 0;
  bool any = false;
  while (std::getline(in, line)) {
    // "... 76.211513: event: ..." (both excerpts have microseconds)
    std::size_t colon = line.find(": ");
    if (line.empty() || line[0] == '#' || colon == std::string::npos || colon < 7 ||
        line[colon - 7] != '.')
      continue;
    std::size_t start = line.rfind(' ', colon) + 1;
    std::uint64_t ns = std::stoull(line.substr(start, colon - 7 - start)) * 1000000000 +
                       std::stoull(line.substr(colon - 6, 6)) * 1000;
    if (!any) first = ns;
    any = true;
    last = ns;
    if (line.find(" sched_switch: ") == std::string::npos) continue;
    std::string prev = field(line, "prev_pid=", ""), next = field(line, "next_pid=", "");
    name[prev] = field(line, "prev_comm=", "prev_pid=");
    name[next] = field(line, "next_comm=", "next_pid=");
    if (prev != "0") {
      auto on = on_since.find(prev);
      cpu[prev] += ns - (on == on_since.end() ? (cpu.count(prev) ? ns : first) : on->second);
      if (on != on_since.end()) on_since.erase(on);
    }
    if (next != "0") {
      on_since[next] = ns;
      cpu[next] += 0;
    }
  }
  for (const auto& [pid, since] : on_since) cpu[pid] += last - since;
  std::map<std::string, std::uint64_t> by_label;
  for (const auto& [pid, ns] : cpu)
    if (ns > 0) by_label[name[pid] + "-" + pid] = ns;
  return by_label;
}

void expect_excerpt_matches_reckoning(const std::string& path, const std::string& dialect,
                                      std::size_t tasks) {
  std::istringstream in(read_maybe_gzip(path));
  ImportResult r = import_ftrace(in, path, {});
  expect_parses(r);
  EXPECT_EQ(r.lines_read, 300u);
  EXPECT_EQ(r.lines_skipped, 0u);
  EXPECT_CONTAINS(r.notes, dialect);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), tasks);
  EXPECT_EQ(cpu_by_label(r), reckon_cpu(path));
}

TEST(FtraceImport, TraceCmdExcerptMatchesTheSwitchIntervals) {
  expect_excerpt_matches_reckoning(
      kData + "/ftrace/lisa_trace_excerpt.txt",
      "dialect: numeric prev_state, no '==>', no TGID column, no irq-flags column", 10);
}

TEST(FtraceImport, SystraceExcerptMatchesTheSwitchIntervals) {
  expect_excerpt_matches_reckoning(
      kData + "/ftrace/trappy_surfaceflinger_excerpt.txt",
      "dialect: letter prev_state, '==>', TGID column, irq-flags column", 16);
}

TEST(FtraceImport, TopKeepsTheTasksWithMostCpuTime) {
  const std::string path = kData + "/ftrace/lisa_trace_excerpt.txt";
  std::ifstream all_in(path);
  auto all = cpu_by_label(import_ftrace(all_in, path, {}));
  std::vector<std::uint64_t> times;
  for (const auto& [label, ns] : all) times.push_back(ns);
  std::sort(times.rbegin(), times.rend());

  ImportOptions o;
  o.top = 3;
  std::ifstream in(path);
  ImportResult r = import_ftrace(in, path, o);
  expect_parses(r);
  auto top = cpu_by_label(r);
  ASSERT_EQ(top.size(), 3u);
  for (const auto& [label, ns] : top) {
    EXPECT_EQ(all.at(label), ns) << label;
    EXPECT_GE(ns, times[2]) << label;
  }
  EXPECT_CONTAINS(r.notes, "dropped " + std::to_string(all.size() - 3) + " tasks beyond the top 3");
}

TEST(FtraceImport, VmPatternsSplitTasksIntoVmsByName) {
  const std::string path = kData + "/ftrace/lisa_trace_excerpt.txt";
  std::ifstream all_in(path);
  auto all = cpu_by_label(import_ftrace(all_in, path, {}));

  ImportOptions o;
  o.vm_patterns = {{"kworker/*", "kernel"}, {"sh", "shell"}, {"ssh[d]", "shell"}};
  std::ifstream in(path);
  ImportResult r = import_ftrace(in, path, o);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 3u);
  EXPECT_EQ(r.vms[0].name, "kernel");
  EXPECT_EQ(r.vms[1].name, "shell");
  EXPECT_EQ(r.vms[2].name, "other");
  for (const std::string& l : r.vms[0].vcpu_labels) EXPECT_STARTS_WITH(l, "kworker/");
  for (const std::string& l : r.vms[1].vcpu_labels)
    EXPECT_TRUE(l.rfind("sh-", 0) == 0 || l.rfind("sshd-", 0) == 0) << l;
  for (const std::string& l : r.vms[2].vcpu_labels) {
    EXPECT_NE(l.rfind("kworker/", 0), 0u) << l;
    EXPECT_NE(l.rfind("sshd-", 0), 0u) << l;
  }
  EXPECT_EQ(cpu_by_label(r), all);  // every task once, in exactly one VM
  EXPECT_EQ(import_output_path("out/juno.trace", r.vms[1].name, r.vms.size()),
            "out/juno-shell.trace");
}

// The shipped traces, when ../shared is there (a fresh clone has no ../shared).
TEST(FtraceImport, WholeSharedTracesStaySmallAndParse) {
  const std::string dir = kData + "/../../../shared/traces/ftrace";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is absent";
  for (const char* name : {"lisa_trace_txt_trace.txt", "trappy_trace_surfaceflinger.ftrace.txt"}) {
    std::istringstream in(read_maybe_gzip(dir + "/" + name));
    ImportResult r = import_ftrace(in, name, {});
    expect_parses(r);
    std::size_t bytes = 0;
    for (const ImportedVm& vm : r.vms) bytes += vm.trace_text.size();
    EXPECT_LT(bytes, 2u << 20) << name;
    EXPECT_EQ(r.lines_skipped, 0u) << name;
  }
}

// ---------------------------------------------------------------------------
// SWF.

std::string job(int number, const std::string& submit, const std::string& run,
                const std::string& processors, const std::string& requested = "-1") {
  return "  " + std::to_string(number) + "  " + submit + "  -1  " + run + "  " + processors +
         "  -1 -1  " + requested + "  -1 -1 1  7  1  -1 -1 -1 -1 -1\n";
}

const std::string kJobs = "; Version: 2.2\n; Computer: test\n" + job(1, "100", "50", "2") +
                          job(2, "160", "-1", "4") +          // unknown run time
                          job(3, "200", "10.5", "-1", "3") +  // requested processors
                          job(4, "300", "20", "1");

TEST(FtraceImport, TasksArrivingPastTheFormatsLimitAreDroppedAndNoted) {
  // Found by fuzzing: a task first seen 23 days in (past 2^50 cycles at 1 GHz)
  // made write_trace throw logic_error past the CLI. It is dropped, as swf
  // drops late jobs, and the notes say so.
  const std::string a =
      "  <idle>-0 [000] 1.000000: sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 "
      "prev_state=R ==> next_comm=a next_pid=10 next_prio=120\n"
      "  a-10 [000] 1.000100: sched_switch: prev_comm=a prev_pid=10 prev_prio=120 prev_state=S ==> "
      "next_comm=swapper/0 next_pid=0 next_prio=120\n";
  const std::string b =
      "  <idle>-0 [000] 2000000.000010: sched_switch: prev_comm=swapper/0 prev_pid=0 "
      "prev_prio=120 prev_state=R ==> next_comm=b next_pid=20 next_prio=120\n"
      "  b-20 [000] 2000000.000500: sched_switch: prev_comm=b prev_pid=20 prev_prio=120 "
      "prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120\n";
  ImportResult r = ftrace(a + b);
  expect_parses(r);
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), 1u);
  EXPECT_CONTAINS(r.notes,
                  "dropped 1 tasks first run more than 1125899.907 s after the window's start");
  // A window that starts later brings b within the limit (and leaves a out).
  ImportOptions o;
  o.from_s = 1000000;  // b arrives 999999 s after time 0: within 1125899 s
  r = ftrace(a + b, o);
  expect_parses(r);
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), 1u);
  EXPECT_STARTS_WITH(r.vms[0].vcpu_labels[0], "b");
}

TEST(SwfImport, OneVcpuPerProcessorArrivingAtTheSubmitTime) {
  ImportResult r = swf(kJobs);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].name, "jobs");
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\nrun 50s\n"
            "vcpu 1\narrive 0\nrun 50s\n"
            "vcpu 2\narrive 100s\nrun 10500ms\n"
            "vcpu 3\narrive 100s\nrun 10500ms\n"
            "vcpu 4\narrive 100s\nrun 10500ms\n"
            "vcpu 5\narrive 200s\nrun 20s\n");
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"job1-p0", "job1-p1", "job3-p0",
                                                            "job3-p1", "job3-p2", "job4-p0"}));
  EXPECT_EQ(r.lines_read, 6u);
  EXPECT_CONTAINS(r.notes, "1 with an unknown or zero run time");
  EXPECT_CONTAINS(r.notes, "imported 3 jobs (job 1 to job 4): 6 vCPUs, 151.5 CPU-seconds");
}

TEST(SwfImport, JobRangeAndWindowSelectJobs) {
  ImportOptions range;
  range.first_job = 1;  // job 2 was dropped (unknown run time): job 3 is next
  range.max_jobs = 1;
  ImportResult r = swf(kJobs, range);
  expect_parses(r);
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\nrun 10500ms\nvcpu 1\narrive 0\nrun 10500ms\n"
            "vcpu 2\narrive 0\nrun 10500ms\n");

  ImportOptions window;
  window.from_s = 50;  // submits 150..250 in the log: job 3; time 0 = 150
  window.to_s = 150;
  r = swf(kJobs, window);
  expect_parses(r);
  EXPECT_EQ(r.vms[0].vcpu_labels, (std::vector<std::string>{"job3-p0", "job3-p1", "job3-p2"}));
  EXPECT_STARTS_WITH(body(r.vms[0].trace_text), "vcpu 0\narrive 50s\nrun 10500ms\n");
}

TEST(SwfImport, SplitsIntoVmsOf4096VcpusAndDropsArrivalsBeyondTheLimit) {
  std::string text = job(1, "0", "10", "2000") + job(2, "5", "10", "2000") +
                     job(3, "9", "10", "2000") + job(4, "2000000", "10", "1");
  ImportResult r = swf(text);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 2u);
  EXPECT_EQ(r.vms[0].name, "jobs-1");
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), 4000u);
  EXPECT_EQ(r.vms[1].name, "jobs-2");
  EXPECT_EQ(r.vms[1].vcpu_labels.size(), 2000u);
  EXPECT_CONTAINS(r.notes, "dropped 1 jobs arriving more than");  // 2e6 s > 2^50 ns

  ImportOptions one;
  one.max_vms = 1;
  r = swf(text, one);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].name, "jobs");
  EXPECT_CONTAINS(r.notes, "dropped 1 jobs beyond the first 1 VMs");
}

TEST(SwfImport, MalformedLinesNameFileAndLine) {
  std::string short_line = kJobs + "  5  400  -1  20  1  -1 -1 -1 -1 -1 1 7 1 -1 -1 -1 -1\n";
  EXPECT_EQ(error_of([&] { swf(short_line); }),
            "j.swf:7: 17 fields; expected 18 whitespace-separated SWF fields (job, submit, wait, "
            "run, processors, ...; -1 = unknown)");
  std::string word = kJobs + job(5, "400", "abc", "1");
  EXPECT_EQ(error_of([&] { swf(word); }),
            "j.swf:7: field 4 (run time) 'abc'; expected a number (-1 = unknown)");
  // Ten digits of seconds are the most a 64-bit ns count holds.
  EXPECT_EQ(error_of([&] { swf(kJobs + job(5, "400", "99999999999", "1")); }),
            "j.swf:7: run time '99999999999'; expected seconds, below 10^10");
  ImportOptions o;
  o.skip_bad = true;
  ImportResult r = swf(short_line + job(6, "500", "x", "1"), o);
  expect_parses(r);
  EXPECT_EQ(r.lines_skipped, 2u);
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), 6u);
  EXPECT_CONTAINS(r.notes, "skipped 2 malformed lines (first: j.swf:7: 17 fields");
  EXPECT_STARTS_WITH(error_of([&] { swf("; only a header\n"); }), "j.swf: no job");
}

TEST(SwfImport, RealExcerptPlainAndGzipped) {
  const std::string plain = kData + "/swf/nasa_ipsc_excerpt.swf";
  std::string text = read_maybe_gzip(plain);
  EXPECT_EQ(read_maybe_gzip(plain + ".gz"), text);
  EXPECT_EQ(text, read_file(plain));

  // The reckoning: one vCPU per processor of each job line (all have a run time).
  std::istringstream lines(text);
  std::string line;
  std::size_t jobs = 0, processors = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == ';') continue;
    std::istringstream f(line);
    std::string field;
    for (int i = 0; i < 5; ++i) f >> field;
    ++jobs;
    processors += std::stoul(field);
  }
  std::istringstream in(text);
  ImportResult r = import_swf(in, plain, {});
  expect_parses(r);
  EXPECT_EQ(jobs, 41u);
  EXPECT_EQ(r.vms[0].vcpu_labels.size(), processors);
  EXPECT_CONTAINS(r.notes, "imported 41 jobs (job 1 to job 122)");
}

TEST(SwfImport, ReadMaybeGzipReportsUnreadableAndCorruptFiles) {
  EXPECT_STARTS_WITH(error_of([] { read_maybe_gzip("/nonexistent/x.swf.gz"); }),
                     "/nonexistent/x.swf.gz: cannot read file (");
  const std::string dir = testing::TempDir();
  const std::string corrupt = dir + "/corrupt.gz";
  std::ofstream(corrupt, std::ios::binary) << "\x1f\x8b\x08garbage that is not deflate";
  EXPECT_STARTS_WITH(error_of([&] { read_maybe_gzip(corrupt); }), corrupt + ": ");
  std::string gz = read_file(kData + "/swf/nasa_ipsc_excerpt.swf.gz");
  const std::string truncated = dir + "/truncated.gz";
  std::ofstream(truncated, std::ios::binary) << gz.substr(0, gz.size() / 2);
  EXPECT_EQ(error_of([&] { read_maybe_gzip(truncated); }),
            truncated + ": truncated gzip data; expected a complete .gz file");
  EXPECT_EQ(error_of([&] { read_maybe_gzip(dir); }), dir + ": is a directory; expected a file");
}

// ---------------------------------------------------------------------------
// Utilisation series.

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string dir = testing::TempDir() + "/util";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/" + name, std::ios::binary) << text;
  return dir + "/" + name;
}

TEST(UtilizationImport, EachSampleRunsItsShareAndSleepsTheRest) {
  ImportOptions o;
  o.interval = 10000000000;  // 10 s at 1 GHz
  ImportResult r = import_utilization({write_temp("web", "0\n50\n50\n100\n12.5\n\n")}, o);
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 1u);
  EXPECT_EQ(r.vms[0].name, "web");
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\n"
            "sleep 10s\n"                        // 0 %
            "repeat 2\nrun 5s\nsleep 5s\nend\n"  // 50 %, twice
            "run 10s\n"                          // 100 %
            "run 1250ms\nsleep 8750ms\n");       // 12.5 %
  EXPECT_EQ(r.lines_read, 5u);                   // the trailing blank line is not a sample

  o.clock = 2000000000;  // the interval is in cycles: 10 s at 2 GHz
  o.interval = 20000000000;
  o.from_s = 10;  // samples 1 and 2
  o.to_s = 30;
  r = import_utilization({write_temp("web", "0\n50\n50\n100\n")}, o);
  expect_parses(r, o.clock);
  EXPECT_EQ(body(r.vms[0].trace_text), "vcpu 0\narrive 0\nrepeat 2\nrun 5s\nsleep 5s\nend\n");
}

TEST(UtilizationImport, BadSamplesNameFileAndLineOrReplayIdle) {
  std::string path = write_temp("bad", "10\nabc\n101\n20\n");
  EXPECT_EQ(error_of([&] { import_utilization({path}, {}); }),
            path + ":2: 'abc'; expected a CPU utilisation percentage from 0 to 100, one per line");
  ImportOptions o;
  o.skip_bad = true;
  ImportResult r = import_utilization({path}, o);
  expect_parses(r);
  EXPECT_EQ(r.lines_skipped, 2u);
  EXPECT_EQ(body(r.vms[0].trace_text),
            "vcpu 0\narrive 0\nrun 30s\nsleep 270s\nrepeat 2\nsleep 300s\nend\n"
            "run 60s\nsleep 240s\n");
  EXPECT_CONTAINS(r.notes, "skipped 2 malformed lines, their intervals replayed idle");
  EXPECT_EQ(error_of([&] { import_utilization({write_temp("gap", "10\n\n20\n")}, {}); }),
            testing::TempDir() +
                "/util/gap:2: empty line; expected a CPU utilisation percentage "
                "from 0 to 100, one per line");
}

TEST(UtilizationImport, InMemorySeriesAndSampleTimesPastTheCycleCount) {
  // The same series from memory (the fuzz target's way in) as from a file.
  ImportResult from_file = import_utilization({write_temp("web", "10\n20\n")}, {});
  ImportResult in_memory = import_utilization_series({{"util/web", "10\n20\n"}}, "util", {});
  ASSERT_EQ(in_memory.vms.size(), 1u);
  EXPECT_EQ(in_memory.vms[0].name, "web");
  EXPECT_EQ(body(in_memory.vms[0].trace_text), body(from_file.vms[0].trace_text));

  // Sample 5 of 6e9 s each would start at 2.4e19 ns: past 64 bits, an error
  // rather than a wrap-around.
  ImportOptions o;
  o.interval = 6000000000000000000;  // 6e9 s at 1 GHz
  EXPECT_EQ(error_of([&] { import_utilization_series({{"util/vast", "1\n2\n3\n4\n5\n"}}, "util", o); }),
            "util/vast:5: sample 5 starts past 2^64 ns at one sample per 6000000000s; expected a "
            "shorter interval or fewer samples");
  EXPECT_NO_THROW(import_utilization_series({{"util/vast", "1\n2\n3\n4\n"}}, "util", o));
}

TEST(UtilizationImport, PlanetLabDirectoryMakesOneVmPerFile) {
  const std::string dir = kData + "/planetlab/20110303";
  ImportResult r = import_utilization({dir}, {});
  expect_parses(r);
  ASSERT_EQ(r.vms.size(), 2u);
  EXPECT_EQ(r.vms[0].name, "146-179_surfsnel_dsl_internl_net_colostate_557");
  EXPECT_EQ(r.vms[1].name, "planetlab1_fit_vutbr_cz_nyu_d");
  EXPECT_EQ(r.lines_read, 2u * 288);
  auto cpu = cpu_by_label(r);
  for (const ImportedVm& vm : r.vms) {
    // An integer percentage of 300 s is that many times 3 s, exactly.
    std::ifstream in(dir + "/" + vm.vcpu_labels[0]);
    std::uint64_t percent_sum = 0, value = 0;
    while (in >> value) percent_sum += value;
    EXPECT_EQ(cpu.at(vm.vcpu_labels[0]), percent_sum * 3000000000) << vm.name;
  }
  ImportOptions one;
  one.max_vms = 1;
  EXPECT_EQ(import_utilization({dir}, one).vms.size(), 1u);
}

TEST(UtilizationImport, VmNamesAreMadePlainAndUnique) {
  std::string a = write_temp("a b.txt", "5\n");
  std::string b = write_temp("a_b.txt", "5\n");
  ImportResult r = import_utilization({a, b}, {});
  expect_parses(r);
  EXPECT_EQ(r.vms[0].name, "a_b_txt");
  EXPECT_EQ(r.vms[1].name, "a_b_txt-2");
  std::string tar(1024, '\0');
  tar.replace(0, 9, "20110303/");
  tar.replace(257, 6, std::string("ustar\0", 6));
  std::string archive = write_temp("planetlab.tar", tar);
  EXPECT_STARTS_WITH(error_of([&] { import_utilization({archive}, {}); }),
                     archive + ": a tar archive; expected files of percentages: extract it first");
  std::string empty = testing::TempDir() + "/empty_dir";
  std::filesystem::create_directories(empty);
  EXPECT_EQ(error_of([&] { import_utilization({empty}, {}); }),
            empty + ": no files; expected one file of percentages per VM");
}

// ---------------------------------------------------------------------------
// Shared pieces.

TEST(ImportHelpers, GlobMatch) {
  EXPECT_TRUE(glob_match("kworker*", "kworker/u12:1"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("s?d", "sed"));
  EXPECT_TRUE(glob_match("ssh[d]", "sshd"));
  EXPECT_TRUE(glob_match("[!a-c]x", "dx"));
  EXPECT_FALSE(glob_match("[!a-c]x", "bx"));
  EXPECT_TRUE(glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(glob_match("\\*", "*"));
  EXPECT_FALSE(glob_match("\\*", "x"));
  EXPECT_FALSE(glob_match("sh", "sshd"));
  EXPECT_TRUE(glob_match("[ab", "[ab"));  // no closing ']': literal
}

TEST(ImportHelpers, OutputPathAndDurations) {
  EXPECT_EQ(import_output_path("web.trace", "all", 1), "web.trace");
  EXPECT_EQ(import_output_path("web.trace", "ssh", 2), "web-ssh.trace");
  EXPECT_EQ(import_output_path("out/web", "ssh", 2), "out/web-ssh.trace");
  EXPECT_EQ(detail::format_ns(2000000), "2ms");
  EXPECT_EQ(detail::format_ns(173000), "173us");
  EXPECT_EQ(detail::format_ns(1500), "1500ns");
  EXPECT_EQ(detail::format_ns(300000000000), "300s");
  EXPECT_EQ(detail::parse_seconds_ns("76.211513"), 76211513000u);
  EXPECT_EQ(detail::parse_seconds_ns("1.0000000005"), 1000000001u);
  EXPECT_EQ(detail::parse_seconds_ns("12"), 12000000000u);
  EXPECT_FALSE(detail::parse_seconds_ns("1.").has_value());
  EXPECT_FALSE(detail::parse_seconds_ns("-1").has_value());
}

TEST(ImportHelpers, LongStepsAreSplitAtTheFormatsLimit) {
  detail::ImportVcpu v;
  v.blocks.push_back({1, {{detail::ImportStep::Sleep, 3000000ull * 1000000000}}});  // 3e6 s
  std::string text = detail::write_trace("x", {}, {v}, k1GHz);
  // 2^50 ns is 1125899.9 s: whole seconds below it.
  EXPECT_EQ(body(text), "vcpu 0\narrive 0\nsleep 1125899s\nsleep 1125899s\nsleep 748202s\n");
  EXPECT_NO_THROW(parse_trace(text, "x", k1GHz));
}

}  // namespace
}  // namespace vmmsim::workload
