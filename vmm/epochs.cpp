#include "vmm/epochs.h"

#include <utility>

namespace vmmsim::vmm {

report::EpochResult EpochLog::finished(const Epoch& e, Cycles end, const std::vector<Cycles>& vm_cpu,
                                       std::vector<Histogram> vm_waits) const {
  report::EpochResult r = e.result;
  r.to = end;
  const double capacity = static_cast<double>(end - r.from) * m_cpus;
  r.vms.resize(vm_cpu.size());
  for (std::size_t i = 0; i < vm_cpu.size(); ++i) {
    report::EpochVmResult& vm = r.vms[i];
    vm.cpu = vm_cpu[i] - e.cpu_at_start[i];
    vm.share = capacity > 0 ? static_cast<double>(vm.cpu) / capacity : 0.0;
    vm.wait = std::move(vm_waits[i]);
    vm.input_latency = e.input[i];
  }
  return r;
}

void EpochLog::begin(Cycles now, std::uint32_t slot, std::string scheduler, std::vector<Cycles> vm_cpu,
                     std::vector<Histogram> vm_waits) {
  if (m_started) m_done.push_back(finished(m_open, now, vm_cpu, std::move(vm_waits)));
  m_started = true;
  const std::size_t vms = vm_cpu.size();
  m_open = Epoch{};
  m_open.result.slot = slot;
  m_open.result.scheduler = std::move(scheduler);
  m_open.result.from = now;
  m_open.cpu_at_start = std::move(vm_cpu);
  m_open.input.resize(vms);
}

std::vector<report::EpochResult> EpochLog::results(Cycles now, const std::vector<Cycles>& vm_cpu,
                                                   std::vector<Histogram> vm_waits) const {
  std::vector<report::EpochResult> all = m_done;
  if (m_started) all.push_back(finished(m_open, now, vm_cpu, std::move(vm_waits)));
  return all;
}

}  // namespace vmmsim::vmm
