#include "models/vcpu.h"

#include <algorithm>

namespace vmmsim::models {

using workload::StepKind;

Vcpu::Vcpu(VcpuId id, unsigned vm, unsigned index, const workload::VcpuProgram& program)
    : m_id(id), m_vm(vm), m_index(index), m_program(&program) {
  load_step();
}

void Vcpu::load_step() {
  if (m_jobs_left > 0) return;  // the periodic jobs come first
  const auto& steps = m_program->steps;
  // Runs of zero length and loop markers take no time: pass them.
  while (m_run_left == 0 && m_pc < steps.size()) {
    const workload::Step& s = steps[m_pc];
    if (s.kind == StepKind::Run) {
      m_run_left = s.cycles;
      ++m_pc;
    } else if (s.kind == StepKind::LoopBegin) {
      m_loops.push_back(s.count);
      ++m_pc;
    } else if (s.kind == StepKind::LoopEnd) {
      std::uint64_t& left = m_loops.back();
      if (left != workload::kRepeatForever) --left;
      if (left > 0) {
        m_pc = steps[m_pc].jump + 1;
      } else {
        m_loops.pop_back();
        ++m_pc;
      }
    } else {
      return;  // an action: next_action() takes it
    }
  }
}

void Vcpu::execute(Cycles cycles) {
  cpu_cycles += cycles;
  Cycles from_stall = std::min(cycles, m_stall);
  m_stall -= from_stall;
  cycles -= from_stall;
  m_run_left -= std::min(cycles, m_run_left);
  if (m_run_left == 0) load_step();
}

void Vcpu::begin_jobs(Cycles release, Cycles period, Cycles work, std::uint64_t count, bool released) {
  m_jobs_left = count;
  m_period = period;
  m_job_work = work;
  m_release = release;
  m_job_running = false;
  if (released) release_job();
}

void Vcpu::release_job() {
  m_job_running = true;
  m_run_left += m_job_work;
}

void Vcpu::finish_job(Cycles now) {
  const Cycles deadline = m_release + m_period;
  ++jobs;
  if (now > deadline) ++deadline_misses;
  lateness.add(now > deadline ? now - deadline : 0);
  m_job_running = false;
  m_release = deadline;
  if (m_jobs_left != workload::kRepeatForever) --m_jobs_left;
  if (m_jobs_left == 0) load_step();  // on to the steps after `every`
}

Cycles Vcpu::end_stall(Cycles now) {
  if (!m_stalled_since) return 0;
  const Cycles stall = now - *m_stalled_since;
  m_stalled_since.reset();
  m_stall_total += stall;
  m_stall_max = std::max(m_stall_max, stall);
  return stall;
}

Cycles Vcpu::swap_stall_cycles(Cycles now) const {
  return m_stall_total + (m_stalled_since ? now - *m_stalled_since : 0);
}

Cycles Vcpu::swap_stall_max(Cycles now) const {
  return std::max(m_stall_max, m_stalled_since ? now - *m_stalled_since : 0);
}

void Vcpu::note_priority(std::int64_t p) {
  priority_min = priority_last ? std::min(priority_min, p) : p;
  priority_max = priority_last ? std::max(priority_max, p) : p;
  priority_last = p;
}

ProgramAction Vcpu::next_action(const workload::Step** step) {
  load_step();
  const auto& steps = m_program->steps;
  if (step) *step = nullptr;
  if (m_pc >= steps.size()) return ProgramAction{StepKind::Exit, 0, 0};
  const workload::Step& s = steps[m_pc];
  if (step) *step = &s;
  m_step_line = s.line;
  ++m_pc;
  ProgramAction a{s.kind, s.cycles, s.bytes, s.period, s.count};
  if (s.kind == StepKind::Exit) m_pc = steps.size();
  if (s.kind != StepKind::Periodic) load_step();  // the jobs run before what follows
  return a;
}

}  // namespace vmmsim::models
