#include "models/vm_results.h"

#include <algorithm>

namespace vmmsim::models {
namespace {

// Where the vCPU's time went, for its demand (report::demand_cycles).
report::VcpuTime time_of(const vmm::Vcpu& v, const report::VcpuResult& result,
                         const report::Results& r) {
  report::VcpuTime t;
  t.cpu = v.cpu_cycles;
  t.waited = result.wait.sum();  // an open swap stall is in it already
  if (v.state == vmm::RunState::Runnable && !v.stalled()) t.waited += r.elapsed - v.wait_since;
  Cycles end = r.elapsed;
  if (v.finish) {
    end = *v.finish, t.ended = true;
  } else if (v.state == vmm::RunState::Halted) {
    t.ended = true;
    for (const report::FaultResult& f : r.faults)
      if (f.vm == result.vm) end = std::min(end, f.halted_at);
  }
  t.lifetime = end > v.arrival() ? end - v.arrival() : 0;
  t.jobs = v.jobs;
  t.period = v.program().job_period();
  t.waited = std::min(t.waited, t.lifetime);
  return t;
}

}  // namespace

void add_vm_results(report::Results& r, const vmm::Vmm& vmm) {
  const std::vector<vmm::Vm>& vms = vmm.vms();
  const std::vector<vmm::Vcpu>& vcpus = vmm.vcpus();
  const double all = static_cast<double>(r.elapsed) * r.cpus;  // pCPU cycles in the run
  // The fair shares divide what the guests could have had: every pCPU cycle
  // but those the VMM spent and those ceased for a replacement.
  Cycles available = 0;
  for (const report::PcpuResult& p : r.pcpus) available += p.guest + p.idle;
  r.fair_capacity = all > 0 ? static_cast<double>(available) / all : 0.0;

  std::vector<std::uint32_t> weights;
  std::vector<unsigned> vcpu_counts;
  std::vector<double> fill_weights, demands;
  for (const vmm::Vm& vm : vms) {
    report::VmResult out;
    out.name = vm.name;
    out.service = vm.service;
    out.vcpus = vm.vcpu_count;
    out.weight = vm.weight;
    double demand = 0;
    for (unsigned k = 0; k < vm.vcpu_count; ++k) {
      const std::size_t id = static_cast<std::size_t>(vm.first_vcpu) + k;
      const report::VcpuResult& v = r.vcpus[id];
      out.cpu += v.cpu;
      out.wait.merge(v.wait);
      out.swap_stall += v.swap_stall;
      out.swap_stall_max = std::max(out.swap_stall_max, v.swap_stall_max);
      out.deadline_misses += v.deadline_misses;
      demand += report::demand_cycles(time_of(vcpus[id], v, r));
    }
    out.share = all > 0 ? static_cast<double>(out.cpu) / all : 0.0;
    out.demand = all > 0 ? demand / all : 0.0;
    out.input_latency = vm.input_latency;
    weights.push_back(vm.weight), vcpu_counts.push_back(vm.vcpu_count);
    fill_weights.push_back(vm.weight), demands.push_back(out.demand);
    r.vms.push_back(std::move(out));
  }
  const std::vector<double> entitled = report::entitled_shares(weights, vcpu_counts, r.cpus);
  const std::vector<double> fair = report::water_fill(fill_weights, demands, r.fair_capacity);
  std::vector<double> of_entitled, of_fair;  // guest VMs' share / each
  for (std::size_t i = 0; i < r.vms.size(); ++i) {
    report::VmResult& vm = r.vms[i];
    vm.entitled = entitled[i];
    vm.fair = fair[i];
    if (vm.service) continue;
    if (vm.entitled > 0) of_entitled.push_back(vm.share / vm.entitled);
    if (vm.fair > 0) of_fair.push_back(vm.share / vm.fair);
  }
  r.jain_entitled = report::jain_index(of_entitled);
  r.jain_fairness = report::jain_index(of_fair);
}

}  // namespace vmmsim::models
