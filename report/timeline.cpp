#include "report/timeline.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/text.h"

namespace vmmsim::report {

Timeline::Timeline(OutputFile& file, Hertz clock, unsigned cpus, Cycles from, Cycles to)
    : m_file(file),
      m_out(file.stream()),
      m_clock(clock),
      m_vmm_track(cpus + 1),
      m_from(from),
      m_to(to) {
  m_out << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
  // Every event has a category (trace-model libraries index by it);
  // thread ids start at 1 (0 is no thread to some viewers): cpu c is c + 1.
  event(R"({"name": "process_name", "cat": "__metadata", "ph": "M", "pid": 1, "args": {"name": "vmmsim"}})");
  for (unsigned c = 0; c < cpus; ++c)
    event(fmt::format(
        R"({{"name": "thread_name", "cat": "__metadata", "ph": "M", "pid": 1, "tid": {}, "args": {{"name": "cpu{}"}}}})",
        track(c), c));
  event(fmt::format(
      R"({{"name": "thread_name", "cat": "__metadata", "ph": "M", "pid": 1, "tid": {}, "args": {{"name": "vmm"}}}})",
      m_vmm_track));
}

std::string Timeline::us(Cycles c) const {
  // Exact to the nanosecond at clocks up to 1 GHz; deterministic formatting.
  return fmt::format("{:.3f}", static_cast<double>(c) * 1e6 / static_cast<double>(m_clock));
}

void Timeline::event(const std::string& json) {
  m_out << (m_first ? "" : ",\n") << json;
  m_first = false;
}

void Timeline::dispatch(unsigned cpu, const Slice& slice, Cycles start, Cycles end) {
  start = std::max(start, m_from);
  end = std::min(end, m_to);
  if (end <= start) return;
  event(fmt::format(
      R"({{"name": {}, "cat": "dispatch", "ph": "X", "ts": {}, "dur": {}, "pid": 1, "tid": {}, "args": {{"vm": {}, "vcpu": {}, "scheduler": {}, "scheduler_name": {}, "priority": {}}}}})",
      json_quoted(slice.name), us(start), us(end - start), track(cpu), json_quoted(slice.vm), slice.vcpu, slice.slot,
      json_quoted(slice.scheduler), slice.priority));
}

void Timeline::ceased(unsigned cpu, Cycles start, Cycles end) {
  start = std::max(start, m_from);
  end = std::min(end, m_to);
  if (end <= start) return;
  event(fmt::format(R"({{"name": "ceased", "cat": "ceased", "ph": "X", "ts": {}, "dur": {}, "pid": 1, "tid": {}}})",
                    us(start), us(end - start), track(cpu)));
}

void Timeline::runqueue(Cycles at, std::uint64_t runnable_waiting) {
  if (runnable_waiting == m_last_runqueue || at < m_from || at >= m_to) return;
  m_last_runqueue = runnable_waiting;
  event(fmt::format(R"({{"name": "runqueue", "cat": "runqueue", "ph": "C", "ts": {}, "pid": 1, "args": {{"runnable": {}}}}})", us(at),
                    runnable_waiting));
}

void Timeline::replacement(const std::string& label, Cycles at) {
  event(fmt::format(R"({{"name": {}, "cat": "replacement", "ph": "i", "s": "g", "ts": {}, "pid": 1, "tid": {}}})",
                    json_quoted(label), us(at), m_vmm_track));
}

void Timeline::phase(const std::string& name, Cycles start, Cycles end) {
  event(fmt::format(R"({{"name": {}, "cat": "replacement", "ph": "X", "ts": {}, "dur": {}, "pid": 1, "tid": {}}})",
                    json_quoted(name), us(start), us(end - start), m_vmm_track));
}

void Timeline::close() {
  if (m_closed) return;
  m_out << "\n]}\n";
  m_closed = true;
}

}  // namespace vmmsim::report
