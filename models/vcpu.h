// A guest vCPU: its trace program, where it is in it, and what happened to
// it (the per-vCPU statistics of the report). Plain C++.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"
#include "workload/trace_program.h"

namespace vmmsim::models {

using VcpuId = std::int32_t;

// What the program asks for when its current CPU burst is done.
struct ProgramAction {
  workload::StepKind kind = workload::StepKind::Exit;  // never Run or a loop marker
  Cycles cycles = 0;
  Bytes bytes = 0;
  Cycles period = 0;        // Periodic
  std::uint64_t count = 0;  // Periodic: jobs
};

// Halted: its VM faulted and the service VM took it off the run queues.
enum class RunState : std::uint8_t { NotArrived, Runnable, Running, Blocked, Exited, Halted };

class Vcpu {
 public:
  Vcpu(VcpuId id, unsigned vm, unsigned index, const workload::VcpuProgram& program);

  VcpuId id() const { return m_id; }
  unsigned vm() const { return m_vm; }
  unsigned index() const { return m_index; }
  Cycles arrival() const { return m_program->arrival; }

  // Guest cycles until the next hypercall: cache refill stall, then the rest
  // of the current run step(s).
  Cycles burst() const { return saturating_add(m_stall, m_run_left); }
  // The guest ran `cycles`: the stall is paid first, then program progress.
  void execute(Cycles cycles);
  // The current burst is done: the hypercall the program makes next (Exit
  // once the program has ended). A console write or read that must wait is
  // tracked by the VMM (console_left, read_wanted), not by re-running it.
  // `step`, if given, receives the trace step of the action (nullptr at the end).
  ProgramAction next_action(const workload::Step** step = nullptr);
  // The trace line of the step it took last (0: none yet), for messages.
  std::uint32_t step_line() const { return m_step_line; }
  // Cache refill after a switch or a migration, paid before progress.
  // Saturating: a huge working set at a low bandwidth stalls "for ever", it does not wrap.
  void add_stall(Cycles cycles) {
    m_stall = saturating_add(m_stall, cycles);
    m_refill = saturating_add(m_refill, cycles);
  }

  // Periodic jobs (`every`): one job's work at a time, released by the VMM
  // at each period start; finishing one records whether it met its deadline.
  bool jobs_active() const { return m_jobs_left > 0; }
  bool job_running() const { return m_job_running; }
  Cycles next_release() const { return m_release; }
  // Jobs of an `every` step; the first is released at `release` (now, or
  // later for a step continuing the previous one's period: see below).
  void begin_jobs(Cycles release, Cycles period, Cycles work, std::uint64_t count, bool released);
  // When an `every` step follows another of the same period, its first job
  // is released at the previous one's next release, not at once (0: none).
  Cycles continued_release(Cycles period) const { return m_period == period ? m_release : 0; }
  void release_job();
  // The running job's work is done at `now`: the next release is a period later.
  void finish_job(Cycles now);

  // Console writes in progress: bytes still to write of the current step.
  Bytes console_left() const { return m_console_left; }
  void set_console_left(Bytes b) { m_console_left = b; }

  // Scheduling state and statistics, kept by the VMM.
  RunState state = RunState::NotArrived;
  int last_cpu = -1;
  Cycles wait_since = 0;   // when it last became runnable and not running
  Cycles input_since = 0;  // keystroke time of input that woke it, or 0
  bool input_pending = false;
  Bytes read_wanted = 0;   // bytes a blocked `read` waits for
  Bytes console_requested = 0;  // bytes its console steps asked to write so far
  // Blocked on an io/sleep timer or on a control request: if woken early
  // (the service VM by a fault notification) it blocks again until then.
  bool timer_pending = false;
  bool control_pending = false;
  bool control_ok = true;  // the answer to its last sched-load/unload

  Cycles cpu_cycles = 0;   // guest cycles on a pCPU (refill included)
  Histogram wait;          // runnable-not-running intervals
  std::optional<Cycles> first_dispatch;
  std::optional<Cycles> finish;
  std::uint64_t dispatches = 0;
  std::uint64_t context_switches = 0;  // dispatched after another owner
  std::uint64_t migrations = 0;        // dispatched on another pCPU than last time
  Cycles refill_cycles() const { return m_refill; }
  std::uint64_t jobs = 0;             // periodic jobs finished
  std::uint64_t deadline_misses = 0;  // finished after the end of their period
  Histogram lateness;                 // per job: finish - deadline, 0 if on time

  // What a live replacement cost it (docs/replacement.md "What a swap costs
  // each guest"): a stall runs from its pCPU ceasing under it, or from its
  // wake being held while the VMM was offline, until it runs again.
  bool stalled() const { return m_stalled_since.has_value(); }
  std::size_t stalled_by() const { return m_stall_swap; }  // the replacement's ordinal
  Cycles stalled_since() const { return m_stalled_since.value_or(0); }
  void begin_stall(Cycles at, std::size_t swap) {
    m_stalled_since = at;
    m_stall_swap = swap;
  }
  // Closes the stall at `now`; returns its length.
  Cycles end_stall(Cycles now);
  // Stall cycles in total and the longest stall, an open one counted to `now`.
  Cycles swap_stall_cycles(Cycles now) const;
  Cycles swap_stall_max(Cycles now) const;

  // The priority the active scheduler gave it in feedback (VMM_PRIORITY_HELD
  // excluded): the last, the lowest and the highest.
  void note_priority(std::int64_t p);
  std::optional<std::int64_t> priority_last;
  std::int64_t priority_min = 0, priority_max = 0;

 private:
  void load_step();  // step to the next Run or action, through loop markers

  VcpuId m_id;
  unsigned m_vm;
  unsigned m_index;
  const workload::VcpuProgram* m_program;
  std::size_t m_pc = 0;
  std::uint32_t m_step_line = 0;
  std::vector<std::uint64_t> m_loops;  // iterations left per open repeat
  Cycles m_run_left = 0;
  Cycles m_stall = 0;
  Cycles m_refill = 0;
  Bytes m_console_left = 0;
  std::uint64_t m_jobs_left = 0;
  bool m_job_running = false;
  Cycles m_release = 0;  // of the running job, or of the next one
  Cycles m_period = 0;
  Cycles m_job_work = 0;
  std::optional<Cycles> m_stalled_since;
  std::size_t m_stall_swap = 0;
  Cycles m_stall_total = 0;  // closed stalls
  Cycles m_stall_max = 0;
};

}  // namespace vmmsim::models
