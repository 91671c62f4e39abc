// The slot table of loaded scheduler images and the scheduler-ID register,
// with the activation mechanism that decides how a request reaches the
// active scheduler (DESIGN.md §4):
// - id-register: dispatch reads the register and calls slot[id]'s ops;
// - function-table: one function-pointer table that activation overwrites
//   and every requester calls through;
// - function-table-pointers: each scheduler's own table stays where it is;
//   every requester holds a pointer to a table, which activation moves to
//   the new scheduler's (patent [0022], the requester-pointer variant);
// - patch: every requester's call sites hold the active scheduler's entry
//   addresses in the image area, which activation patches one by one (no
//   indirection at dispatch; patent [0024]).
// All four reach the same functions, so schedules are identical; only the
// modeled costs differ. The slots' images live in the Memory's image area;
// the loaded-slot mask is traced, and each load and unload is noted in the
// VCD with the slot, the scheduler's name, its address and size.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "base/units.h"
#include "devices/memory.h"
#include "report/vcd_writer.h"
#include "sim/cycle_clock.h"
#include "schedulers/sched_abi.h"
#include "vmm/scheduler_image.h"

namespace vmmsim::vmm {

enum class Activation { IdRegister, FunctionTable, FunctionTablePointers, Patch };
const char* activation_name(Activation a);

// What a requester calls: the table and the policy instance.
struct EntryPoints {
  const vmm_sched_ops_t* ops = nullptr;
  void* self = nullptr;
};

struct ActivationCosts {
  Cycles dispatch = 0;  // per request that reaches the scheduler from a pCPU
  Cycles activate = 0;  // per activation (patch: per patched site; pointers: per pointer moved)
};

struct SchedulerSlot {
  SchedulerImage image;
  std::uint32_t area = 0;  // its allocation in the image area
  bool loaded = false;
  // The parameters it was loaded with (defaults filled in, durations in
  // cycles); param_array points into it for the C ABI.
  std::map<std::string, std::int64_t> params;
  std::vector<vmm_param_t> param_array;
  void* instance = nullptr;  // live policy state, while active (or staged)
  // Staged (sched-stage): loaded and its instance created while another
  // scheduler is active; the first activation takes that instance.
  bool staged = false;
};

class SchedulerManager : public sc_core::sc_module {
 public:
  // Traced: the slot of the active scheduler. Always names a loaded slot.
  sc_core::sc_signal<std::uint32_t> scheduler_id_register;
  report::VcdSignal id_trace;      // the register, traced (--vcd)
  report::VcdSignal loaded_trace;  // bit i: slot i holds an image, traced (--vcd)

  // Entry points a requester may call (the operations of the table); under
  // patch, entry k of an image is at its address + k * kEntryStride.
  static constexpr unsigned kEntryPoints = 10;
  static constexpr devices::Address kEntryStride = 16;

  // `requesters`: the requesters that dispatch (one per pCPU plus the VMM's
  // own timer/tick/console path): their call sites are patched one by one
  // under `patch`, their table pointers moved under `function-table-pointers`.
  SchedulerManager(sc_core::sc_module_name name, const CycleClock& clock, const devices::Memory& memory,
                   Activation mechanism, ActivationCosts costs, unsigned slot_count, unsigned requesters);
  ~SchedulerManager() override;

  Activation mechanism() const { return m_mechanism; }
  unsigned slot_count() const { return static_cast<unsigned>(m_slots.size()); }
  SchedulerSlot& slot(std::uint32_t i) { return m_slots[i]; }
  const SchedulerSlot& slot(std::uint32_t i) const { return m_slots[i]; }
  // A free slot other than `reserved` (the default scheduler's, kept for it).
  std::optional<std::uint32_t> free_slot(std::uint32_t reserved) const;
  // The loaded slot whose image has this name.
  std::optional<std::uint32_t> find(const std::string& name) const;
  // Where a loaded slot's image is in the image area.
  devices::Address address(std::uint32_t slot) const { return m_memory.address(m_slots[slot].area); }
  // Loaded and in the image area: not the old scheduler of an unload-old
  // replacement under way, whose image has left while it waits aside.
  bool resident(std::uint32_t slot) const { return m_slots[slot].loaded && m_memory.holds(m_slots[slot].area); }
  // "slot 1 = bvt at 0x1001800, 12288 bytes" (or "slot 1 free"), as the VCD notes it.
  std::string describe(std::uint32_t slot) const;
  // Under patch: the entry address call site `op` of `requester` holds.
  devices::Address patched_site(unsigned requester, unsigned op) const {
    return m_site_addresses[requester * kEntryPoints + op];
  }

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
      case Activation::FunctionTablePointers:
      case Activation::Patch:
        return m_sites[requester];
    }
    return {};
  }

 private:
  std::uint64_t loaded_mask() const;
  void note(std::uint32_t slot);  // the mask and the VCD note after a load or an unload

  const CycleClock& m_clock;
  const devices::Memory& m_memory;
  const Activation m_mechanism;
  const ActivationCosts m_costs;
  std::vector<SchedulerSlot> m_slots;
  std::uint32_t m_active = 0;
  vmm_sched_ops_t m_table{};        // function-table: overwritten at activation
  void* m_table_self = nullptr;
  std::vector<EntryPoints> m_sites;  // patch: the call sites; pointers: the tables; one per requester
  std::vector<devices::Address> m_site_addresses;  // patch: kEntryPoints per requester
};

}  // namespace vmmsim::vmm
