#include "models/vcd_observer.h"

namespace vmmsim::models {

VcdObserver::VcdObserver(report::VcdWriter& vcd, const std::vector<vmm::Vm>& vms)
    : vmm::Observer(false, vmm::overridden_hooks<VcdObserver>()), m_running(vms.size()) {
  for (std::size_t i = 0; i < vms.size(); ++i)
    vcd.declare(m_running[i], "vm." + vms[i].name, "running", 1, 0);  // leaf vm_NAME_running
}

}  // namespace vmmsim::models
