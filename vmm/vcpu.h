// What the VMM keeps per guest vCPU: where the guest is in its trace program
// (workload::ProgramCursor), the cache refill it owes, its run state and the
// hypercall in progress, and what happened to it (the per-vCPU statistics of
// the report, which models::Platform builds from it; its waits are in
// vmm::VcpuWaits). Plain C++.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"
#include "vmm/request.h"
#include "workload/program_cursor.h"

namespace vmmsim::config {
struct Config;
}

namespace vmmsim::vmm {

// Halted: its VM faulted and the service VM took it off the run queues.
enum class RunState : std::uint8_t { NotArrived, Runnable, Running, Blocked, Exited, Halted };

class Vcpu {
 public:
  // A guest that computes for ever (a `repeat forever` of runs only) is one
  // endless burst (the program cursor's merge_endless): nothing the VMM does
  // depends on where it is in that loop.
  Vcpu(VcpuId id, unsigned vm, unsigned index, const workload::VcpuProgram& program)
      : m_id(id), m_vm(vm), m_program(program, true), m_index(index) {}

  VcpuId id() const { return m_id; }
  unsigned vm() const { return m_vm; }
  unsigned index() const { return m_index; }
  Cycles arrival() const { return m_program.arrival(); }

  // The guest's side: its program, stepped by the VMM's hypercall handlers.
  workload::ProgramCursor& program() { return m_program; }
  const workload::ProgramCursor& program() const { return m_program; }
  // Guest cycles until the next hypercall: cache refill stall, an
  // interrupt handler's work, then the rest of the current run step(s).
  Cycles burst() const { return saturating_add(handler_burst(), m_program.run_left()); }
  // The guest ran `cycles`: the stall is paid first, then the handler's
  // work, then program progress.
  void execute(Cycles cycles) {
    cpu_cycles += cycles;
    const Cycles from_stall = cycles < m_stall ? cycles : m_stall;
    m_stall -= from_stall;
    cycles -= from_stall;
    const Cycles from_handler = cycles < m_handler ? cycles : m_handler;
    m_handler -= from_handler;
    m_program.run(cycles - from_handler);
  }
  // Work of an interrupt handler in the guest (the service VM's controller,
  // docs/controller.md), run before its program goes on.
  void add_handler_work(Cycles cycles) { m_handler = saturating_add(m_handler, cycles); }
  Cycles handler_left() const { return m_handler; }
  // Guest cycles until the handler's work is done (the stall first).
  Cycles handler_burst() const { return saturating_add(m_stall, m_handler); }
  // Cache refill after a switch or a migration, paid before progress.
  // Saturating: a huge working set at a low bandwidth stalls "for ever", it does not wrap.
  void add_stall(Cycles cycles) {
    m_stall = saturating_add(m_stall, cycles);
    m_refill = saturating_add(m_refill, cycles);
  }
  Cycles refill_cycles() const { return m_refill; }

  // Console writes in progress: bytes still to write of the current step.
  Bytes console_left() const { return m_console_left; }
  void set_console_left(Bytes b) { m_console_left = b; }

  // A periodic job's work is done at `now`: counted, with its lateness.
  void finish_job(Cycles now) {
    const Cycles late = m_program.finish_job(now);
    ++jobs;
    if (late > 0) ++deadline_misses;
    lateness.add(late);
  }

  // What a live replacement cost it (docs/replacement.md "What a swap costs
  // each guest"): a stall runs from its pCPU ceasing under it, or from its
  // wake being held while the VMM was offline, until it runs again.
  bool stalled() const { return m_stalled; }
  std::size_t stalled_by() const { return m_stall_swap; }  // the replacement's ordinal
  Cycles stalled_since() const { return m_stalled ? m_stalled_since : 0; }
  void begin_stall(Cycles at, std::size_t swap) {
    m_stalled = true;
    m_stalled_since = at;
    m_stall_swap = swap;
  }
  // Closes the stall at `now`; returns its length.
  Cycles end_stall(Cycles now);
  // Stall cycles in total and the longest stall, an open one counted to `now`.
  Cycles swap_stall_cycles(Cycles now) const;
  Cycles swap_stall_max(Cycles now) const;

  // The priority the active scheduler gave it in feedback (VMM_PRIORITY_HELD
  // excluded): the last, the lowest and the highest. The bounds start empty
  // (min above max), so a note needs no test of whether one came before.
  // Branches, not conditional moves: a new bound is rare, and a bound
  // unchanged is then not stored again.
  void note_priority(std::int64_t p) {  // on every request: inline
    if (p < priority_min) priority_min = p;
    if (p > priority_max) priority_max = p;
    priority_last = p;
  }
  void forget_priorities() {  // a new scheduler: a scale of its own
    priority_last.reset();
    priority_min = kNoPriorityMin;
    priority_max = kNoPriorityMax;
  }

  // The data, by cache line (the class is aligned to one through its
  // lateness histogram): a platform of thousands of vCPUs reads each vCPU seldom
  // enough that it is out of cache, and a dispatch or a burst then pays a
  // miss per line it touches. Line 1: what a timer's or an I/O's wake reads
  // and writes (its state, the feedback's priority); line 2: a burst's work
  // (a console wake reads its read_wanted) and a dispatch's counts; line 3:
  // the rest of a dispatch and where the program is (its cursor's hot
  // fields); line 4 the cursor's others, then from byte 240 what is seldom
  // touched. Its waits are in vmm::VcpuWaits.
 private:
  VcpuId m_id;
  unsigned m_vm;

 public:
  int last_cpu = -1;
  // Scheduling state.
  RunState state = RunState::NotArrived;
  bool input_pending = false;
  bool read_handed = false;  // the VMM handed it those bytes when it woke it
  // In its VM's readers, once: woken early (the service VM by an interrupt)
  // it keeps its place and goes back to its read.
  bool read_queued = false;
  // Among the blocked writers: a write finished while woken early is not
  // woken for again, and a writer is queued once.
  bool write_queued = false;
  // Blocked on an io/sleep timer or on a control request: if woken early
  // (the service VM by a fault notification) it blocks again until then.
  bool timer_pending = false;
  bool control_pending = false;
  bool control_ok = true;  // the answer to its last sched-load/unload

 private:
  bool m_stalled = false;  // since m_stalled_since

 public:
  Cycles wait_since = 0;  // when it last became runnable and not running
  // Statistics: the feedback's priorities (every request).
  std::optional<std::int64_t> priority_last;
  static constexpr std::int64_t kNoPriorityMin = std::numeric_limits<std::int64_t>::max();  // empty bounds
  static constexpr std::int64_t kNoPriorityMax = std::numeric_limits<std::int64_t>::min();
  std::int64_t priority_min = kNoPriorityMin, priority_max = kNoPriorityMax;

 private:
  Cycles m_stall = 0;
  Cycles m_handler = 0;
  Bytes m_console_left = 0;

 public:
  Bytes read_wanted = 0;  // bytes a blocked `read` waits for

  // Statistics of bursts and dispatches.
  Cycles cpu_cycles = 0;  // guest cycles on a pCPU (refill included)
  std::uint64_t dispatches = 0;
  std::uint64_t context_switches = 0;  // dispatched after another owner
  std::uint64_t migrations = 0;        // dispatched on another pCPU than last time
  std::optional<Cycles> first_dispatch;

 private:
  Cycles m_refill = 0;
  workload::ProgramCursor m_program;

 public:
  // Seldom touched.
  Cycles input_since = 0;  // keystroke time of input that woke it, or 0
  Bytes console_requested = 0;  // bytes its console steps asked to write so far
  std::optional<Cycles> finish;
  std::uint64_t jobs = 0;             // periodic jobs finished
  std::uint64_t deadline_misses = 0;  // finished after the end of their period
  Histogram lateness;                 // per job: finish - deadline, 0 if on time

 private:
  unsigned m_index;
  Cycles m_stalled_since = 0;
  std::size_t m_stall_swap = 0;
  Cycles m_stall_total = 0;  // closed stalls
  Cycles m_stall_max = 0;
};

// The guests' vCPUs of `config`, with their ids: the VMs in declaration
// order, then each VM's vCPUs by index.
std::vector<Vcpu> vcpus_of(const config::Config& config);

}  // namespace vmmsim::vmm
