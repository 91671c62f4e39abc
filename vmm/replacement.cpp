#include "vmm/replacement.h"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "vmm/vmm.h"

namespace vmmsim::vmm {

const char* phase_name(Phase p) {
  switch (p) {
    case Phase::None: return "none";
    case Phase::Cease: return "cease";
    case Phase::Drain: return "drain";
    case Phase::Unload: return "unload";
    case Phase::Load: return "load";
    case Phase::Migrate: return "migrate";
    case Phase::Activate: return "activate";
    case Phase::Resume: return "resume";
    case Phase::UnloadAfter: return "unload-after";
  }
  return "?";
}

const char* policy_name(workload::LoadPolicy p) {
  switch (p) {
    case workload::LoadPolicy::KeepOld: return "keep-old";
    case workload::LoadPolicy::UnloadOld: return "unload-old";
    case workload::LoadPolicy::Auto: return "auto";
    case workload::LoadPolicy::UnloadAfter: return "unload-after";
  }
  return "?";
}

ControlOp::Kind control_op_kind(workload::ControlRequest::Kind kind) {
  switch (kind) {
    case workload::ControlRequest::Kind::Load: return ControlOp::Kind::Load;
    case workload::ControlRequest::Kind::Unload: return ControlOp::Kind::Unload;
    case workload::ControlRequest::Kind::Stage: return ControlOp::Kind::Stage;
    case workload::ControlRequest::Kind::Shadow:
    case workload::ControlRequest::Kind::Unshadow: break;  // served at once (vmm/shadow_requests.cpp)
  }
  throw std::logic_error("control_op_kind: a shadow request is not the loader's");  // a caller's bug
}

RequestKind control_request_kind(ControlOp::Kind kind) {
  switch (kind) {
    case ControlOp::Kind::Unload: return RequestKind::SchedUnload;
    case ControlOp::Kind::Stage: return RequestKind::SchedStage;
    case ControlOp::Kind::Load:
    case ControlOp::Kind::Eject: break;
  }
  return RequestKind::SchedLoad;
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
    case ControlOp::Kind::Stage: return "stage";
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
  m_vmm.events().notify(m_submitted, m_clock.now());
}

void Replacement::run() {
  for (;;) {
    while (m_queue.empty()) wait(m_submitted);
    m_op = std::move(m_queue.front());
    m_queue.pop_front();
    m_busy = true;
    perform(*m_op);
    m_op.reset();
    m_busy = false;
  }
}

void Replacement::enter(Phase phase) {
  m_phase = phase;
  m_phase_at = m_clock.now();
  phase_signal.write(static_cast<std::uint8_t>(phase));
  phase_trace.set(static_cast<std::uint8_t>(phase), m_clock.now());
}

void Replacement::perform(const ControlOp& op) {
  report::ReplacementResult& r = m_result.emplace();
  r.kind = kind_name(op.kind);
  r.requester = op.requester;
  r.target = op.request.target;  // an ejection's: the offender
  r.from = m_manager.active().image.name;
  r.requested_at = op.requested_at;
  if (op.kind == ControlOp::Kind::Load) r.policy = policy_name(op.request.policy);
  r.reason = op.reason;
  // From a Plan{}: clang 14 judges Plan (its members have initializers) not
  // default-constructible where Replacement declares m_plan, and refuses emplace().
  Plan& p = m_plan.emplace(Plan{});
  std::string why;
  if (!plan(op, &p, &why)) {
    r.ok = false;
    r.reason = why;
    r.to = r.from;
  } else if (p.stage) {
    stage(op, p, r);
  } else if (!p.sequence) {
    r.ok = true;
    r.to = r.from;
    if (p.unload_inactive) r.unload = unload_in_background(op, *p.unload_inactive, &r.unload_cpu);
  } else {
    sequence(op, p, r);
  }
  m_results.push_back(std::move(r));
  m_result.reset();
  m_plan.reset();
  m_vmm.control_done(op, m_results.back().ok);
}

// [vmm] unload is VMM time: it runs on the pCPU of the service VM that asked
// (where its request came from), else on cpu0 — one documented choice, so
// that runs repeat byte for byte.
unsigned Replacement::unload_cpu(const ControlOp& op) const {
  if (op.work_cpu >= 0) return static_cast<unsigned>(op.work_cpu);
  if (op.service_vcpu != kNone) {
    const int cpu = m_vmm.last_cpu_of(op.service_vcpu);
    if (cpu >= 0) return static_cast<unsigned>(cpu);
  }
  return 0;
}

Cycles Replacement::unload_in_background(const ControlOp& op, std::uint32_t slot, int* cpu) {
  const Cycles start = m_clock.now();
  const unsigned on = unload_cpu(op);
  *cpu = static_cast<int>(on);
  if (m_config.vmm.unload > 0) {
    m_vmm.run_vmm_work(on, m_config.vmm.unload,
                       [this](Cycles done) { m_vmm.events().notify(m_unloaded, done); });
    wait(m_unloaded);
  }
  unload_inactive(slot);
  return m_clock.now() - start;
}

std::optional<report::ReplacementResult> Replacement::in_progress() const {
  if (!m_result) return std::nullopt;
  report::ReplacementResult r = *m_result;
  r.in_progress = true;
  r.to = m_manager.active().image.name;
  if (!r.sequence) return r;
  const Cycles now = m_clock.now();
  const Cycles so_far = now - m_phase_at;  // of the phase under way; the earlier ones are set
  switch (m_phase) {
    case Phase::Cease: r.cease = so_far; break;
    case Phase::Drain: r.drain = so_far; break;
    case Phase::Unload: r.unload = so_far; break;
    case Phase::Load: r.load = so_far; break;
    case Phase::Migrate: r.migrate = so_far; break;
    case Phase::Activate: r.activate = so_far; break;
    case Phase::UnloadAfter: r.unload_after = so_far; break;  // the guests run again: downtime is set
    case Phase::None:
    case Phase::Resume: break;
  }
  if (m_phase != Phase::UnloadAfter) r.downtime = now - r.started_at;
  return r;
}

void Replacement::sequence(const ControlOp& op, Plan& p, report::ReplacementResult& r) {
  const std::uint32_t old = m_manager.active_id();
  r.sequence = true;
  r.started_at = m_clock.now();

  enter(Phase::Cease);
  auto& cpus = m_vmm.processors();
  for (cpu::Processor* c : cpus) c->cease();
  for (cpu::Processor* c : cpus)
    if (!c->parked()) wait(c->parked_event());
  r.cease = m_clock.now() - r.started_at;
  m_vmm.go_offline(r.started_at);

  enter(Phase::Drain);
  Cycles t = m_clock.now();
  m_console.retire([this](devices::Console::Retirement x) {
    m_retired = x;
    m_vmm.events().notify(m_drained, m_clock.now());
  });
  wait(m_drained);
  r.drain = m_clock.now() - t;
  r.tx_retired = m_retired.tx_bytes;
  r.rx_retired = m_retired.rx_bytes;

  // The old scheduler's state stays in VMM memory until the new one is
  // active, so a failure resumes it where it stopped.
  enter(Phase::Unload);
  t = m_clock.now();
  if (p.unload_old) {
    spend(m_config.vmm.unload);
    m_memory.release(m_manager.slot(old).area);
  }
  p.history = m_history;
  for (std::uint32_t slot : p.evict) {  // kept images making room
    spend(m_config.vmm.unload);
    const SchedulerSlot& kept = m_manager.slot(slot);
    r.evicted.push_back(kept.image.name);
    p.evicted.push_back({slot, kept.image, kept.params});
    unload_inactive(slot);
  }
  r.unload = m_clock.now() - t;

  enter(Phase::Load);
  t = m_clock.now();
  std::uint32_t area = 0;
  if (p.load_target) {
    auto allocated = m_memory.allocate(p.image.bytes);
    if (!allocated)  // the plan made room: this is a bug in the plan
      throw std::logic_error(fmt::format("no room to load {} ({} bytes, {} of {} used)", p.image.name, p.image.bytes,
                                         m_memory.used(), m_memory.capacity()));
    area = *allocated;
    r.source = p.source;
    m_memory.transfer(area, p.load_cycles);
  }
  r.load = m_clock.now() - t;

  enter(Phase::Migrate);
  t = m_clock.now();
  const unsigned migrating = m_vmm.migratable_vcpus();
  spend(saturating_mul(m_config.vmm.migrate, migrating));
  r.migrate = m_clock.now() - t;

  enter(Phase::Activate);
  t = m_clock.now();
  r.ok = activate(p, area, r);
  r.activate = m_clock.now() - t;

  enter(Phase::Resume);
  m_console.resume();
  for (cpu::Processor* c : cpus) c->resume();
  r.downtime = m_clock.now() - r.started_at;
  r.to = m_manager.active().image.name;

  // [0028] "unload the old scheduler after the new scheduler is loaded": VMM
  // time on one pCPU while the guests run again, not downtime.
  if (r.ok && p.unload_after) {
    enter(Phase::UnloadAfter);
    r.unload_after = unload_in_background(op, old, &r.unload_cpu);
  }
  enter(Phase::None);
}

bool Replacement::activate(Plan& p, std::uint32_t area, report::ReplacementResult& r) {
  const std::uint32_t old = m_manager.active_id();
  const Bytes old_bytes = m_manager.slot(old).image.bytes;
  spend(m_manager.activation_cycles());
  // Under unload-old the new image may take the old one's slot: the old
  // scheduler waits aside until the new one is active.
  const bool in_old_slot = p.load_target && p.target == old;
  SchedulerSlot aside;
  if (in_old_slot) aside = m_manager.take(old);
  std::map<std::string, std::int64_t> kept_params;
  if (p.load_target) {
    m_manager.occupy(p.target, p.image, area, p.params);
  } else if (p.set_params) {
    kept_params = m_manager.slot(p.target).params;
    m_manager.set_params(p.target, p.params);
  }
  // (No string lives on this thread's stack across a wait: a run may end in
  // one, and a SystemC thread that is never resumed is never unwound.)
  r.staged = p.staged;
  // A staged instance is taken as it is, unless this load changed its parameters.
  if (p.staged && p.set_params) note(&r, m_manager.destroy_instance(p.target));
  const bool started = [&] {
    std::string err;
    if (!m_manager.slot(p.target).instance)
      err = m_manager.instantiate(p.target, m_config.platform.cpus, m_config.platform.clock);
    if (err.empty()) err = m_vmm.migrate_into(p.target, &r.vcpus_migrated);
    if (!err.empty())
      r.reason = fmt::format("{} failed to start: {}",
                             p.image.name.empty() ? m_manager.slot(p.target).image.name : p.image.name, err);
    return err.empty();
  }();
  m_manager.slot(p.target).staged = false;  // active now, or a kept image without an instance after a failure
  if (started) {
    m_manager.activate(p.target, m_clock.now());
    wait(sc_core::SC_ZERO_TIME);  // the ID register is read after this delta
    m_vmm.go_online(/*fresh=*/true);
    note(&r, in_old_slot ? SchedulerManager::destroy(aside) : m_manager.destroy_instance(old));
    if (p.unload_old) {
      if (!in_old_slot) m_manager.vacate(old);
      m_history.erase(std::remove(m_history.begin(), m_history.end(), old), m_history.end());
    }
    m_history.erase(std::remove(m_history.begin(), m_history.end(), p.target), m_history.end());
    m_history.push_back(p.target);
    return true;
  }
  // Roll back: the new one goes, the old one (reloaded if need be) stays.
  note(&r, m_manager.destroy_instance(p.target));
  if (p.load_target) {
    m_memory.release(m_manager.slot(p.target).area);
    m_manager.vacate(p.target);
  } else if (p.set_params) {
    m_manager.set_params(p.target, std::move(kept_params));  // the kept image keeps what it had
  }
  // What left the area comes back (charged as load time): the old image,
  // its room taken before its slot is restored (the slot map notes where it
  // is; the ID register names a loaded slot while it transfers), then the
  // kept images evicted for the new one.
  if (p.unload_old) (in_old_slot ? aside : m_manager.slot(old)).area = *m_memory.allocate(old_bytes);
  if (in_old_slot) m_manager.restore(old, std::move(aside));
  if (p.unload_old) m_memory.transfer(m_manager.slot(old).area);
  for (Plan::Evicted& e : p.evicted) {
    const std::uint32_t back = *m_memory.allocate(e.image.bytes);
    m_manager.occupy(e.slot, e.image, back, std::move(e.params));
    m_memory.transfer(back);
  }
  if (!p.evicted.empty()) m_history = p.history;
  m_vmm.go_online(/*fresh=*/false);
  r.vcpus_migrated = 0;
  return false;
}

}  // namespace vmmsim::vmm
