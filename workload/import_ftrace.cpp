// ftrace / trace-cmd text -> vmmsim traces: one vCPU per task, replaying its
// CPU demand (docs/importers.md). The lines are read in ftrace_lines.cpp and
// the tasks replayed in ftrace_replay.cpp; here they are kept, grouped into
// VMs and written.
#include <fmt/format.h>

#include <algorithm>
#include <istream>

#include "base/capped_input.h"
#include "base/input_error.h"
#include "base/text.h"
#include "workload/ftrace_replay.h"
#include "workload/importers.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {

using namespace ftrace;

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
  Anomalies anomalies;
  std::vector<Task> tasks = replay_tasks(events, *first_ns, *last_ns, &anomalies);

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
