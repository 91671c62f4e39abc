#include "workload/program_cursor.h"

namespace vmmsim::workload {

ProgramCursor::ProgramCursor(const VcpuProgram& program, bool merge_endless)
    : m_program(&program), m_merge_endless(merge_endless) {
  load_step();
}

bool ProgramCursor::endless_loop(std::size_t begin) const {
  const auto& steps = m_program->steps;
  if (steps[begin].count != kRepeatForever) return false;
  bool computes = false;  // a run of its own takes time: the loop is no zero-time spin
  int depth = 0;
  for (std::size_t i = begin + 1; i < steps[begin].jump; ++i) {
    switch (steps[i].kind) {
      case StepKind::Run: computes = computes || (depth == 0 && steps[i].cycles > 0); break;
      case StepKind::LoopBegin: ++depth; break;
      case StepKind::LoopEnd: --depth; break;
      default: return false;  // an action
    }
  }
  return computes;
}

void ProgramCursor::load_step() {
  if (m_jobs_left > 0) return;  // the periodic jobs come first
  const auto& steps = m_program->steps;
  // The count once: from the vector's ends it is a division (a Step is 56 bytes).
  const std::size_t size = steps.size();
  // Runs of zero length and loop markers take no time: pass them.
  while (m_run_left == 0 && m_pc < size) {
    const Step& s = steps[m_pc];
    if (s.kind == StepKind::Run) {
      m_run_left = s.cycles;
      ++m_pc;
    } else if (s.kind == StepKind::LoopBegin) {
      if (m_merge_endless && endless_loop(m_pc)) {
        m_endless = true;  // it computes for ever from here
        return;
      }
      // A loop for ever keeps no count: nothing after its end is reached,
      // so its end jumps back without reading the vCPU's loop counts (a
      // line of the heap per iteration, on a platform of thousands of vCPUs).
      if (s.count != kRepeatForever) m_loops.push_back(s.count);
      ++m_pc;
    } else if (s.kind == StepKind::LoopEnd) {
      if (s.count == kRepeatForever) {
        m_pc = s.jump + 1;
        continue;
      }
      std::uint64_t& left = m_loops.back();
      if (--left > 0) {
        m_pc = s.jump + 1;
      } else {
        m_loops.pop_back();
        ++m_pc;
      }
    } else {
      return;  // an action: next_action() takes it
    }
  }
}

void ProgramCursor::begin_jobs(Cycles release, Cycles period, Cycles work, std::uint64_t count, bool released) {
  m_jobs_left = count;
  m_period = period;
  m_job_work = work;
  m_release = release;
  m_job_running = false;
  if (released) release_job();
}

void ProgramCursor::release_job() {
  m_job_running = true;
  m_run_left += m_job_work;
}

Cycles ProgramCursor::finish_job(Cycles now) {
  const Cycles deadline = m_release + m_period;
  m_job_running = false;
  m_release = deadline;
  if (m_jobs_left != kRepeatForever) --m_jobs_left;
  if (m_jobs_left == 0) load_step();  // on to the steps after `every`
  return now > deadline ? now - deadline : 0;
}

ProgramAction ProgramCursor::next_action(const Step** step) {
  // Loaded already: every change of the run left or the jobs loads the next step.
  const auto& steps = m_program->steps;
  if (step) *step = nullptr;
  if (m_pc >= steps.size()) return ProgramAction{StepKind::Exit, 0, 0};
  const Step& s = steps[m_pc];
  if (step) *step = &s;
  m_step_line = s.line;
  ++m_pc;
  ProgramAction a{s.kind, s.cycles, s.bytes, s.period, s.count};
  if (s.kind == StepKind::Exit) m_pc = steps.size();
  if (s.kind != StepKind::Periodic) load_step();  // the jobs run before what follows
  return a;
}

}  // namespace vmmsim::workload
