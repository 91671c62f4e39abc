#include "soak/invariants.h"

#include <set>

#include <fmt/format.h>

#include "schedulers/policy.h"

namespace vmmsim::soak {

using vmm::RunState;

namespace {

const char* state_name(RunState s) {
  switch (s) {
    case RunState::NotArrived: return "not-arrived";
    case RunState::Runnable: return "runnable";
    case RunState::Running: return "running";
    case RunState::Blocked: return "blocked";
    case RunState::Exited: return "exited";
    case RunState::Halted: return "halted";
  }
  return "?";
}

bool live(RunState s) { return s != RunState::Exited && s != RunState::Halted; }

constexpr std::size_t kKeptViolations = 10;

}  // namespace

// The message is formatted only when the invariant does not hold.
#define SOAK_CHECK(holds, event, ...)                       \
  do {                                                      \
    ++m_checks;                                             \
    if (!(holds)) fail(event, fmt::format(__VA_ARGS__));    \
  } while (0)

namespace {

}  // namespace

InvariantChecker::InvariantChecker(sc_core::sc_module_name name, models::Platform& platform, Cycles period)
    : sc_core::sc_module(name),
      vmm::Observer(true),  // every request, PIT ticks included
      m_platform(platform),
      m_period(period),
      m_describe_request([this] {
        return describe_request();
      }) {
  SC_HAS_PROCESS(InvariantChecker);
  SC_THREAD(poll);
  SC_METHOD(on_phase);
  sensitive << platform.vmm().replacement().phase_signal;
  dont_initialize();
  SC_METHOD(on_register);
  sensitive << platform.manager().scheduler_id_register;
  dont_initialize();
  platform.vmm().add_observer(this);
  // Booted at elaboration: the active scheduler is the default.
  m_default = platform.manager().active().image.name;
}

InvariantChecker::~InvariantChecker() { m_platform.vmm().remove_observer(this); }

void InvariantChecker::fail(const Describe& event, const std::string& what) {
  if (m_violations.size() < kKeptViolations) m_violations.push_back({m_platform.clock().now(), event(), what});
  if (m_violations.size() == 1) m_platform.events().stop();  // the first one is what a replay needs
}

void InvariantChecker::after_request(const vmm::Request& r, const vmm::Feedback& fb) {
  ++m_requests;
  m_request = r;
  m_feedback = fb;
  // Described only if something broke: this runs after every request.
  check_vmm(m_describe_request);
}

std::string InvariantChecker::describe_request() const {
  const vmm::Request& r = m_request;
  return fmt::format("request #{} {} (vcpu {}, cpu {}{}) at cycle {}", m_requests, vmm::request_name(r.kind), r.vcpu,
                     r.cpu, m_feedback.decided ? fmt::format("; next {}", m_feedback.next) : "",
                     m_platform.clock().now());
}

void InvariantChecker::check_vmm(const Describe& event) {
  vmm::Vmm& vmm = m_platform.vmm();
  vmm::SchedulerManager& m = m_platform.manager();
  const std::vector<vmm::Vcpu>& vcpus = m_platform.vcpus();
  const unsigned cpus = static_cast<unsigned>(vmm.processors().size());
  const Cycles now = m_platform.clock().now();

  // The ID register names a loaded slot; online, every requester reaches the
  // active scheduler through the activation mechanism.
  const std::uint32_t id = m.scheduler_id_register.read();
  SOAK_CHECK(id < m.slot_count() && m.slot(id).loaded, event, "the ID register names slot {}, not loaded", id);
  if (!vmm.offline()) {
    for (unsigned q = 0; q <= cpus; ++q) {
      vmm::EntryPoints e = m.entry(q);
      const vmm_sched_ops_t& a = *m.active().image.ops;
      // function-table copies the active table: compare what is called.
      SOAK_CHECK(e.self == m.active().instance && e.ops->pick_next == a.pick_next && e.ops->wake == a.wake &&
                     e.ops->block == a.block && e.ops->yield == a.yield && e.ops->tick == a.tick &&
                     e.ops->insert == a.insert && e.ops->remove == a.remove && e.ops->priority == a.priority,
                 event,
            "requester {} does not reach the active scheduler {} ({})", q, m.active().image.name,
                        vmm::activation_name(m.mechanism()));
    }
  }

  // A vCPU is on at most one pCPU, and every running vCPU is on one.
  std::vector<int> on(vcpus.size(), -1);
  for (unsigned c = 0; c < cpus; ++c) {
    vmm::VcpuId o = vmm.owner_of(c);
    if (o == vmm::kNone) continue;
    const vmm::Vcpu& v = vcpus[static_cast<std::size_t>(o)];
    SOAK_CHECK(on[static_cast<std::size_t>(o)] < 0, event,
          "vCPU {} is given to cpu{} and cpu{}", o, on[static_cast<std::size_t>(o)], c);
    on[static_cast<std::size_t>(o)] = static_cast<int>(c);
    SOAK_CHECK(v.state == RunState::Running || v.state == RunState::Halted, event,
          "cpu{} holds vCPU {}, which is {}", c, o, state_name(v.state));
  }
  for (const vmm::Vcpu& v : vcpus)
    if (v.state == RunState::Running)
      SOAK_CHECK(on[static_cast<std::size_t>(v.id())] >= 0, event, "vCPU {} is running on no pCPU", v.id());

  // The active scheduler holds exactly the live vCPUs, each once, runnable
  // as the VMM sees it (the built-ins keep this view in sched::Policy).
  if (!vmm.offline() && m.active().image.builtin()) {
    const auto* policy = static_cast<const sched::Policy*>(m.active().instance);
    for (const vmm::Vcpu& v : vcpus) {
      const bool runnable = v.state == RunState::Runnable || v.state == RunState::Running;
      if (policy->holds(v.id()) != live(v.state))
        SOAK_CHECK(false, event,
              "{} {} vCPU {} ({})", m.active().image.name, live(v.state) ? "lost" : "still holds", v.id(),
                          state_name(v.state));
      else if (live(v.state) && policy->holds_runnable(v.id()) != runnable)
        SOAK_CHECK(false, event, "{} thinks vCPU {} is {}runnable, the VMM has it {}", m.active().image.name, v.id(),
                   runnable ? "not " : "", state_name(v.state));
      // Where it runs: the policy placed it on the pCPU the VMM gave it to.
      const int placed = policy->placed_on(v.id());
      const int given = on[static_cast<std::size_t>(v.id())];
      if (v.state != RunState::Halted)
        SOAK_CHECK(placed == given, event, "{} placed vCPU {} on cpu{}, the VMM gave it to cpu{}",
                   m.active().image.name, v.id(), placed, given);
    }
  }

  // Every console byte a guest asked to write is accepted once or still
  // waits in its vCPU; the line sends what was accepted, never more.
  const devices::Console& con = m_platform.console();
  Bytes requested = 0, pending = 0;
  for (const vmm::Vcpu& v : vcpus) {
    requested += v.console_requested;
    pending += v.console_left();
  }
  SOAK_CHECK(requested == con.bytes_written() + pending, event,
        "guests asked to write {} console bytes; {} accepted + {} pending", requested,
                    con.bytes_written(), pending);
  SOAK_CHECK(con.level() <= con.capacity(), event, "console FIFO holds {} of {}", con.level(), con.capacity());
  SOAK_CHECK(con.bytes_transmitted() >= m_transmitted, event,
        "console transmitted went back from {} to {}", m_transmitted, con.bytes_transmitted());
  m_transmitted = con.bytes_transmitted();

  // Per pCPU: guest + vmm + idle + ceased = elapsed.
  for (unsigned c = 0; c < cpus; ++c) {
    const cpu::Processor& p = *vmm.processors()[c];
    Cycles sum = p.cycles_in(cpu::State::Guest) + p.cycles_in(cpu::State::Vmm) + p.cycles_in(cpu::State::Idle) +
                 p.cycles_in(cpu::State::Ceased);
    SOAK_CHECK(sum == now, event, "cpu{}: guest+vmm+idle+ceased = {} cycles, elapsed {}", c, sum, now);
  }
}

void InvariantChecker::after_replacement(const report::ReplacementResult& r) {
  ++m_replacements;
  const Describe event = [&] {
    return fmt::format("replacement #{} {} {} by {} ({} -> {}{}{}) at cycle {}", m_replacements, r.kind, r.target,
                       r.requester, r.from, r.to, r.reason.empty() ? "" : ": ", r.reason, m_platform.clock().now());
  };
  vmm::Vmm& vmm = m_platform.vmm();
  vmm::SchedulerManager& m = m_platform.manager();
  SOAK_CHECK(m.active().image.name == r.to, event, "{} is active, the result says {}", m.active().image.name, r.to);
  SOAK_CHECK(m.scheduler_id_register.read() == m.active_id(), event,
        "the ID register does not name the active slot");
  // Checked at the activation; after an unload-after phase the guests have
  // run on (a vCPU may have exited or faulted since).
  if (r.sequence && r.ok && r.unload_after == 0)
    SOAK_CHECK(r.vcpus_migrated == vmm.migratable_vcpus(), event,
          "{} vCPUs migrated, {} live", r.vcpus_migrated, vmm.migratable_vcpus());
  if (!r.ok) SOAK_CHECK(r.to == r.from, event, "a failed request changed the active scheduler");
  // Only plugins/broken makes invalid decisions on purpose; from any other
  // scheduler one is a bug in that policy.
  if (r.kind == "eject" && r.reason.find("runnable but not run") == std::string::npos)
    SOAK_CHECK(r.target == "broken", event, "{} made an invalid decision", r.target);
  if (r.sequence) {
    SOAK_CHECK(m_drained, event, "the sequence had no drain phase");
    SOAK_CHECK(r.tx_retired == m_drain_level, event,
          "{} console bytes reported retired, {} were in the FIFO", r.tx_retired, m_drain_level);
    m_drained = false;
  }
  // A stage never stops anything; a staged load has no load phase.
  if (r.kind == "stage") {
    SOAK_CHECK(!r.sequence && r.downtime == 0 && r.from == r.to, event, "a stage cost downtime {} or changed {} -> {}",
               r.downtime, r.from, r.to);
    bool staged = false;
    for (std::uint32_t i = 0; i < m.slot_count(); ++i)
      staged = staged || (m.slot(i).loaded && m.slot(i).staged && m.slot(i).instance != nullptr);
    if (r.ok) SOAK_CHECK(staged, event, "a stage succeeded and no slot holds a staged instance");
  }
  if (r.staged) SOAK_CHECK(r.load == 0, event, "a staged image's load took {} cycles", r.load);
  // Auto evicts kept images to make room, never the default's.
  for (const std::string& name : r.evicted)
    SOAK_CHECK(name != m_default, event, "the default scheduler {} was evicted", name);
  // Under unload-after the old image is gone once its phase has ended:
  // checked here, as the loader finishes the request, and not when the phase
  // signal leaves unload-after, by when the loader may have begun the next
  // request, a stage of the very image just unloaded (soak seed 268).
  if (r.ok && r.policy == "unload-after")
    SOAK_CHECK(!m.find(r.from), event, "{} is still loaded after its unload-after", r.from);
  check_images(event);
  check_vmm(event);
}

void InvariantChecker::check_images(const Describe& event) {
  const vmm::SchedulerManager& m = m_platform.manager();
  Bytes images = 0;
  unsigned loaded = 0;
  for (std::uint32_t s = 0; s < m.slot_count(); ++s)
    if (m.slot(s).loaded) images += m.slot(s).image.bytes, ++loaded;
  const devices::Memory& mem = m_platform.memory();
  SOAK_CHECK(images == mem.used() && mem.used() <= mem.capacity(), event,
             "loaded images take {} bytes, the image area has {} of {} used", images, mem.used(), mem.capacity());
  SOAK_CHECK(loaded <= m.slot_count(), event, "{} slots loaded of {}", loaded, m.slot_count());
  const vmm::SchedulerSlot& home = m.slot(m_platform.vmm().replacement().default_slot());
  SOAK_CHECK(!home.loaded || home.image.name == m_default, event,
             "the default's slot holds {}", home.image.name);
}

void InvariantChecker::on_phase() {
  const auto phase = static_cast<vmm::Phase>(m_platform.vmm().replacement().phase_signal.read());
  const devices::Console& con = m_platform.console();
  const Describe event = [&] {
    return fmt::format("replacement #{} entering phase {} at cycle {}", m_replacements + 1, static_cast<int>(phase),
                       m_platform.clock().now());
  };
  if (phase == vmm::Phase::Drain) {
    m_drain_level = con.level();
    m_drain_written = con.bytes_written();
    m_drained = true;
  } else if (m_phase == static_cast<std::uint8_t>(vmm::Phase::Drain)) {
    // The drain is over: what was in the FIFO has been sent, nothing new taken.
    SOAK_CHECK(con.level() == 0, event, "the console still holds {} bytes after the drain", con.level());
    SOAK_CHECK(con.bytes_written() == m_drain_written, event,
          "the console took {} bytes while retired", con.bytes_written() - m_drain_written);
  }
  // Between sequences (and after the resume) the slot table and the area
  // agree; inside one, the unload phase frees the area before the slot.
  if (phase == vmm::Phase::None || phase == vmm::Phase::UnloadAfter) check_images(event);
  m_phase = static_cast<std::uint8_t>(phase);
  probe(event);
}

void InvariantChecker::on_register() {
  probe([this] {
    return fmt::format("the ID register became {} at cycle {}", m_platform.manager().scheduler_id_register.read(),
                       m_platform.clock().now());
  });
}

void InvariantChecker::poll() {
  for (;;) {
    wait(m_platform.clock().span(m_period));
    probe([this] { return fmt::format("probe at cycle {}", m_platform.clock().now()); });
  }
}

// The processors themselves: a vCPU in guest mode on at most one pCPU, the
// one the VMM gave it to.
void InvariantChecker::probe(const Describe& event) {
  vmm::Vmm& vmm = m_platform.vmm();
  std::set<cpu::VcpuId> in_guest;
  for (unsigned c = 0; c < vmm.processors().size(); ++c) {
    const cpu::Processor& p = *vmm.processors()[c];
    if (p.state() != cpu::State::Guest) continue;
    SOAK_CHECK(in_guest.insert(p.owner()).second, event, "vCPU {} in guest mode on two pCPUs", p.owner());
    SOAK_CHECK(p.owner() == vmm.owner_of(c), event,
          "cpu{} runs vCPU {} in guest mode, the VMM gave it {}", c, p.owner(), vmm.owner_of(c));
  }
  check_vmm(event);
}

void InvariantChecker::at_end() {
  if (!ok()) return;  // stopped at a violation: nothing has settled
  const Describe event = [this] { return fmt::format("end of run at cycle {}", m_platform.clock().now()); };
  check_vmm(event);
  // A writer blocked on the console is woken when the FIFO has room: if the
  // FIFO is empty and accepting, nobody will ever wake it.
  const devices::Console& con = m_platform.console();
  for (const vmm::Vcpu& v : m_platform.vcpus())
    if (v.state == RunState::Blocked && v.console_left() > 0)
      SOAK_CHECK(con.level() > 0 || con.retired(), event,
            "vCPU {} waits to write {} console bytes to an empty console", v.id(), v.console_left());
  // The report's accounts: per pCPU the states add up to the run, and every
  // guest cycle belongs to one vCPU.
  const report::Results r = m_platform.results();
  Cycles guest = 0, vcpus = 0;
  for (std::size_t c = 0; c < r.pcpus.size(); ++c) {
    const report::PcpuResult& p = r.pcpus[c];
    SOAK_CHECK(p.guest + p.vmm + p.idle + p.ceased == r.elapsed, event,
               "report: cpu{} guest+vmm+idle+ceased = {}, elapsed {}", c, p.guest + p.vmm + p.idle + p.ceased,
               r.elapsed);
    guest += p.guest;
  }
  for (const report::VcpuResult& v : r.vcpus) vcpus += v.cpu;
  SOAK_CHECK(vcpus == guest, event, "report: vCPUs ran {} cycles, the pCPUs were in guest mode {}", vcpus, guest);
  SOAK_CHECK(r.console_written == r.console_transmitted + m_platform.console().level(), event,
             "report: console {} written, {} transmitted, {} in the FIFO", r.console_written, r.console_transmitted,
             m_platform.console().level());
}

}  // namespace vmmsim::soak
