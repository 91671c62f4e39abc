// The slot table of loaded schedulers and the scheduler-ID register. Every
// request is dispatched through the slot the register names.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "schedulers/sched_abi.h"

namespace vmmsim::vmm {

struct SchedulerSlot {
  std::string name;
  const vmm_sched_ops_t* ops = nullptr;
  void* instance = nullptr;
};

class SchedulerManager : public sc_core::sc_module {
 public:
  // Traced: the slot index of the active scheduler.
  sc_core::sc_signal<std::uint32_t> scheduler_id_register;

  explicit SchedulerManager(sc_core::sc_module_name name);
  ~SchedulerManager() override;

  // Creates an instance in a free slot; returns its index. Throws
  // std::runtime_error with the policy's reason if create fails.
  std::uint32_t load(const vmm_sched_ops_t& ops, const vmm_sched_config_t& config);
  // Writes the ID register (the id-register activation mechanism).
  void activate(std::uint32_t slot);

  // The active scheduler, as dispatch sees it: read the register, index the
  // slot table. A write is seen after one delta cycle, as in hardware; the
  // replacement sequence activates while every processor is parked.
  const SchedulerSlot& active() const { return m_slots[scheduler_id_register.read()]; }
  std::uint32_t active_id() const { return scheduler_id_register.read(); }
  const std::vector<SchedulerSlot>& slots() const { return m_slots; }

 private:
  std::vector<SchedulerSlot> m_slots;
};

}  // namespace vmmsim::vmm
