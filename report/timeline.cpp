#include "report/timeline.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "base/text.h"

namespace vmmsim::report {

Timeline::Timeline(OutputFile& file, Hertz clock, unsigned cpus, Cycles from, Cycles to, Cycles replacement_pad)
    : m_file(file),
      m_out(file.stream()),
      m_clock(clock),
      m_vmm_track(cpus + 1),
      m_windows{{from, to}},
      m_main_to(to),
      m_pad(replacement_pad),
      m_neighbourhood(replacement_pad > 0 && to != kForever ? Neighbourhood::Awaited : Neighbourhood::Off) {
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

template <class Write>
void Timeline::in_windows(Cycles start, Cycles end, Write write) const {
  for (const Window& w : m_windows) {
    const Cycles from = std::max(start, w.from), to = std::min(end, w.to);
    if (to > from) write(from, to);
  }
}

void Timeline::dispatch(unsigned cpu, const Slice& slice, Cycles start, Cycles end) {
  m_horizon = std::max(m_horizon, end);
  if (m_neighbourhood == Neighbourhood::Awaited && end > m_main_to) hold_slice(cpu, &slice, start, end);
  in_windows(start, end, [&](Cycles from, Cycles to) { write_dispatch(cpu, slice, from, to); });
}

void Timeline::write_dispatch(unsigned cpu, const Slice& slice, Cycles start, Cycles end) {
  carry_runqueue_into_window();
  event(fmt::format(
      R"({{"name": {}, "cat": "dispatch", "ph": "X", {}, "pid": 1, "tid": {}, "args": {{"vm": {}, "vcpu": {}, "scheduler": {}, "scheduler_name": {}, "priority": {}}}}})",
      json_quoted(slice.name), span(start, end), track(cpu), json_quoted(slice.vm), slice.vcpu, slice.slot,
      json_quoted(slice.scheduler), slice.priority));
}

void Timeline::ceased(unsigned cpu, Cycles start, Cycles end) {
  m_horizon = std::max(m_horizon, end);
  if (m_neighbourhood == Neighbourhood::Awaited && end > m_main_to) hold_slice(cpu, nullptr, start, end);
  in_windows(start, end, [&](Cycles from, Cycles to) { write_ceased(cpu, from, to); });
}

void Timeline::write_ceased(unsigned cpu, Cycles start, Cycles end) {
  carry_runqueue_into_window();
  event(fmt::format(R"({{"name": "ceased", "cat": "ceased", "ph": "X", {}, "pid": 1, "tid": {}}})", span(start, end),
                    track(cpu)));
}

void Timeline::runqueue(Cycles at, std::uint64_t runnable_waiting) {
  m_horizon = std::max(m_horizon, at);
  if (m_neighbourhood == Neighbourhood::Awaited) {
    if (at >= m_main_to) {
      m_held_counts.events.push_back({at, runnable_waiting});
      m_held_counts.drop(held_since(), [&](const HeldCount& c) { m_runqueue_unheld = c.runnable; });
    } else {
      m_runqueue_unheld = runnable_waiting;
    }
  }
  const Window& main = m_windows.front();
  if (at < main.from) {
    m_runqueue_before = runnable_waiting;
    return;
  }
  if (std::none_of(m_windows.begin(), m_windows.end(), [&](const Window& w) { return at >= w.from && at < w.to; }))
    return;
  if (at > main.from)
    carry_runqueue_into_window();
  else
    m_runqueue_before = ~std::uint64_t{0};  // a change at the window's start replaces the count before it
  write_runqueue(at, runnable_waiting);
}

void Timeline::hold_slice(unsigned cpu, const Slice* slice, Cycles start, Cycles end) {
  m_held_slices.events.push_back({cpu, start, end, slice ? *slice : Slice{}});
  m_held_slices.drop(held_since(), [](const HeldSlice&) {});
}

void Timeline::carry_runqueue_into_window() {
  if (m_runqueue_before == ~std::uint64_t{0}) return;
  write_runqueue(m_windows.front().from, m_runqueue_before);
  m_runqueue_before = ~std::uint64_t{0};
}

void Timeline::write_runqueue(Cycles at, std::uint64_t runnable_waiting) {
  if (runnable_waiting == m_last_runqueue) return;
  m_last_runqueue = runnable_waiting;
  event(fmt::format(R"({{"name": "runqueue", "cat": "runqueue", "ph": "C", "ts": {}, "pid": 1, "args": {{"runnable": {}}}}})", us(at),
                    runnable_waiting));
}

void Timeline::replacement(const std::string& label, Cycles at) {
  for (const Window& w : m_windows) {
    if (at < w.from || at >= w.to) continue;
    carry_runqueue_into_window();
    event(fmt::format(R"({{"name": {}, "cat": "replacement", "ph": "i", "s": "g", "ts": {}, "pid": 1, "tid": {}}})",
                      json_quoted(label), us(at), m_vmm_track));
  }
}

void Timeline::phase(const std::string& name, Cycles start, Cycles end) {
  for (const Window& w : m_windows) {
    // A phase of no time stays if its instant is in the window.
    if (start >= w.to || end < w.from || (end == w.from && start < end)) continue;
    carry_runqueue_into_window();
    event(fmt::format(R"({{"name": {}, "cat": "replacement", "ph": "X", {}, "pid": 1, "tid": {}}})", json_quoted(name),
                      span(std::max(start, w.from), std::min(end, w.to)), m_vmm_track));
  }
}

// The neighbourhood starts the pad before the replacement's first cease,
// or before the latest time told if that came later (the cease phase's
// events, at most a VM exit): the held events are complete from there.
void Timeline::replacement_began(Cycles first_cease) {
  if (m_neighbourhood != Neighbourhood::Awaited) return;
  if (first_cease < m_windows.front().from) {  // before the main window: not this timeline's
    m_neighbourhood = Neighbourhood::Settled;
    m_held_slices.clear();
    m_held_counts.clear();
    m_held_disagreements.clear();
    return;
  }
  m_neighbourhood = Neighbourhood::Open;
  m_first_cease = first_cease;
  m_horizon = std::max(m_horizon, first_cease);
  const Cycles from = held_since();
  Window& main = m_windows.front();
  // What is new: after the main window if the two meet, which become one.
  Cycles start = from;
  if (from <= main.to) {
    start = main.to;
    main.to = kForever;
  } else {
    std::uint64_t count = m_runqueue_unheld;  // in effect at `from`
    for (std::size_t i = m_held_counts.first; i < m_held_counts.events.size(); ++i)
      if (m_held_counts.events[i].end <= from) count = m_held_counts.events[i].runnable;
    m_windows.push_back({from, kForever});
    if (count != ~std::uint64_t{0}) write_runqueue(from, count);
  }
  for (std::size_t i = m_held_counts.first; i < m_held_counts.events.size(); ++i) {
    const HeldCount& c = m_held_counts.events[i];
    if (c.end >= start) write_runqueue(c.end, c.runnable);
  }
  for (std::size_t i = m_held_slices.first; i < m_held_slices.events.size(); ++i) {
    const HeldSlice& e = m_held_slices.events[i];
    const Cycles s = std::max(e.start, start);
    if (e.end <= s) continue;
    if (e.slice.name.empty())
      write_ceased(e.cpu, s, e.end);
    else
      write_dispatch(e.cpu, e.slice, s, e.end);
  }
  for (std::size_t i = m_held_disagreements.first; i < m_held_disagreements.events.size(); ++i) {
    const HeldDisagreement& d = m_held_disagreements.events[i];
    if (d.end >= start) write_disagreement(d.label, d.end);
  }
  m_held_slices.clear();
  m_held_counts.clear();
  m_held_disagreements.clear();
}

void Timeline::replacement_ended(Cycles first_cease, Cycles end) {
  if (m_neighbourhood != Neighbourhood::Open || first_cease != m_first_cease) return;
  m_neighbourhood = Neighbourhood::Settled;
  const Cycles after = std::max(m_pad, saturating_mul(end - first_cease, 4));
  // Never before what has been written already.
  const Cycles to = std::max(saturating_add(end, after), m_horizon);
  m_windows.back().to = m_windows.size() == 1 ? std::max(to, m_main_to) : to;
}

void Timeline::shadow_disagreement(const std::string& label, Cycles at) {
  m_horizon = std::max(m_horizon, at);
  if (m_neighbourhood == Neighbourhood::Awaited && at >= m_main_to) {
    m_held_disagreements.events.push_back({at, label});
    m_held_disagreements.drop(held_since(), [](const HeldDisagreement&) {});
  }
  if (std::any_of(m_windows.begin(), m_windows.end(), [&](const Window& w) { return at >= w.from && at < w.to; }))
    write_disagreement(label, at);
}

void Timeline::write_disagreement(const std::string& label, Cycles at) {
  track_instant(m_shadow_track, "shadow", label, at, "");
}

void Timeline::controller_decision(const std::string& label, const std::string& status, Cycles at) {
  if (std::none_of(m_windows.begin(), m_windows.end(), [&](const Window& w) { return at >= w.from && at < w.to; }))
    return;
  track_instant(m_controller_track, "controller", label, at, fmt::format(R"(, "args": {{"status": {}}})", json_quoted(status)));
}

void Timeline::track_instant(Track& track, const char* name, const std::string& label, Cycles at,
                             const std::string& args) {
  carry_runqueue_into_window();
  const unsigned tid = m_vmm_track + track.offset;
  if (!track.named) {
    event(fmt::format(
        R"({{"name": "thread_name", "cat": "__metadata", "ph": "M", "pid": 1, "tid": {}, "args": {{"name": "{}"}}}})",
        tid, name));
    track.named = true;
  }
  event(fmt::format(R"({{"name": {}, "cat": "{}", "ph": "i", "s": "t", "ts": {}, "pid": 1, "tid": {}{}}})",
                    json_quoted(label), name, us(at), tid, args));
}

void Timeline::close() {
  if (m_closed) return;
  m_out << "\n]}\n";
  m_closed = true;
}

}  // namespace vmmsim::report
