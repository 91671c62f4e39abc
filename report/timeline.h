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
  //
  // With `replacement_pad` > 0 and a `to`, the timeline also keeps the neighbourhood of
  // the first replacement sequence that begins at or after `from`, wherever
  // it falls (compare's default: its time is known only when it happens):
  // from `replacement_pad` before its first cease to at least
  // `replacement_pad`, and at least 4 × its span, after its last phase.
  // Until that replacement begins, the events of the last `replacement_pad`
  // past `to` are held (those of the last pad, in room for at most twice as
  // many or 1024 more: memory stays bounded however long the run) and then
  // written clipped to the neighbourhood, the run-queue count in effect at
  // its start written there. A neighbourhood that overlaps or touches
  // [from, to) extends it.
  Timeline(OutputFile& file, Hertz clock, unsigned cpus, Cycles from = 0, Cycles to = kForever,
           Cycles replacement_pad = 0);

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
  // instant on a "shadow" track, which appears with its first event. Held
  // for the neighbourhood as the slices are.
  void shadow_disagreement(const std::string& label, Cycles at);
  // A switching controller's decision (docs/controller.md): an instant on
  // a "controller" track, which appears with its first event. Told at the
  // end of the run, when each decision's cost is known; kept if `at` is in
  // a window (the neighbourhood's too).
  void controller_decision(const std::string& label, const std::string& status, Cycles at);
  // A replacement sequence whose first cease was at `first_cease` has
  // ceased the processors (told then, before the slices it ended). The
  // first one opens the neighbourhood (see the constructor).
  void replacement_began(Cycles first_cease);
  // The replacement that began at `first_cease` ended its last phase at
  // `end`: the neighbourhood, if it is that one's, ends
  // max(pad, 4 × (end - first_cease)) after `end` (the HTML page's zoom).
  void replacement_ended(Cycles first_cease, Cycles end);
  // The events held for a neighbourhood still to come: those that ended
  // within the last pad, so bounded however long the run.
  std::size_t held() const { return m_held_slices.size() + m_held_counts.size() + m_held_disagreements.size(); }
  Hertz clock() const { return m_clock; }
  // Ends the event list: the file is then a whole JSON document.
  void close();
  // A write has failed (OutputFile::finish() names the cause): the rest is dropped.
  bool failed() const { return m_file.failed(); }

 private:
  struct Window {
    Cycles from, to;
  };
  // A track of instants beside the vmm track (its thread id: the vmm
  // track's + offset), named with its first event.
  struct Track {
    unsigned offset;
    bool named = false;
  };
  // Events past the main window, held in case a replacement follows: slices
  // (a dispatch, or `ceased` without a vCPU name) and count changes apart,
  // a count being far smaller than a slice.
  struct HeldSlice {
    unsigned cpu;
    Cycles start, end;
    Slice slice;  // its name empty: a `ceased` slice
  };
  struct HeldCount {
    Cycles end;  // the change's time
    std::uint64_t runnable;
  };
  struct HeldDisagreement {
    Cycles end;  // its time
    std::string label;
  };
  // Held events in the order told, from `first`; those that ended more than
  // the pad ago are dropped. A vector that reuses its room (a deque would
  // allocate a block every few events).
  template <class Event>
  struct Held {
    std::vector<Event> events;
    std::size_t first = 0;
    std::size_t size() const { return events.size() - first; }
    // Drops those that ended at or before `before`, each told to `dropped`.
    template <class Dropped>
    void drop(Cycles before, Dropped dropped) {
      for (; first < events.size() && events[first].end <= before; ++first) dropped(events[first]);
      if (first >= 1024 && first * 2 >= events.size()) {  // the dropped half goes
        events.erase(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(first));
        first = 0;
      }
    }
    void clear() {
      events = {};
      first = 0;
    }
  };
  // Where the neighbourhood of the first replacement is: not kept, still
  // to come (events held), being written, or settled.
  enum class Neighbourhood : std::uint8_t { Off, Awaited, Open, Settled };

  std::string us(Cycles c) const;  // trace-event time: microseconds
  std::string span(Cycles start, Cycles end) const;  // "ts" and "dur" that never pass the next slice's "ts"
  static unsigned track(unsigned cpu) { return cpu + 1; }  // its thread id
  void event(const std::string& json);
  // Each part of [start, end) in a window (by index), in order.
  template <class Write>
  void in_windows(Cycles start, Cycles end, Write write) const;
  void write_dispatch(unsigned cpu, const Slice& slice, Cycles start, Cycles end);
  void write_ceased(unsigned cpu, Cycles start, Cycles end);
  void write_disagreement(const std::string& label, Cycles at);
  // An instant `label` (category `name`, `args` as `, "args": {...}` or "") on `track`.
  void track_instant(Track& track, const char* name, const std::string& label, Cycles at, const std::string& args);
  // The time before which held events are dropped: the pad before the latest.
  Cycles held_since() const { return m_horizon > m_pad ? m_horizon - m_pad : 0; }
  // Keeps a slice that reaches past the main window while the neighbourhood is awaited.
  void hold_slice(unsigned cpu, const Slice* slice, Cycles start, Cycles end);
  // The run-queue count set before the window, written at its start once
  // the run has reached it.
  void carry_runqueue_into_window();
  void write_runqueue(Cycles at, std::uint64_t runnable_waiting);

  OutputFile& m_file;
  std::ostream& m_out;
  Hertz m_clock;
  unsigned m_vmm_track;
  // The main window first, then the neighbourhood's if it is apart.
  std::vector<Window> m_windows;
  Cycles m_main_to;  // the main window's own end, before a neighbourhood extended it
  bool m_first = true;
  bool m_closed = false;
  Track m_shadow_track{1};
  Track m_controller_track{2};
  std::uint64_t m_last_runqueue = ~std::uint64_t{0};
  std::uint64_t m_runqueue_before = ~std::uint64_t{0};  // last count set before `from`
  Cycles m_pad;
  Neighbourhood m_neighbourhood;
  Cycles m_first_cease = 0;  // of the replacement whose neighbourhood is kept
  Cycles m_horizon = 0;      // the latest time told so far
  Held<HeldSlice> m_held_slices;
  Held<HeldCount> m_held_counts;
  Held<HeldDisagreement> m_held_disagreements;
  std::uint64_t m_runqueue_unheld = ~std::uint64_t{0};  // the count before the first held change
};

}  // namespace vmmsim::report
