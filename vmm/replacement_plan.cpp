// The SchedulerLoader's planning (docs/replacement.md): what a load, an
// unload or an ejection will do — image, parameters, slot, room, what leaves
// the image area — decided before anything is ceased, so a refused request
// costs the guests nothing. Part of vmm::Replacement.
#include <algorithm>

#include <fmt/format.h>

#include "vmm/replacement.h"
#include "vmm/scheduler_params.h"

namespace vmmsim::vmm {

bool Replacement::plan(const ControlOp& op, Plan* p, std::string* why) {
  switch (op.kind) {
    case ControlOp::Kind::Load:
      return plan_load(op, p, why);
    case ControlOp::Kind::Unload:
      return plan_unload(op, p, why);
    case ControlOp::Kind::Stage:
      return plan_stage(op, p, why);
    case ControlOp::Kind::Eject:
      // A request served before this one may have replaced the offender:
      // the scheduler active now must not pay for it. An inactive offender
      // just leaves the image area.
      if (m_manager.active().image.name != op.request.target) {
        auto slot = m_manager.find(op.request.target);
        if (!slot) {
          *why = fmt::format("{} is no longer loaded ({})", op.request.target, op.reason);
          return false;
        }
        p->sequence = false;
        p->unload_inactive = *slot;
        return true;
      }
      if (m_manager.active_id() == m_default_slot) {
        *why = "the default scheduler cannot be ejected";
        return false;
      }
      // As sched_ext: an ejected scheduler is unloaded and the default comes back.
      p->unload_old = true;
      if (m_manager.slot(m_default_slot).loaded) {
        p->target = m_default_slot;
        return true;
      }
      return reload_default(p, why);
  }
  return false;
}

// The default must come back (an ejection, or a revert with nothing else
// loaded) but its image was unloaded: load it again into its slot. Kept
// images may fill the area; the least recently active go to make room.
bool Replacement::reload_default(Plan* p, std::string* why) {
  if (!open_image(m_config.vmm.scheduler, &p->image, why)) return false;
  p->params = m_config.sched.at(p->image.name);
  p->target = m_default_slot;
  p->load_target = true;
  image_source("", p, why);  // the default comes from the VMM's own memory
  Bytes free = m_memory.capacity() - m_memory.used() + m_manager.active().image.bytes;  // the active one leaves
  for (std::uint32_t slot : eviction_order()) {
    if (p->image.bytes <= free) break;
    if (slot == m_manager.active_id() || !m_manager.slot(slot).loaded) continue;
    p->evict.push_back(slot);
    free += m_manager.slot(slot).image.bytes;
  }
  if (p->image.bytes > free) {
    *why = fmt::format("no room in the image area to reload the default scheduler {} ({} bytes)", p->image.name,
                       p->image.bytes);
    return false;
  }
  return true;
}

bool Replacement::plan_load(const ControlOp& op, Plan* p, std::string* why) {
  const workload::ControlRequest& req = op.request;
  if (!open_image(req.target, &p->image, why)) return false;
  if (!resolve_scheduler_params(p->image, req.params, m_config, &p->params, why)) return false;
  if (m_manager.active().image.name == p->image.name) {
    *why = fmt::format("{} is already the active scheduler", p->image.name);
    return false;
  }
  p->unload_old = req.policy == workload::LoadPolicy::UnloadOld;
  p->unload_after = req.policy == workload::LoadPolicy::UnloadAfter;
  if (auto kept = m_manager.find(p->image.name)) {
    // Kept loaded earlier: the image is reused (no load), but its fresh
    // instance takes this request's parameters, and the policy still says
    // what becomes of the old scheduler. A staged image keeps the instance
    // it was staged with, unless this request names parameters that differ.
    p->target = *kept;
    const SchedulerSlot& slot = m_manager.slot(*kept);
    p->staged = slot.staged;
    if (slot.staged && req.params.empty()) p->params = slot.params;
    p->set_params = !slot.staged || p->params != slot.params;
    return true;
  }
  if (!image_source(req.source, p, why)) return false;
  p->load_target = true;
  return make_room(req.policy, p, why);
}

// [0028] "if there is no free space": the image needs a slot other than the
// default's (kept for it, even while its image is unloaded) and its bytes.
// unload-old counts the active scheduler's slot and bytes as free; auto
// frees what it must, least recently active first — kept images, then the
// active one — never a kept default; keep-old and unload-after (the old
// image stays until the new one is active) free nothing.
bool Replacement::make_room(workload::LoadPolicy policy, Plan* p, std::string* why) {
  const std::uint32_t active = m_manager.active_id();
  const Bytes need = p->image.bytes;
  const Bytes free_now = m_memory.capacity() - m_memory.used();
  Bytes free = free_now;
  std::optional<std::uint32_t> slot = m_manager.free_slot(m_default_slot);
  // The default scheduler, loaded again by name after unload-old removed
  // it, goes back to its own slot: never one that auto could evict.
  if (p->image.name == m_config.vmm.scheduler) slot = m_default_slot;
  auto release = [&](std::uint32_t s) {
    free += m_manager.slot(s).image.bytes;
    if (!slot && s != m_default_slot) slot = s;
  };
  auto fits = [&] { return slot && need <= free; };
  if (p->unload_old) release(active);
  if (policy == workload::LoadPolicy::Auto) {
    for (std::uint32_t s : eviction_order()) {  // the active one is last
      if (fits()) break;
      if (s == active) {
        p->unload_old = true;
        release(s);
      } else if (s != m_default_slot && m_manager.slot(s).loaded) {
        p->evict.push_back(s);
        release(s);
      }
    }
  }
  if (fits()) {
    p->target = *slot;
    return true;
  }
  // A stage unloads nothing: the active scheduler must never notice it.
  const char* name = p->stage ? "a stage, which unloads nothing" : policy_name(policy);
  if (!slot) {
    *why = fmt::format("no free scheduler slot for {} ({} slots, one kept for the default; [vmm] slots) under {}",
                       p->image.name, m_manager.slot_count(), name);
    return false;
  }
  std::string after;
  if (policy == workload::LoadPolicy::UnloadOld)
    after = fmt::format(" even after unloading {}", m_manager.active().image.name);
  else if (policy == workload::LoadPolicy::Auto)
    after = " even after unloading every scheduler but a kept default";
  else
    after = fmt::format(" under {}", name);
  if (p->stage) after = " (a stage unloads nothing)";
  *why = fmt::format("no room in the image area for {} ({} bytes, {} free of {}){}", p->image.name, need, free_now,
                     m_memory.capacity(), after);
  return false;
}

// [0019]: an image comes from a website, a local disk or a data-centre
// image server ([image_source.NAME]), or by default from the VMM's own
// memory. The file is still read from its local path: the source models
// only what loading costs.
bool Replacement::image_source(const std::string& source, Plan* p, std::string* why) const {
  if (source.empty()) {
    p->source = "memory";
    p->load_cycles = m_memory.load_cycles(p->image.bytes);
    return true;
  }
  auto it = m_config.image_sources.find(source);
  if (it == m_config.image_sources.end()) {  // the config checks every request; a bug if it gets here
    *why = fmt::format("unknown image source '{}'", source);
    return false;
  }
  p->source = source;
  p->load_cycles = config::load_cycles(it->second, p->image.bytes, m_config.platform.clock);
  return true;
}

// A stage loads an image beside the active and kept ones: it needs a free
// slot and its bytes, and frees nothing.
bool Replacement::plan_stage(const ControlOp& op, Plan* p, std::string* why) {
  const workload::ControlRequest& req = op.request;
  if (!open_image(req.target, &p->image, why)) return false;
  if (!resolve_scheduler_params(p->image, req.params, m_config, &p->params, why)) return false;
  if (auto loaded = m_manager.find(p->image.name)) {
    *why = fmt::format("{} is already loaded (slot {}, {}); expected a scheduler that is not loaded (sched-load "
                       "activates a loaded one without its load)",
                       p->image.name, *loaded,
                       *loaded == m_manager.active_id() ? "active"
                       : m_manager.slot(*loaded).staged  ? "staged"
                                                         : "kept");
    return false;
  }
  if (!image_source(req.source, p, why)) return false;
  p->sequence = false;
  p->stage = true;
  p->load_target = true;
  return make_room(workload::LoadPolicy::KeepOld, p, why);
}

std::vector<std::uint32_t> Replacement::eviction_order() const {
  std::vector<std::uint32_t> order;
  for (std::uint32_t s = 0; s < m_manager.slot_count(); ++s)
    if (m_manager.slot(s).loaded && m_manager.slot(s).staged) order.push_back(s);
  order.insert(order.end(), m_history.begin(), m_history.end());
  return order;
}

bool Replacement::plan_unload(const ControlOp& op, Plan* p, std::string* why) {
  const std::string& name = op.request.target.empty() ? m_manager.active().image.name : op.request.target;
  auto slot = m_manager.find(name);
  if (!slot) {
    *why = fmt::format("{} is not loaded", name);
    return false;
  }
  if (*slot != m_manager.active_id()) {
    // Not active: its image leaves the area, at [vmm] unload of VMM time.
    p->sequence = false;
    p->unload_inactive = *slot;
    return true;
  }
  return plan_revert(*slot, p, why);
}

void Replacement::unload_inactive(std::uint32_t slot) {
  m_memory.release(m_manager.slot(slot).area);
  m_manager.vacate(slot);
  m_history.erase(std::remove(m_history.begin(), m_history.end(), slot), m_history.end());
}

// The scheduler in `leaving` goes; the previous one still loaded comes back,
// else the default (loaded again if unload-old had removed it).
bool Replacement::plan_revert(std::uint32_t leaving, Plan* p, std::string* why) {
  p->unload_old = true;
  for (auto it = m_history.rbegin(); it != m_history.rend(); ++it) {
    if (*it != leaving && m_manager.slot(*it).loaded) {
      p->target = *it;
      return true;
    }
  }
  if (leaving == m_default_slot) {
    *why = fmt::format("{} is the default scheduler and nothing else is loaded to replace it",
                       m_manager.slot(leaving).image.name);
    return false;
  }
  // The default's image, unloaded earlier, was staged again into its slot:
  // it comes back without a load.
  if (m_manager.slot(m_default_slot).loaded) {
    p->target = m_default_slot;
    p->staged = m_manager.slot(m_default_slot).staged;
    return true;
  }
  // The default's image was unloaded: load it again into its slot.
  return reload_default(p, why);
}

}  // namespace vmmsim::vmm
