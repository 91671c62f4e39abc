#include "vmm/scheduler_manager.h"

#include <exception>

#include <fmt/format.h>

namespace vmmsim::vmm {

const char* activation_name(Activation a) {
  switch (a) {
    case Activation::IdRegister: return "id-register";
    case Activation::FunctionTable: return "function-table";
    case Activation::FunctionTablePointers: return "function-table-pointers";
    case Activation::Patch: return "patch";
  }
  return "?";
}

SchedulerManager::SchedulerManager(sc_core::sc_module_name name, const CycleClock& clock,
                                   const devices::Memory& memory, Activation mechanism, ActivationCosts costs,
                                   unsigned slot_count, unsigned requesters)
    : sc_core::sc_module(name),
      scheduler_id_register("scheduler_id_register", 0),
      m_clock(clock),
      m_memory(memory),
      m_mechanism(mechanism),
      m_costs(costs),
      m_slots(slot_count),
      m_sites(requesters),
      m_site_addresses(mechanism == Activation::Patch ? requesters * kEntryPoints : 0) {}

SchedulerManager::~SchedulerManager() {
  for (std::uint32_t i = 0; i < m_slots.size(); ++i) destroy_instance(i);
}

std::optional<std::uint32_t> SchedulerManager::free_slot(std::uint32_t reserved) const {
  for (std::uint32_t i = 0; i < m_slots.size(); ++i)
    if (!m_slots[i].loaded && i != reserved) return i;
  return std::nullopt;
}

std::optional<std::uint32_t> SchedulerManager::find(const std::string& name) const {
  for (std::uint32_t i = 0; i < m_slots.size(); ++i)
    if (m_slots[i].loaded && m_slots[i].image.name == name) return i;
  return std::nullopt;
}

void SchedulerManager::occupy(std::uint32_t i, SchedulerImage image, std::uint32_t area,
                              std::map<std::string, std::int64_t> params) {
  SchedulerSlot& s = m_slots[i];
  s.image = std::move(image);
  s.area = area;
  s.loaded = true;
  set_params(i, std::move(params));
  note(i);
}

void SchedulerManager::set_params(std::uint32_t i, std::map<std::string, std::int64_t> params) {
  SchedulerSlot& s = m_slots[i];
  s.params = std::move(params);
  s.param_array.clear();
  for (const auto& [key, value] : s.params) s.param_array.push_back({key.c_str(), value});
}

void SchedulerManager::vacate(std::uint32_t i) {
  destroy_instance(i);
  m_slots[i] = SchedulerSlot{};
  note(i);
}

std::string SchedulerManager::describe(std::uint32_t i) const {
  const SchedulerSlot& s = m_slots[i];
  if (!s.loaded) return fmt::format("slot {} free", i);
  return fmt::format("slot {} = {} at {:#x}, {} bytes", i, s.image.name, address(i), s.image.bytes);
}

std::uint64_t SchedulerManager::loaded_mask() const {
  std::uint64_t mask = 0;
  for (std::uint32_t i = 0; i < m_slots.size(); ++i)
    if (m_slots[i].loaded) mask |= std::uint64_t{1} << i;
  return mask;
}

void SchedulerManager::note(std::uint32_t i) {
  if (!loaded_trace.bound()) return;
  loaded_trace.set(loaded_mask(), m_clock.now());
  loaded_trace.comment(describe(i), m_clock.now());
  if (m_slots[i].loaded) id_trace.label(i, m_slots[i].image.name);  // the register's value read as a name
}

// A std::map keeps its nodes when moved: param_array's keys stay valid.
SchedulerSlot SchedulerManager::take(std::uint32_t i) {
  SchedulerSlot content = std::move(m_slots[i]);
  m_slots[i] = SchedulerSlot{};
  return content;
}

void SchedulerManager::restore(std::uint32_t i, SchedulerSlot content) {
  m_slots[i] = std::move(content);
  note(i);
}

std::string SchedulerManager::instantiate(std::uint32_t i, std::uint32_t cpus, Hertz clock) {
  SchedulerSlot& s = m_slots[i];
  vmm_sched_config_t config{cpus, clock, s.param_array.data(), static_cast<std::uint32_t>(s.param_array.size())};
  char reason[256] = "";
  try {  // a throw fails the load, as a refusal does
    s.instance = s.image.ops->create(&config, reason, sizeof reason);
  } catch (const std::exception& e) {
    s.instance = nullptr;
    return std::string("create threw: ") + e.what();
  } catch (...) {
    s.instance = nullptr;
    return "create threw an exception that is not a std::exception";
  }
  reason[sizeof reason - 1] = '\0';  // whatever the plugin wrote, the VMM reads a C string
  if (!s.instance) return reason[0] ? reason : "create failed";
  return "";
}

std::string SchedulerManager::destroy_instance(std::uint32_t i) { return destroy(m_slots[i]); }

std::string SchedulerManager::destroy(SchedulerSlot& s) {
  void* instance = s.instance;
  s.instance = nullptr;
  if (!instance) return "";
  // The scheduler is gone either way; what it threw is only reported.
  try {
    s.image.ops->destroy(instance);
  } catch (const std::exception& e) {
    return fmt::format("{} threw from destroy: {}", s.image.name, e.what());
  } catch (...) {
    return fmt::format("{} threw from destroy", s.image.name);
  }
  return "";
}

void SchedulerManager::activate(std::uint32_t i, Cycles now) {
  m_active = i;
  scheduler_id_register.write(i);
  id_trace.set(i, now);
  const SchedulerSlot& s = m_slots[i];
  if (m_mechanism == Activation::FunctionTable) {
    m_table = *s.image.ops;  // overwrite every entry
    m_table_self = s.instance;
  } else if (m_mechanism == Activation::FunctionTablePointers) {
    for (EntryPoints& pointer : m_sites) pointer = EntryPoints{s.image.ops, s.instance};  // to its own table
  } else if (m_mechanism == Activation::Patch) {
    for (EntryPoints& site : m_sites) site = EntryPoints{s.image.ops, s.instance};
    // Every call site now holds the address of its entry in the image.
    const devices::Address base = address(i);
    for (std::size_t k = 0; k < m_site_addresses.size(); ++k)
      m_site_addresses[k] = base + (k % kEntryPoints) * kEntryStride;
  }
}

Cycles SchedulerManager::activation_cycles() const {
  if (m_mechanism == Activation::Patch) return m_costs.activate * kEntryPoints * m_sites.size();
  if (m_mechanism == Activation::FunctionTablePointers) return m_costs.activate * m_sites.size();
  return m_costs.activate;
}

}  // namespace vmmsim::vmm
