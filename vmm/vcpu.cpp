#include "vmm/vcpu.h"

#include <algorithm>

#include "config/config.h"

namespace vmmsim::vmm {

std::vector<Vcpu> vcpus_of(const config::Config& config) {
  // vCPU ids follow the VMs' declaration order, then each VM's vCPU index.
  std::vector<Vcpu> vcpus;
  for (std::size_t vm = 0; vm < config.vms.size(); ++vm) {
    const config::VmConfig& vc = config.vms[vm];
    for (unsigned i = 0; i < vc.vcpus; ++i)
      vcpus.emplace_back(static_cast<VcpuId>(vcpus.size()), static_cast<unsigned>(vm), i, vc.program_of(i));
  }
  return vcpus;
}

Cycles Vcpu::end_stall(Cycles now) {
  if (!m_stalled) return 0;
  const Cycles stall = now - m_stalled_since;
  m_stalled = false;
  m_stall_total += stall;
  m_stall_max = std::max(m_stall_max, stall);
  return stall;
}

Cycles Vcpu::swap_stall_cycles(Cycles now) const {
  return m_stall_total + (m_stalled ? now - m_stalled_since : 0);
}

Cycles Vcpu::swap_stall_max(Cycles now) const {
  return std::max(m_stall_max, m_stalled ? now - m_stalled_since : 0);
}

}  // namespace vmmsim::vmm
