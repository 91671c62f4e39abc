#include "report/timeline.h"

#include <algorithm>
#include <charconv>
#include <cmath>

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

// "ts" and "dur" of a complete event from `start` to `end`. Readers add the
// two as doubles: 5014.386 + 60.792 gives 5075.178000000001, past the next
// slice's "ts" of 5075.178, and the DevTools performance panel then drops the
// next slice as an overlap. So "dur" is the exact decimal difference where
// that sum stays at or before the end's own "ts", else the largest double for
// which it does (shorter by less than a picosecond), written to round-trip.
std::string Timeline::span(Cycles start, Cycles end) const {
  const std::string from = us(start), to = us(end);
  std::string dur = us(end - start);
  auto parse = [](const std::string& s) {
    double d = 0;
    std::from_chars(s.data(), s.data() + s.size(), d);
    return d;
  };
  const double a = parse(from), b = parse(to);
  double d = parse(dur);
  if (a + d > b) {
    d = std::max(b - a, 0.0);
    while (d > 0 && a + d > b) d = std::nextafter(d, 0.0);
    dur = fmt::format("{}", d);
  }
  return fmt::format(R"("ts": {}, "dur": {})", from, dur);
}

void Timeline::event(const std::string& json) {
  m_out << (m_first ? "" : ",\n") << json;
  m_first = false;
}

void Timeline::dispatch(unsigned cpu, const Slice& slice, Cycles start, Cycles end) {
  start = std::max(start, m_from);
  end = std::min(end, m_to);
  if (end <= start) return;
  carry_runqueue_into_window();
  event(fmt::format(
      R"({{"name": {}, "cat": "dispatch", "ph": "X", {}, "pid": 1, "tid": {}, "args": {{"vm": {}, "vcpu": {}, "scheduler": {}, "scheduler_name": {}, "priority": {}}}}})",
      json_quoted(slice.name), span(start, end), track(cpu), json_quoted(slice.vm), slice.vcpu, slice.slot,
      json_quoted(slice.scheduler), slice.priority));
}

void Timeline::ceased(unsigned cpu, Cycles start, Cycles end) {
  start = std::max(start, m_from);
  end = std::min(end, m_to);
  if (end <= start) return;
  carry_runqueue_into_window();
  event(fmt::format(R"({{"name": "ceased", "cat": "ceased", "ph": "X", {}, "pid": 1, "tid": {}}})", span(start, end),
                    track(cpu)));
}

void Timeline::runqueue(Cycles at, std::uint64_t runnable_waiting) {
  if (at < m_from) {
    m_runqueue_before = runnable_waiting;
    return;
  }
  if (at >= m_to) return;
  if (at > m_from) carry_runqueue_into_window();
  write_runqueue(at, runnable_waiting);
}

void Timeline::carry_runqueue_into_window() {
  if (m_runqueue_before == ~std::uint64_t{0}) return;
  write_runqueue(m_from, m_runqueue_before);
  m_runqueue_before = ~std::uint64_t{0};
}

void Timeline::write_runqueue(Cycles at, std::uint64_t runnable_waiting) {
  if (runnable_waiting == m_last_runqueue) return;
  m_last_runqueue = runnable_waiting;
  event(fmt::format(R"({{"name": "runqueue", "cat": "runqueue", "ph": "C", "ts": {}, "pid": 1, "args": {{"runnable": {}}}}})", us(at),
                    runnable_waiting));
}

void Timeline::replacement(const std::string& label, Cycles at) {
  if (at < m_from || at >= m_to) return;
  carry_runqueue_into_window();
  event(fmt::format(R"({{"name": {}, "cat": "replacement", "ph": "i", "s": "g", "ts": {}, "pid": 1, "tid": {}}})",
                    json_quoted(label), us(at), m_vmm_track));
}

void Timeline::phase(const std::string& name, Cycles start, Cycles end) {
  // A phase of no time stays if its instant is in the window.
  if (start >= m_to || end < m_from || (end == m_from && start < end)) return;
  start = std::max(start, m_from);
  end = std::min(end, m_to);
  carry_runqueue_into_window();
  event(fmt::format(R"({{"name": {}, "cat": "replacement", "ph": "X", {}, "pid": 1, "tid": {}}})", json_quoted(name),
                    span(start, end), m_vmm_track));
}

void Timeline::shadow_disagreement(const std::string& label, Cycles at) {
  if (at < m_from || at >= m_to) return;
  carry_runqueue_into_window();
  const unsigned tid = m_vmm_track + 1;
  if (!m_shadow_track) {
    event(fmt::format(
        R"({{"name": "thread_name", "cat": "__metadata", "ph": "M", "pid": 1, "tid": {}, "args": {{"name": "shadow"}}}})",
        tid));
    m_shadow_track = true;
  }
  event(fmt::format(R"({{"name": {}, "cat": "shadow", "ph": "i", "s": "t", "ts": {}, "pid": 1, "tid": {}}})",
                    json_quoted(label), us(at), tid));
}

void Timeline::close() {
  if (m_closed) return;
  m_out << "\n]}\n";
  m_closed = true;
}

}  // namespace vmmsim::report
