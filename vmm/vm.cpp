#include "vmm/vm.h"

#include "config/config.h"

namespace vmmsim::vmm {

std::vector<Vm> vms_of(const config::Config& config) {
  std::vector<Vm> vms;
  std::int32_t first = 0;
  for (const config::VmConfig& vc : config.vms) {
    Vm vm;
    vm.name = vc.name;
    vm.service = vc.service;
    vm.first_vcpu = first;
    vm.vcpu_count = vc.vcpus;
    vm.working_set = vc.working_set;
    auto w = vc.params.find("weight");
    if (w != vc.params.end()) vm.weight = static_cast<std::uint32_t>(w->second);
    first += static_cast<std::int32_t>(vc.vcpus);
    vms.push_back(std::move(vm));
  }
  return vms;
}

}  // namespace vmmsim::vmm
