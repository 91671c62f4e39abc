// The slot table of loaded scheduler images and the scheduler-ID register,
// with the activation mechanism that decides how a request reaches the
// active scheduler (DESIGN.md §4):
// - id-register: dispatch reads the register and calls slot[id]'s ops;
// - function-table: one function-pointer table that activation overwrites
//   and every requester calls through;
// - patch: every requester holds its own copy of the entry points, which
//   activation patches one by one (no indirection at dispatch).
// All three reach the same functions, so schedules are identical; only the
// modeled costs differ.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "base/units.h"
#include "report/vcd_writer.h"
#include "schedulers/sched_abi.h"
#include "vmm/scheduler_image.h"

namespace vmmsim::vmm {

enum class Activation { IdRegister, FunctionTable, Patch };
const char* activation_name(Activation a);

// What a requester calls: the table and the policy instance.
struct EntryPoints {
  const vmm_sched_ops_t* ops = nullptr;
  void* self = nullptr;
};

struct ActivationCosts {
  Cycles dispatch = 0;  // per request that reaches the scheduler from a pCPU
  Cycles activate = 0;  // per activation (patch: per patched site)
};

struct SchedulerSlot {
  SchedulerImage image;
  std::uint32_t area = 0;  // its allocation in the image area
  bool loaded = false;
  // The parameters it was loaded with (defaults filled in, durations in
  // cycles); param_array points into it for the C ABI.
  std::map<std::string, std::int64_t> params;
  std::vector<vmm_param_t> param_array;
  void* instance = nullptr;  // live policy state, while active
};

class SchedulerManager : public sc_core::sc_module {
 public:
  // Traced: the slot of the active scheduler. Always names a loaded slot.
  sc_core::sc_signal<std::uint32_t> scheduler_id_register;
  report::VcdSignal id_trace;  // the register, traced (--vcd)

  // `requesters`: the call sites that dispatch (one per pCPU plus the VMM's
  // own timer/tick/console path), patched one by one under `patch`.
  SchedulerManager(sc_core::sc_module_name name, Activation mechanism, ActivationCosts costs,
                   unsigned slot_count, unsigned requesters);
  ~SchedulerManager() override;

  Activation mechanism() const { return m_mechanism; }
  unsigned slot_count() const { return static_cast<unsigned>(m_slots.size()); }
  SchedulerSlot& slot(std::uint32_t i) { return m_slots[i]; }
  const SchedulerSlot& slot(std::uint32_t i) const { return m_slots[i]; }
  // A free slot other than `reserved` (the default scheduler's, kept for it).
  std::optional<std::uint32_t> free_slot(std::uint32_t reserved) const;
  // The loaded slot whose image has this name.
  std::optional<std::uint32_t> find(const std::string& name) const;

  // Fills a free slot (the image area is the caller's business).
  void occupy(std::uint32_t slot, SchedulerImage image, std::uint32_t area,
              std::map<std::string, std::int64_t> params);
  void vacate(std::uint32_t slot);
  // A kept image's next instance is created with these parameters.
  void set_params(std::uint32_t slot, std::map<std::string, std::int64_t> params);
  // Moves a slot's content (image, instance) out, leaving the slot free, and
  // back: the old scheduler waits aside while a new image takes its slot.
  SchedulerSlot take(std::uint32_t slot);
  void restore(std::uint32_t slot, SchedulerSlot content);
  // Creates the slot's policy instance; "" or the policy's reason.
  std::string instantiate(std::uint32_t slot, std::uint32_t cpus, Hertz clock);
  // Destroys the slot's policy instance; "" or what its destroy threw.
  std::string destroy_instance(std::uint32_t slot);
  static std::string destroy(SchedulerSlot& s);

  // Makes `slot` the scheduler every requester reaches (at cycle `now`).
  void activate(std::uint32_t slot, Cycles now);
  // The modeled cost of one activation under this mechanism.
  Cycles activation_cycles() const;
  Cycles dispatch_cycles() const { return m_costs.dispatch; }
  std::uint32_t active_id() const { return m_active; }
  const SchedulerSlot& active() const { return m_slots[m_active]; }

  // What `requester` calls, found the way the mechanism finds it.
  EntryPoints entry(unsigned requester) const {
    switch (m_mechanism) {
      case Activation::IdRegister: {
        const SchedulerSlot& s = m_slots[scheduler_id_register.read()];
        return EntryPoints{s.image.ops, s.instance};
      }
      case Activation::FunctionTable:
        return EntryPoints{&m_table, m_table_self};
      case Activation::Patch:
        return m_sites[requester];
    }
    return {};
  }

 private:
  const Activation m_mechanism;
  const ActivationCosts m_costs;
  std::vector<SchedulerSlot> m_slots;
  std::uint32_t m_active = 0;
  vmm_sched_ops_t m_table{};        // function-table: overwritten at activation
  void* m_table_self = nullptr;
  std::vector<EntryPoints> m_sites;  // patch: one per requester
};

}  // namespace vmmsim::vmm
