#include "vmm/scheduler_manager.h"

#include <stdexcept>

namespace vmmsim::vmm {

SchedulerManager::SchedulerManager(sc_core::sc_module_name name)
    : sc_core::sc_module(name), scheduler_id_register("scheduler_id_register", 0) {}

SchedulerManager::~SchedulerManager() {
  for (SchedulerSlot& s : m_slots)
    if (s.instance) s.ops->destroy(s.instance);
}

std::uint32_t SchedulerManager::load(const vmm_sched_ops_t& ops, const vmm_sched_config_t& config) {
  char reason[256] = "";
  void* instance = ops.create(&config, reason, sizeof reason);
  if (!instance) throw std::runtime_error(std::string(ops.name) + ": " + reason);
  m_slots.push_back(SchedulerSlot{ops.name, &ops, instance});
  return static_cast<std::uint32_t>(m_slots.size() - 1);
}

void SchedulerManager::activate(std::uint32_t slot) {
  scheduler_id_register.write(slot);
}

}  // namespace vmmsim::vmm
