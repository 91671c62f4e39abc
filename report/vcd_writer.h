// --vcd: a Value Change Dump written by vmmsim itself, driven by changes.
// The models call VcdSignal::set() where a traced value changes; nothing
// polls signals at each time step (libsystemc's writer did: a changed() call
// per traced signal per time step and a stringstream per time stamp, 2.4-9.6x
// the run's cost). Within one cycle only the last value counts, as with
// sc_signal tracing; the body is byte-identical for the same inputs.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/output_file.h"
#include "base/units.h"

namespace vmmsim::report {

class VcdWriter;

// A signal's changes as its model computes them, one at a time, when the
// writer needs them (a virtual call: a std::function cost the PIT's edges
// 27 instructions each).
class VcdWaveform {
 public:
  // The first change after cycle `after`: its cycle and value (false: none).
  virtual bool next_change(Cycles after, Cycles* at, std::uint64_t* value) = 0;

 protected:
  ~VcdWaveform() = default;
};

// A traced value as a model holds it: a no-op until the platform binds it
// (tracing off costs one branch).
class VcdSignal {
 public:
  void set(std::uint64_t value, Cycles now);
  // A change at a later cycle `at` that the model has decided but will not
  // be woken for; withdraw() takes it back (before `at`). With `then_every`,
  // the value goes on counting down by one every `then_every` cycles to 0
  // (a FIFO draining at a fixed rate), until the next set or set_at.
  void set_at(std::uint64_t value, Cycles at, Cycles then_every = 0);
  void withdraw();
  // The changes after `from` computed by the model when the writer needs
  // them (a periodic output, the PIT's OUT): see VcdWaveform. Nothing runs
  // per change in the simulation. Replaced by the next set/set_at/waveform;
  // `waveform` must live until then (or until the writer is closed).
  void set_waveform(VcdWaveform& waveform, Cycles from);
  // Writes what is scheduled up to `now` (a waveform's model is about to change).
  void settle(Cycles now);
  // A $comment at cycle `now` (in the header before the first change): a
  // note that belongs with this signal's changes, e.g. which scheduler a slot holds.
  void comment(const std::string& text, Cycles now);
  // Names `value` in the viewer, in the translate filter of the signal's
  // legend (a slot's scheduler once it is loaded). Any time before close().
  void label(std::uint64_t value, const std::string& text);
  bool bound() const { return m_writer != nullptr; }

 private:
  friend class VcdWriter;
  VcdWriter* m_writer = nullptr;
  std::uint32_t m_index = 0;
};

class VcdWriter {
 public:
  // Writes to `file` (opened; its owner commits or discards it). Times are
  // cycles of a clock of `period_ps` picoseconds, written exactly in the
  // coarsest timescale (1 ns, 100/10/1 ps) that divides the period.
  VcdWriter(OutputFile& file, std::uint64_t period_ps);
  VcdWriter(const VcdWriter&) = delete;
  VcdWriter& operator=(const VcdWriter&) = delete;

  // Declares a signal (before the first change) in the dotted scope
  // `scope` ("cpu0", "vm.web"), `width` bits, and binds `signal` to it. Its
  // name in the file is leaf_name(scope, quantity), "vm_web_running": read
  // alone (a viewer's signal list, a collapsed scope) it still says whose it
  // is. `legend`: the names of its values (see label()), shared by the
  // signals of one kind ("owner" for every pCPU's owner); "" none.
  void declare(VcdSignal& signal, const std::string& scope, const std::string& quantity, unsigned width,
               std::uint64_t initial, const std::string& legend = "");
  // Names `value` of the signals of `legend` (a GTKWave translate filter
  // line). A value named twice with different texts keeps both ("a / b").
  void label(const std::string& legend, std::uint64_t value, const std::string& text);
  // Keeps every change written for `signal` (its history, for markers).
  void keep_history(const VcdSignal& signal) { m_signals[signal.m_index].keeps_history = true; }
  // Marks `signal` as a bit field (a viewer shows it in binary, not as a number).
  void bit_field(const VcdSignal& signal) { m_details[signal.m_index].bit_field = true; }
  // Out of line: inlined, it would grow every model's hot path that traces
  // (their untraced runs paid for the registers it takes).
  void change(std::uint32_t index, std::uint64_t value, Cycles now);
  void schedule(std::uint32_t index, std::uint64_t value, Cycles at, Cycles then_every);
  void withdraw(std::uint32_t index) {
    Signal& s = m_signals[index];
    if (s.scheduled_at != kForever) unschedule(s, index);
  }
  void label_signal(std::uint32_t index, std::uint64_t value, const std::string& text);
  void waveform(std::uint32_t index, VcdWaveform& waveform, Cycles from);
  void settle(Cycles now) { advance(now); }
  // A $comment: in the header if nothing is written yet, else after the
  // values of cycle `now`.
  void comment(const std::string& text, Cycles now);
  // Writes the last cycle's changes and a closing time stamp at `end`.
  // `end_served`: the run served the events due at `end` (it stopped there);
  // else changes scheduled at `end` are left out, as a run cut at a
  // window's end leaves that cycle's events to a next window.
  void close(Cycles end, bool end_served = true);
  // Bytes gathered before each write to the file (a test crosses them).
  static constexpr std::size_t write_out_bytes() { return kBufferBytes; }
  // A write has failed (OutputFile::finish() names the cause): the rest is dropped.
  bool failed() const { return m_file.failed(); }

  // What a viewer's save file needs to know of the file (report/gtkwave_files.h).
  struct Legend {
    std::string name;
    std::vector<std::pair<std::uint64_t, std::string>> labels;  // in order of first naming
  };
  struct Declared {
    std::string scope, name;  // name: the leaf in the file
    unsigned width;
    std::string legend;
    bool bit_field;
    std::vector<std::pair<Cycles, std::uint64_t>> history;  // written changes, if kept
  };
  std::vector<Declared> declared() const;
  const std::vector<Legend>& legends() const { return m_legends; }
  // A cycle in the time unit a viewer shows the file in: the timescale's
  // unit (ns or ps), not its multiple.
  std::uint64_t viewer_time(Cycles at) const { return at * m_viewer_units_per_cycle; }
  const std::string& timescale() const { return m_timescale; }

 private:
  static constexpr std::uint32_t kNoLegend = ~std::uint32_t{0};
  // A signal's state in two parts: what a change touches, in one cache line
  // of its own, and what the header, the labels and the viewer's files need.
  struct alignas(64) Signal {
    std::uint64_t value;    // the latest set()
    std::uint64_t written;  // the value in the file
    std::uint64_t mask;     // of the width's bits
    Cycles scheduled_at = kForever;  // a change set_at() a later cycle
    std::uint64_t scheduled_value = 0;
    Cycles count_down_every = 0;  // then one less every so many cycles
    char code_line[8] = {};       // code + '\n', copied whole (a code has at most 6 letters)
    std::uint8_t code_line_length = 0;
    bool single_bit = false;  // written as 0/1, not as a binary vector
    bool dirty = false;
    bool keeps_history = false;
    bool has_waveform = false;  // its Details::waveform computes its changes
  };
  struct Details {
    std::string scope, name, code;
    unsigned width;
    std::uint32_t legend = kNoLegend;
    bool bit_field = false;
    VcdWaveform* waveform = nullptr;  // computes its changes, while has_waveform
    std::vector<std::pair<Cycles, std::uint64_t>> history;
  };
  void record(const Signal& s, std::uint32_t index, Cycles at) {
    if (s.keeps_history) m_details[index].history.emplace_back(at, s.value);
  }
  // The traced run's calls come in a fast path that calls nothing (no
  // registers to save) and the rest, kept out of line (inlined, its
  // registers were saved on the fast path too: 14 instructions per call).
  [[gnu::noinline]] void change_slowly(Signal& s, std::uint32_t index, std::uint64_t value, Cycles now);
  [[gnu::noinline]] void schedule_slowly(Signal& s, std::uint32_t index, std::uint64_t value, Cycles at,
                                         Cycles then_every);
  void enqueue(Signal& s, std::uint32_t index, std::uint64_t value, Cycles at, Cycles then_every);
  void unschedule(Signal& s, std::uint32_t index);  // takes back its scheduled change
  // One was taken out of the queue: the next cycle again, and an empty
  // queue back at its start (all the room at the back).
  void taken_out() {
    if (m_scheduled_begin != m_scheduled_end) {
      m_next_scheduled = m_scheduled[m_scheduled_begin].at;
    } else {
      m_scheduled_begin = m_scheduled_end = 0;
      m_next_scheduled = kForever;
    }
  }
  void drop_waveform(Signal& s, std::uint32_t index) {
    if (!s.has_waveform) return;
    s.has_waveform = false;
    m_details[index].waveform = nullptr;
  }
  void advance(Cycles now);  // to cycle `now`: earlier cycles are written
  void apply_scheduled(Cycles upto);
  void write_alone(Signal& s, std::uint32_t index, std::uint64_t value);
  void set_value(Signal& s, std::uint32_t index, std::uint64_t value) {
    if (!s.dirty) {
      s.dirty = true;
      m_dirty[m_dirty_count++] = index;
    }
    s.value = value;
  }
  void write_header();
  // Most cycles written hold nothing more (a change written alone): no call.
  void flush_step() {
    if (m_dirty_count != 0 || !m_comments.empty() || !m_started) write_step();
  }
  void write_step();
  void start();  // the header and the initial dump, at the first flush
  void write_comments();
  // A value line or a time stamp at `out`, kLineBytes of room; the end.
  static char* write_value(char* out, const Signal& s);
  char* write_stamp(char* out, Cycles at);
  void time_stamp(Cycles at);
  void reserve(std::size_t bytes);  // room for `bytes` more at m_used
  void text(const std::string& s);
  char* room();  // where the next line goes, at least kLineBytes free
  void spill();

  // Written out a MiB at a time: the kernel's part of a traced run (the
  // page cache's per-write work) is a fifth to two fifths less than with
  // 64 KiB writes (docs/performance/eighth-round.md).
  static constexpr std::size_t kBufferBytes = std::size_t{1} << 20;
  static constexpr std::size_t kLineBytes = 96;  // the longest value line: b + 64 bits + code

  OutputFile& m_file;
  bool m_closed = false;
  std::uint64_t m_units_per_cycle;
  std::uint64_t m_viewer_units_per_cycle;
  std::string m_timescale;
  std::vector<Legend> m_legends;
  std::vector<Signal> m_signals;
  std::vector<Details> m_details;  // by the same index
  // Changed in the current cycle, in order of first change: the first
  // m_dirty_count (room for every signal, so no push checks its capacity).
  std::vector<std::uint32_t> m_dirty;
  std::uint32_t m_dirty_count = 0;
  std::string m_header_comments;       // $comment lines for the header
  std::vector<std::string> m_comments;  // for the current cycle, after its values
  // Scheduled changes, at most one per signal, the earliest (cycle, then
  // signal) first, taken off the front. A new one goes in from the back,
  // where the latest are. Most are a VM entry a few microseconds ahead,
  // and a tick reschedules every pCPU at one cycle in index order, so each
  // of its entries is the latest: it moves past none, or past one far
  // change (a PIT edge). With the earliest last, as before the seventeenth
  // round, each moved past some 110 others on huge/credit
  // (docs/performance/seventeenth-round.md); a binary heap would sift
  // through all of them twice per change. A withdrawn one is taken out.
  // [m_scheduled_begin, m_scheduled_end), in room for twice the signals:
  // the front's room is taken back when the back is full.
  struct Scheduled {
    Cycles at;
    std::uint32_t index;
    bool before(const Scheduled& o) const { return at != o.at ? at < o.at : index < o.index; }
  };
  std::vector<Scheduled> m_scheduled;
  std::uint32_t m_scheduled_begin = 0, m_scheduled_end = 0;
  Cycles m_next_scheduled = kForever;  // the first one's cycle, kForever if none
  // Time stamps: the digits above the low 8 change seldom (every 0.1 s at
  // 1 GHz) and are kept with the stamp they begin at, so a stamp formats
  // only 8 digits, of a subtraction (stamps never decrease).
  struct Stamp {
    char* write(char* out, std::uint64_t v);  // v in decimal, 20 bytes of room
    void rebase(std::uint64_t v);              // to the high digits of v
    std::uint64_t m_base = 0;                  // the high digits' value times 10^8
    char m_high_digits[20] = {};
    unsigned m_high_length = 0;  // 0: below 10^8, no high digits
  };
  Stamp m_stamp;
  Cycles m_step = 0;                   // the cycle m_dirty belongs to
  bool m_started = false;              // header and $dumpvars written
  std::vector<char> m_buffer;  // kBufferBytes, written out when full
  std::size_t m_used = 0;
};

inline void VcdSignal::set(std::uint64_t value, Cycles now) {
  if (m_writer) m_writer->change(m_index, value, now);
}
inline void VcdSignal::set_at(std::uint64_t value, Cycles at, Cycles then_every) {
  if (m_writer) m_writer->schedule(m_index, value, at, then_every);
}
inline void VcdSignal::withdraw() {
  if (m_writer) m_writer->withdraw(m_index);
}
inline void VcdSignal::settle(Cycles now) {
  if (m_writer) m_writer->settle(now);
}
inline void VcdSignal::set_waveform(VcdWaveform& waveform, Cycles from) {
  if (m_writer) m_writer->waveform(m_index, waveform, from);
}
inline void VcdSignal::comment(const std::string& text, Cycles now) {
  if (m_writer) m_writer->comment(text, now);
}
inline void VcdSignal::label(std::uint64_t value, const std::string& text) {
  if (m_writer) m_writer->label_signal(m_index, value, text);
}

// The name of a signal in the file: its scope's parts and its quantity
// joined by '_' ("cpu0_owner", "vm_web_running"). No '.': GTKWave's VCD
// and FST loaders split such names differently.
std::string leaf_name(const std::string& scope, const std::string& quantity);

}  // namespace vmmsim::report
