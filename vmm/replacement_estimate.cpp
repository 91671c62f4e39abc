// What a request would cost the guests if it were served now
// (docs/controller.md "Estimated downtime"): the loader's own plan, priced
// with the sequence's costs (docs/replacement.md "The sequence"). The
// controller's downtime budget judges a switch by it. Part of vmm::Replacement.
#include <algorithm>

#include "vmm/replacement.h"
#include "vmm/vmm.h"

namespace vmmsim::vmm {

Cycles Replacement::estimate_downtime(const ControlOp& op) {
  Plan p;
  std::string why;
  if (!plan(op, &p, &why) || !p.sequence)
    return 0;  // refused at planning, or no sequence: no downtime
  // cease: a running guest's VM exit, or for a request made in a hypercall
  // (the service VM's, the controller's) the requester's own exit, the
  // hypercall and the VM entry it has begun; drain: the console's lines go
  // on while the processors cease, so from the cease's end until they are
  // idle; unload and evictions; the load unless the image is loaded
  // already; migrate; activate.
  const config::CostConfig& k = m_config.vmm.costs;
  const bool in_hypercall = op.service_vcpu != kNone || op.work_cpu >= 0;
  Cycles cycles =
      in_hypercall
          ? std::max(k.vm_exit, saturating_add(saturating_add(k.vm_exit, k.hypercall), k.vm_entry))
          : k.vm_exit;
  const Cycles ceased = saturating_add(m_clock.now(), cycles);
  cycles = saturating_add(cycles, m_console.idle_at(ceased) - ceased);
  const std::uint64_t unloads = (p.unload_old ? 1 : 0) + p.evict.size();
  cycles = saturating_add(cycles, saturating_mul(m_config.vmm.unload, unloads));
  if (p.load_target) cycles = saturating_add(cycles, p.load_cycles);
  cycles = saturating_add(cycles, saturating_mul(m_config.vmm.migrate, m_vmm.migratable_vcpus()));
  return saturating_add(cycles, m_manager.activation_cycles());
}

}  // namespace vmmsim::vmm
