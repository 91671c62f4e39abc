// The VMM's side of a live replacement (docs/replacement.md): going offline
// while the processors are ceased, inserting every live vCPU with its run
// state into the new scheduler, and coming back online with the wakes held
// meanwhile. Part of vmm::Vmm.
#include <fmt/format.h>

#include "vmm/vmm.h"

namespace vmmsim::vmm {


void Vmm::go_offline(Cycles ceased_at) {
  count_elided_ticks(m_clock.now());  // the edges so far came while online
  m_offline = true;
  m_swaps.push_back(SwapCost{ceased_at});
  if (m_observers.wants(kWentOffline)) m_observers.went_offline(ceased_at);
  // Each owner parked on its processor stalls from its pCPU ceasing (or its
  // dispatch, if that came later, in the cease phase); its slice ends there.
  for (unsigned c = 0; c < m_dispatch.size(); ++c) {
    Dispatch& d = m_dispatch[c];
    if (d.owner == kNone) continue;
    const Cycles at = std::max(ceased_at, d.since);
    if (m_observers.wants(kParked)) m_observers.parked(c, at);
    Vcpu& v = m_vcpus[static_cast<std::size_t>(d.owner)];
    if (v.state == RunState::Running) begin_stall(v, at);
  }
}

unsigned Vmm::migratable_vcpus() const {
  return static_cast<unsigned>(std::count_if(m_vcpus.begin(), m_vcpus.end(), [](const Vcpu& v) {
    return v.state != RunState::Exited && v.state != RunState::Halted;
  }));
}

std::string Vmm::migrate_into(std::uint32_t slot, unsigned* migrated) {
  SchedulerSlot& target = m_manager.slot(slot);
  const Cycles now = m_clock.now();
  // [0027]: the switch devices keep their state: each parked owner is
  // inserted as running on its pCPU.
  std::vector<std::int32_t> parked_on(m_vcpus.size(), VMM_NO_CPU);
  for (std::size_t c = 0; c < m_dispatch.size(); ++c)
    if (m_dispatch[c].owner != kNone) parked_on[static_cast<std::size_t>(m_dispatch[c].owner)] = static_cast<std::int32_t>(c);
  unsigned count = 0;
  for (const Vcpu& v : m_vcpus) {
    if (v.state == RunState::Exited || v.state == RunState::Halted) continue;
    const auto& params = m_vm_params[v.vm()];
    // Parked owners are runnable, on their pCPUs.
    bool runnable = v.state == RunState::Runnable || v.state == RunState::Running;
    const std::vector<std::uint8_t>& affinity = m_config.vms[v.vm()].affinity;
    vmm_vcpu_info_t info{v.id(),
                         v.vm(),
                         v.index(),
                         runnable ? 1 : 0,
                         v.state == RunState::Running ? parked_on[static_cast<std::size_t>(v.id())] : VMM_NO_CPU,
                         params.data(),
                         static_cast<std::uint32_t>(params.size()),
                         affinity.empty() ? nullptr : affinity.data(),
                         static_cast<std::uint32_t>(affinity.size())};
    char reason[256] = "";
    int refused = 0;
    try {  // a throw fails the load, as a refusal does
      refused = target.image.ops->insert(target.instance, &info, now, reason, sizeof reason);
    } catch (const std::exception& e) {
      return fmt::format("inserting {}.{}: threw: {}", m_vms[v.vm()].name, v.index(), e.what());
    } catch (...) {
      return fmt::format("inserting {}.{}: threw an exception that is not a std::exception", m_vms[v.vm()].name,
                         v.index());
    }
    reason[sizeof reason - 1] = '\0';  // whatever the plugin wrote, the VMM reads a C string
    if (refused != 0)
      return fmt::format("inserting {}.{}: {}", m_vms[v.vm()].name, v.index(), reason[0] ? reason : "refused");
    ++count;
  }
  if (migrated) *migrated = count;
  m_held_wakes.clear();  // the snapshot has them
  return "";
}

void Vmm::go_online(bool fresh) {
  const Cycles now = m_clock.now();
  count_elided_ticks(now);  // the edges since going offline came while offline
  m_offline = false;
  reconsider_ticks(now);  // the scheduler back online may tick, or not
  // Waiting counts afresh for a new scheduler only: a failed replacement
  // must not shelter a starving one from the watchdog.
  if (fresh) {
    m_activated_at = now;
    begin_epoch();
    // Each scheduler has a scale of its own (credit's 0..2, eevdf's deadlines):
    // the reported priorities are the new one's only.
    for (Vcpu& v : m_vcpus) v.forget_priorities();
  }
  // The parked owners stay on their pCPUs: the scheduler (new, or the old
  // one after a failure) holds them there, and its first pick_next on each
  // pCPU has the owner as prev with the guest cycles of its slot.
  if (m_observers.wants(kCeased))
    for (unsigned c = 0; c < m_dispatch.size(); ++c) m_observers.ceased(c, m_swaps.back().ceased_at, now);
  const EntryPoints s = m_manager.entry(static_cast<unsigned>(m_processors.size()));
  std::vector<VcpuId> held;
  held.swap(m_held_wakes);
  for (VcpuId id : held) {
    if (m_vcpus[static_cast<std::size_t>(id)].state != RunState::Runnable) continue;
    vmm_tickle_t t = guarded("wake", vmm_tickle_t{VMM_NO_CPU, 0}, [&] { return s.ops->wake(s.self, id, now); });
    const bool kick = t.cpu >= 0 && static_cast<std::size_t>(t.cpu) < m_processors.size();
    if (m_shadow.on()) m_shadow.wake(id, now, kick ? t.cpu : VMM_NO_CPU);
    if (kick) m_processors[static_cast<std::size_t>(t.cpu)]->request_reschedule(std::max(t.at, now));
  }
}

}  // namespace vmmsim::vmm
