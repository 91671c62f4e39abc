#include "vmm/replacement.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

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
