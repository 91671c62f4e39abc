// --timeline: a Chrome/Perfetto trace-event JSON file, streamed while the
// simulation runs (constant memory): one track per pCPU with a slice per
// dispatch and one per downtime (`ceased`), a run-queue length counter, and for each scheduler replacement
// an instant plus a slice per phase on a VMM track. Loads in ui.perfetto.dev
// and chrome://tracing.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "base/units.h"

namespace vmmsim::report {

class Timeline {
 public:
  // Writes to `file` (opened; its owner commits or discards it). Only
  // [from, to) is kept: slices overlapping it are clipped to it, instants
  // and counter changes outside it are dropped, and the run-queue count in
  // effect at `from` is written at `from`.
  Timeline(OutputFile& file, Hertz clock, unsigned cpus, Cycles from = 0, Cycles to = kForever);

  // A dispatch: vCPU `name` (of `vm`, index `vcpu`), placed by the
  // scheduler `scheduler` in slot `slot`, which gave it `priority`.
  struct Slice {
    std::string name;
    std::string vm;
    unsigned vcpu = 0;
    std::uint32_t slot = 0;
    std::string scheduler;
    std::int64_t priority = 0;
  };
  // `slice` ran on `cpu` from `start` to `end`.
  void dispatch(unsigned cpu, const Slice& slice, Cycles start, Cycles end);
  // `cpu` was ceased (a replacement's downtime) from `start` to `end`.
  void ceased(unsigned cpu, Cycles start, Cycles end);
  void runqueue(Cycles at, std::uint64_t runnable_waiting);
  void replacement(const std::string& label, Cycles at);
  void phase(const std::string& name, Cycles start, Cycles end);
  // The scheduler in shadow answered otherwise than the active one: an
  // instant on a "shadow" track, which appears with its first event.
  void shadow_disagreement(const std::string& label, Cycles at);
  // Ends the event list: the file is then a whole JSON document.
  void close();
  // A write has failed (OutputFile::finish() names the cause): the rest is dropped.
  bool failed() const { return m_file.failed(); }

 private:
  std::string us(Cycles c) const;  // trace-event time: microseconds
  std::string span(Cycles start, Cycles end) const;  // "ts" and "dur" that never pass the next slice's "ts"
  static unsigned track(unsigned cpu) { return cpu + 1; }  // its thread id
  void event(const std::string& json);
  // The run-queue count set before the window, written at its start once
  // the run has reached it.
  void carry_runqueue_into_window();
  void write_runqueue(Cycles at, std::uint64_t runnable_waiting);

  OutputFile& m_file;
  std::ostream& m_out;
  Hertz m_clock;
  unsigned m_vmm_track;
  Cycles m_from, m_to;
  bool m_first = true;
  bool m_closed = false;
  bool m_shadow_track = false;  // its name written
  std::uint64_t m_last_runqueue = ~std::uint64_t{0};
  std::uint64_t m_runqueue_before = ~std::uint64_t{0};  // last count set before `from`
};

}  // namespace vmmsim::report
