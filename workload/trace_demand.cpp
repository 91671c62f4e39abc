#include "workload/trace_demand.h"

#include <algorithm>
#include <utility>

namespace vmmsim::workload {
namespace {

// One vCPU replayed alone: its run steps as [start, end) intervals (while
// the budget lasts) and its end time.
class SoloReplay {
 public:
  SoloReplay(std::vector<std::pair<Cycles, int>>* edges, std::size_t* budget) : m_edges(edges), m_budget(budget) {}

  // The end of the program, kForever if it never ends.
  Cycles replay(const VcpuProgram& p) {
    m_now = p.arrival;
    if (!steps(p.steps, 0, p.steps.size())) return kForever;
    return m_now;
  }
  bool has_run() const { return m_has_run; }

 private:
  // Steps [from, to) once; false if they never end.
  bool steps(const std::vector<Step>& s, std::size_t from, std::size_t to) {
    for (std::size_t i = from; i < to; ++i) {
      const Step& step = s[i];
      switch (step.kind) {
        case StepKind::Run:
          if (step.cycles > 0) run(step.cycles);
          break;
        case StepKind::Io:
        case StepKind::Sleep:
          m_now = saturating_add(m_now, step.cycles);
          break;
        case StepKind::Periodic:
          if (step.count == kRepeatForever) return false;
          for (std::uint64_t j = 0; j < step.count; ++j) {
            const Cycles release = m_now;
            run(step.cycles);
            m_now = std::max(m_now, saturating_add(release, step.period));
          }
          break;
        case StepKind::LoopBegin: {
          const std::size_t end = step.jump;
          if (step.count == kRepeatForever) return false;
          for (std::uint64_t j = 0; j < step.count; ++j)
            if (!steps(s, i + 1, end)) return false;
          i = end;
          break;
        }
        case StepKind::Exit:
          return true;
        default:  // console, read, yield, control steps: no time of their own here
          break;
      }
    }
    return true;
  }
  void run(Cycles cycles) {
    m_has_run = true;
    const Cycles end = saturating_add(m_now, cycles);
    if (*m_budget > 0) {
      --*m_budget;
      m_edges->emplace_back(m_now, +1);
      m_edges->emplace_back(end, -1);
    }
    m_now = end;
  }

  std::vector<std::pair<Cycles, int>>* m_edges;
  std::size_t* m_budget;
  Cycles m_now = 0;
  bool m_has_run = false;
};

}  // namespace

TraceDemand demand_of(const std::vector<const TraceProgram*>& traces, std::size_t max_steps) {
  TraceDemand d;
  std::vector<std::pair<Cycles, int>> edges;
  std::size_t budget = max_steps;
  unsigned with_work = 0;
  for (const TraceProgram* t : traces)
    for (const VcpuProgram& p : t->vcpus) {
      SoloReplay solo(&edges, &budget);
      d.span = std::max(d.span, solo.replay(p));
      if (solo.has_run()) ++with_work;
    }
  if (budget == 0) {
    d.peak_vcpus = with_work;
    d.peak_estimated = true;
    return d;
  }
  // An end and a start at one time: the end first (the pCPU is free again).
  std::sort(edges.begin(), edges.end());
  int running = 0;
  for (const auto& [at, change] : edges) {
    running += change;
    d.peak_vcpus = std::max(d.peak_vcpus, static_cast<unsigned>(std::max(running, 0)));
  }
  return d;
}

}  // namespace vmmsim::workload
