#include "vmm/controller_windows.h"

#include <algorithm>

#include "report/fair_share.h"

namespace vmmsim::vmm {

MetricWindows::MetricWindows(const std::vector<Cycles>& lengths, const std::vector<Vm>& vms,
                             std::size_t vcpus, unsigned cpus)
    : m_vms(vms), m_cpus(cpus), m_open(lengths.size()) {
  for (Open& o : m_open) {
    o.input.resize(vms.size());
    o.wait.resize(vms.size());
    o.start.cpu.assign(vcpus, 0);
    o.start.waited.assign(vcpus, 0);
    o.start.misses.assign(vcpus, 0);
    o.start.jobs.assign(vcpus, 0);
  }
}

void MetricWindows::waited(std::size_t vm, Cycles wait) {
  for (Open& o : m_open) o.wait[vm].add(wait);
}

void MetricWindows::input_served(std::size_t vm, Cycles latency) {
  for (Open& o : m_open) o.input[vm].add(latency);
}

void MetricWindows::runqueue(Cycles at, std::uint64_t waiting) {
  for (Open& o : m_open) {
    o.runqueue_area +=
        static_cast<unsigned __int128>(m_runqueue) * (at - std::max(m_runqueue_since, o.from));
    o.runqueue_max = std::max(o.runqueue_max, waiting);
  }
  m_runqueue = waiting;
  m_runqueue_since = at;
}

void MetricWindows::begin(Open& o, Cycles now, const MetricCounters& counters) const {
  o.from = now;
  o.start = counters;
  for (Histogram& h : o.input) h = Histogram{};
  for (Histogram& h : o.wait) h = Histogram{};
  o.runqueue_area = 0;
  o.runqueue_max = m_runqueue;
}

controllers::Snapshot MetricWindows::close(std::size_t w, Cycles now, const MetricCounters& c,
                                           const std::vector<Vcpu>& vcpus,
                                           std::optional<double> last_downtime) {
  Open& o = m_open[w];
  controllers::Snapshot s;
  s.from = o.from;
  s.to = now;
  s.last_swap_downtime = last_downtime;
  const Cycles span = now - o.from;
  const double all = static_cast<double>(span) * m_cpus;  // pCPU cycles in the window
  o.runqueue_area +=
      static_cast<unsigned __int128>(m_runqueue) * (now - std::max(m_runqueue_since, o.from));
  s.runqueue_mean = span ? static_cast<double>(o.runqueue_area) / static_cast<double>(span) : 0.0;
  s.runqueue_max = o.runqueue_max;
  s.utilisation =
      all > 0 ? static_cast<double>((c.guest - o.start.guest) + (c.vmm - o.start.vmm)) / all : 0.0;
  // As the run's results (models/vm_results.cpp), over the window: each VM's
  // demand from its vCPUs' time in it, the fair shares of what the guests
  // could have had (guest + idle), water-filled by weight.
  const double capacity =
      all > 0 ? static_cast<double>((c.guest - o.start.guest) + (c.idle - o.start.idle)) / all
              : 0.0;
  std::vector<double> weights, demands(m_vms.size(), 0.0);
  std::vector<Cycles> cpu(m_vms.size(), 0);
  std::vector<std::uint64_t> misses(m_vms.size(), 0);
  std::vector<Histogram> waits = o.wait;  // those still open count to the window's end
  for (std::size_t i = 0; i < vcpus.size(); ++i) {
    const Vcpu& v = vcpus[i];
    report::VcpuTime t;
    t.cpu = c.cpu[i] - o.start.cpu[i];
    t.waited = c.waited[i] - o.start.waited[i];
    const Cycles begin = std::max(o.from, v.arrival());
    const Cycles end = v.finish ? std::min(*v.finish, now) : now;
    t.lifetime = end > begin ? end - begin : 0;
    t.ended = (v.finish && *v.finish <= now) || v.state == RunState::Halted;
    t.jobs = c.jobs[i] - o.start.jobs[i];
    t.period = v.program().job_period();
    t.waited = std::min(t.waited, t.lifetime);
    cpu[v.vm()] += t.cpu;
    misses[v.vm()] += c.misses[i] - o.start.misses[i];
    demands[v.vm()] += report::demand_cycles(t);
    if (v.state == RunState::Runnable || v.stalled())
      waits[v.vm()].add(now - (v.stalled() ? v.stalled_since() : v.wait_since));
  }
  for (std::size_t k = 0; k < m_vms.size(); ++k) {
    weights.push_back(m_vms[k].weight);
    demands[k] = all > 0 ? demands[k] / all : 0.0;
  }
  const std::vector<double> fair = report::water_fill(weights, demands, capacity);
  for (std::size_t k = 0; k < m_vms.size(); ++k) {
    controllers::VmWindow vm;
    vm.name = m_vms[k].name;
    vm.service = m_vms[k].service;
    vm.share = all > 0 ? static_cast<double>(cpu[k]) / all : 0.0;
    vm.fair = fair[k];
    if (vm.fair > 0) vm.fair_share_ratio = vm.share / vm.fair;
    if (o.input[k].count()) vm.input_p99 = static_cast<double>(o.input[k].percentile(99));
    if (waits[k].count()) vm.wait_p99 = static_cast<double>(waits[k].percentile(99));
    vm.deadline_misses = misses[k];
    s.vms.push_back(std::move(vm));
  }
  begin(o, now, c);
  return s;
}

}  // namespace vmmsim::vmm
