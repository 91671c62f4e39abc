// Where one vCPU is in its trace program, and what the program asks for
// next: the semantics of the trace format (docs/trace-format.md) — run
// steps, `repeat` loops (forever or N times), `every` periodic jobs. The
// VMM drives it (vmm::Vcpu holds one): it tells the cursor the CPU cycles
// the guest computed and asks for the next action at each hypercall.
// Plain C++: no SystemC, no scheduling state, no statistics.
#pragma once

#include <cstdint>
#include <vector>

#include "base/units.h"
#include "workload/trace_program.h"

namespace vmmsim::workload {

// What the program asks for when its current CPU burst is done.
struct ProgramAction {
  StepKind kind = StepKind::Exit;  // never Run or a loop marker
  Cycles cycles = 0;
  Bytes bytes = 0;
  Cycles period = 0;        // Periodic
  std::uint64_t count = 0;  // Periodic: jobs
};

class ProgramCursor {
 public:
  // The program must outlive the cursor (the config holds it: VcpuProgram's
  // steps are shared by every vCPU that replays them).
  //
  // `merge_endless`: a `repeat forever` of runs only (no action in it, some
  // run time) is one endless burst, run_left() kForever from its start on.
  // No action ever follows it, so where the program is in that loop is never
  // seen again, and the boundaries of its runs need no event of the
  // simulator. Without it every run step is a burst (tests of the format).
  explicit ProgramCursor(const VcpuProgram& program, bool merge_endless = false);

  Cycles arrival() const { return m_program->arrival; }
  // CPU cycles the program computes before its next action.
  Cycles run_left() const { return m_endless ? kForever : m_run_left; }
  // The guest computed `cycles` of them (more is clamped: the burst is done).
  // With none left the next step is loaded already (an action, the jobs'
  // next release or the end): every change that empties the run loads it,
  // so a call then (a decision's exit after its burst end) does nothing.
  void run(Cycles cycles) {
    if (m_endless || m_run_left == 0) return;
    m_run_left -= cycles < m_run_left ? cycles : m_run_left;
    if (m_run_left == 0) load_step();
  }
  // In an endless burst (merge_endless).
  bool endless() const { return m_endless; }
  // The current burst is done: the action the program takes next (Exit once
  // it has ended). `step`, if given, receives the trace step of the action
  // (nullptr at the end). A console write or read that must wait is tracked
  // by the VMM, not by taking the action again.
  ProgramAction next_action(const Step** step = nullptr);
  // The trace line of the step it took last (0: none yet), for messages.
  std::uint32_t step_line() const { return m_step_line; }

  // Periodic jobs (`every`): one job's work at a time, released by the VMM
  // at each period start.
  bool jobs_active() const { return m_jobs_left > 0; }
  bool job_running() const { return m_job_running; }
  Cycles next_release() const { return m_release; }
  Cycles job_period() const { return m_period; }  // of the last `every` step begun; 0 none
  // Jobs of an `every` step; the first is released at `release` (now, or
  // later for a step continuing the previous one's period: see below).
  void begin_jobs(Cycles release, Cycles period, Cycles work, std::uint64_t count, bool released);
  // When an `every` step follows another of the same period, its first job
  // is released at the previous one's next release, not at once (0: none).
  Cycles continued_release(Cycles period) const { return m_period == period ? m_release : 0; }
  void release_job();
  // The running job's work is done at `now`: the next release is a period
  // later. Returns its lateness: now - deadline, 0 if it met its deadline.
  Cycles finish_job(Cycles now);

 private:
  void load_step();  // step to the next Run or action, through loop markers
  // The loop beginning at step `begin` repeats for ever and has no action.
  bool endless_loop(std::size_t begin) const;

  // What a burst and a step read, in 40 bytes (vmm/vcpu.h keeps them in
  // one cache line, from byte 152 of a Vcpu): a step of a loop for ever with
  // no counted loop open inside it reads nothing else of the cursor.
  Cycles m_run_left = 0;
  const VcpuProgram* m_program;
  std::size_t m_pc = 0;
  std::uint32_t m_step_line = 0;
  const bool m_merge_endless;
  bool m_endless = false;
  bool m_job_running = false;
  std::uint64_t m_jobs_left = 0;
  std::vector<std::uint64_t> m_loops;  // iterations left per open counted repeat
  Cycles m_release = 0;  // of the running job, or of the next one
  Cycles m_period = 0;
  Cycles m_job_work = 0;
};

}  // namespace vmmsim::workload
