#include "vmm/replacement.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "schedulers/param_value.h"

#include "vmm/vmm.h"

namespace vmmsim::vmm {

const char* policy_name(workload::LoadPolicy p) {
  switch (p) {
    case workload::LoadPolicy::KeepOld: return "keep-old";
    case workload::LoadPolicy::UnloadOld: return "unload-old";
    case workload::LoadPolicy::Auto: return "auto";
  }
  return "?";
}

namespace {
// Adds what a scheduler's destroy threw to the request's reason.
void note(report::ReplacementResult* r, const std::string& destroy_fault) {
  if (destroy_fault.empty()) return;
  r->reason = r->reason.empty() ? destroy_fault : r->reason + "; " + destroy_fault;
}

const char* kind_name(ControlOp::Kind k) {
  switch (k) {
    case ControlOp::Kind::Load: return "load";
    case ControlOp::Kind::Unload: return "unload";
    case ControlOp::Kind::Eject: return "eject";
  }
  return "?";
}
}  // namespace

Replacement::Replacement(sc_core::sc_module_name name, const CycleClock& clock, Vmm& vmm,
                         SchedulerManager& manager, devices::Console& console, devices::Memory& memory,
                         const config::Config& config)
    : sc_core::sc_module(name),
      phase_signal("phase", 0),
      m_vmm(vmm),
      m_manager(manager),
      m_console(console),
      m_memory(memory),
      m_config(config),
      m_clock(clock) {
  SC_HAS_PROCESS(Replacement);
  SC_THREAD(run);
}

void Replacement::boot() {
  SchedulerImage image;
  std::string why;
  if (!open_image(m_config.vmm.scheduler, &image, &why)) throw std::runtime_error(why);
  auto area = m_memory.allocate(image.bytes);
  if (!area)
    throw std::runtime_error(fmt::format("[vmm] image_area = {} bytes has no room for {}'s {}-byte image",
                                         m_memory.capacity(), image.name, image.bytes));
  m_manager.occupy(m_default_slot, image, *area, m_config.sched.at(image.name));
  std::string err = m_manager.instantiate(m_default_slot, m_config.platform.cpus, m_config.platform.clock);
  if (err.empty()) err = m_vmm.migrate_into(m_default_slot, nullptr);
  if (!err.empty()) throw std::runtime_error(fmt::format("[sched.{}]: {}", image.name, err));
  m_manager.activate(m_default_slot, m_clock.now());
  m_history.push_back(m_default_slot);
}

void Replacement::submit(ControlOp op) {
  m_queue.push_back(std::move(op));
  m_submitted.notify(sc_core::SC_ZERO_TIME);
}

void Replacement::run() {
  for (;;) {
    while (m_queue.empty()) wait(m_submitted);
    ControlOp op = std::move(m_queue.front());
    m_queue.pop_front();
    m_busy = true;
    perform(op);
    m_busy = false;
  }
}

void Replacement::enter(Phase phase) {
  phase_signal.write(static_cast<std::uint8_t>(phase));
  phase_trace.set(static_cast<std::uint8_t>(phase), m_clock.now());
}

void Replacement::perform(const ControlOp& op) {
  report::ReplacementResult r;
  r.kind = kind_name(op.kind);
  r.requester = op.requester;
  r.target = op.request.target;  // an ejection's: the offender
  r.from = m_manager.active().image.name;
  r.requested_at = op.requested_at;
  if (op.kind == ControlOp::Kind::Load) r.policy = policy_name(op.request.policy);
  r.reason = op.reason;
  Plan p;
  std::string why;
  if (!plan(op, &p, &why)) {
    r.ok = false;
    r.reason = why;
    r.to = r.from;
  } else if (!p.sequence) {
    r.ok = true;
    r.to = r.from;
  } else {
    sequence(p, r);
  }
  m_results.push_back(r);
  m_vmm.control_done(op, r.ok);
}

bool Replacement::plan(const ControlOp& op, Plan* p, std::string* why) {
  switch (op.kind) {
    case ControlOp::Kind::Load:
      return plan_load(op, p, why);
    case ControlOp::Kind::Unload:
      return plan_unload(op, p, why);
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
        unload_inactive(*slot);
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
  Bytes free = m_memory.capacity() - m_memory.used() + m_manager.active().image.bytes;  // the active one leaves
  for (std::uint32_t slot : m_history) {
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

bool Replacement::resolve_params(const SchedulerImage& image, const workload::ControlRequest& request,
                                 std::map<std::string, std::int64_t>* params, std::string* why) const {
  const vmm_sched_ops_t& ops = *image.ops;
  const Hertz clock = m_config.platform.clock;
  for (std::uint32_t i = 0; i < ops.param_count; ++i) {
    const vmm_param_spec_t& spec = ops.params[i];
    // A built-in starts from its [sched.NAME] section; a plugin from its defaults.
    auto configured = m_config.sched.find(image.name);
    if (image.builtin() && configured != m_config.sched.end() && configured->second.count(spec.key))
      (*params)[spec.key] = configured->second.at(spec.key);
    else
      (*params)[spec.key] = sched::param_default(spec, clock);
  }
  for (const auto& [key, text] : request.params) {
    const vmm_param_spec_t* spec = nullptr;
    for (std::uint32_t i = 0; i < ops.param_count; ++i)
      if (key == ops.params[i].key) spec = &ops.params[i];
    if (!spec) {
      *why = fmt::format("{} has no parameter '{}'", image.name, key);
      return false;
    }
    std::string expected;
    auto v = sched::param_value(*spec, text, clock, &expected);
    if (!v) {
      *why = fmt::format("{}={}: expected {}", key, text, expected);
      return false;
    }
    (*params)[key] = *v;
  }
  return true;
}

bool Replacement::plan_load(const ControlOp& op, Plan* p, std::string* why) {
  const workload::ControlRequest& req = op.request;
  if (!open_image(req.target, &p->image, why)) return false;
  if (!resolve_params(p->image, req, &p->params, why)) return false;
  const SchedulerSlot& active = m_manager.active();
  if (active.image.name == p->image.name) {
    *why = fmt::format("{} is already the active scheduler", p->image.name);
    return false;
  }
  if (auto loaded = m_manager.find(p->image.name)) {
    // Kept loaded earlier (keep-old): activate it again, no load.
    p->target = *loaded;
    p->load_target = false;
    return true;
  }
  // Slot 0 stays the default's, even while its image is unloaded: an
  // ejection or a revert brings the default back there.
  auto slot = m_manager.free_slot(m_default_slot);
  if (!slot) {
    *why = fmt::format("no free scheduler slot ({} slots, one kept for the default; [vmm] slots)",
                       m_manager.slot_count());
    return false;
  }
  p->target = *slot;
  p->load_target = true;
  const Bytes need = p->image.bytes;
  const Bytes free = m_memory.capacity() - m_memory.used();
  const Bytes freed = active.image.bytes;
  const bool fits = need <= free, fits_after_unload = need <= free + freed;
  switch (req.policy) {
    case workload::LoadPolicy::KeepOld:
      p->unload_old = false;
      if (!fits) {
        *why = fmt::format("no room in the image area for {} ({} bytes, {} free of {}) under keep-old",
                           p->image.name, need, free, m_memory.capacity());
        return false;
      }
      return true;
    case workload::LoadPolicy::UnloadOld:
      p->unload_old = true;
      break;
    case workload::LoadPolicy::Auto:
      p->unload_old = !fits;
      break;
  }
  if (!fits_after_unload) {
    *why = fmt::format("no room in the image area for {} ({} bytes, {} free of {} even after unloading {})",
                       p->image.name, need, free, m_memory.capacity(), active.image.name);
    return false;
  }
  return true;
}

bool Replacement::plan_unload(const ControlOp& op, Plan* p, std::string* why) {
  const std::string& name = op.request.target.empty() ? m_manager.active().image.name : op.request.target;
  auto slot = m_manager.find(name);
  if (!slot) {
    *why = fmt::format("{} is not loaded", name);
    return false;
  }
  if (*slot != m_manager.active_id()) {
    // Not active: its image just leaves the area.
    p->sequence = false;
    unload_inactive(*slot);
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
  // The default's image was unloaded: load it again into its slot.
  return reload_default(p, why);
}

void Replacement::sequence(Plan& p, report::ReplacementResult& r) {
  const std::uint32_t old = m_manager.active_id();
  r.sequence = true;
  r.started_at = m_clock.now();

  enter(Phase::Cease);
  auto& cpus = m_vmm.processors();
  for (cpu::Processor* c : cpus) c->cease();
  for (cpu::Processor* c : cpus)
    if (!c->parked()) wait(c->parked_event());
  r.cease = m_clock.now() - r.started_at;
  m_vmm.go_offline();

  enter(Phase::Drain);
  Cycles t = m_clock.now();
  m_console.retire([this](devices::Console::Retirement x) {
    m_retired = x;
    m_drained.notify(sc_core::SC_ZERO_TIME);
  });
  wait(m_drained);
  r.drain = m_clock.now() - t;
  r.tx_retired = m_retired.tx_bytes;
  r.rx_retired = m_retired.rx_bytes;

  // The old scheduler's state stays in VMM memory until the new one is
  // active, so a failure resumes it where it stopped.
  enter(Phase::Unload);
  t = m_clock.now();
  const SchedulerImage old_image = m_manager.slot(old).image;
  if (p.unload_old) {
    spend(m_config.vmm.unload);
    m_memory.release(m_manager.slot(old).area);
  }
  for (std::uint32_t slot : p.evict) {  // kept images making room for the default
    spend(m_config.vmm.unload);
    unload_inactive(slot);
  }
  r.unload = m_clock.now() - t;

  enter(Phase::Load);
  t = m_clock.now();
  if (p.load_target) {
    auto area = m_memory.allocate(p.image.bytes);
    if (!area)  // the plan made room: this is a bug in the plan
      throw std::logic_error(fmt::format("no room to load {} ({} bytes, {} of {} used)", p.image.name, p.image.bytes,
                                         m_memory.used(), m_memory.capacity()));
    spend(m_memory.load_cycles(p.image.bytes));
    m_manager.occupy(p.target, p.image, *area, p.params);
  }
  r.load = m_clock.now() - t;

  enter(Phase::Migrate);
  t = m_clock.now();
  const unsigned migrating = m_vmm.migratable_vcpus();
  spend(saturating_mul(m_config.vmm.migrate, migrating));
  r.migrate = m_clock.now() - t;

  enter(Phase::Activate);
  t = m_clock.now();
  spend(m_manager.activation_cycles());
  std::string err = m_manager.instantiate(p.target, m_config.platform.cpus, m_config.platform.clock);
  if (err.empty()) err = m_vmm.migrate_into(p.target, &r.vcpus_migrated);
  if (err.empty()) {
    m_manager.activate(p.target, m_clock.now());
    wait(sc_core::SC_ZERO_TIME);  // the ID register is read after this delta
    m_vmm.go_online(/*fresh=*/true);
    note(&r, m_manager.destroy_instance(old));
    if (p.unload_old) {
      m_manager.vacate(old);
      m_history.erase(std::remove(m_history.begin(), m_history.end(), old), m_history.end());
    }
    m_history.erase(std::remove(m_history.begin(), m_history.end(), p.target), m_history.end());
    m_history.push_back(p.target);
    r.ok = true;
  } else {
    // Roll back: the new one goes, the old one (reloaded if need be) stays.
    r.ok = false;
    r.reason = fmt::format("{} failed to start: {}", p.image.name.empty() ? m_manager.slot(p.target).image.name
                                                                           : p.image.name, err);
    note(&r, m_manager.destroy_instance(p.target));
    if (p.load_target) {
      m_memory.release(m_manager.slot(p.target).area);
      m_manager.vacate(p.target);
    }
    if (p.unload_old) {
      m_manager.slot(old).area = *m_memory.allocate(old_image.bytes);
      spend(m_memory.load_cycles(old_image.bytes));
    }
    m_vmm.go_online(/*fresh=*/false);
    r.vcpus_migrated = 0;
  }
  r.activate = m_clock.now() - t;

  enter(Phase::Resume);
  m_console.resume();
  for (cpu::Processor* c : cpus) c->resume();
  r.downtime = m_clock.now() - r.started_at;
  r.to = m_manager.active().image.name;
  enter(Phase::None);
}

}  // namespace vmmsim::vmm
