#include "models/platform.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "base/input_error.h"
#include "models/vm_results.h"
#include "schedulers/registry.h"
#include "sim/sanitizer_stack.h"

namespace vmmsim::models {

namespace {
Cycles cycles_per_byte(Hertz clock, std::uint64_t baud) {
  // 8N1: ten bit times per byte.
  return static_cast<Cycles>((static_cast<unsigned __int128>(clock) * 10 + baud - 1) / baud);
}
}  // namespace

Platform::Platform(sc_core::sc_module_name name, const config::Config& config)
    : sc_core::sc_module(name), m_config(config), m_clock(config.platform.clock), m_pit_out("pit_out", true) {
  const config::MemoryConfig& mc = config.memory;
  devices::MemoryConfig memory{config.vmm.image_area, mc.load_bytes_per_cycle, mc.load_latency,
                               mc.refill_bytes_per_cycle, mc.remote_refill_bytes_per_cycle};
  m_loop = std::make_unique<EventLoop>("events", m_clock);
  m_memory = std::make_unique<devices::Memory>("memory", m_clock, memory);
  m_pit = std::make_unique<devices::Pit>("pit", m_clock);
  m_pit->out(m_pit_out);
  m_pit->set_driven(false);  // the VMM computes IRQ0 edges; OUT moves only when traced
  m_console = std::make_unique<devices::Console>("console", m_clock,
                                                 cycles_per_byte(m_clock.hz(), config.console.baud),
                                                 config.console.fifo);
  m_console->attach(*m_loop);
  m_vmm = std::make_unique<vmm::Vmm>(
      "vmm", vmm::Vmm::Parts{m_clock, *m_loop, config, *m_pit, *m_console, *m_memory});
  m_processor_wakeups = std::make_unique<WakeupQueue>(config.platform.cpus);
  m_loop->attach(*m_processor_wakeups);
  std::vector<cpu::Processor*> processors;
  const cpu::SliceTimer timer = config.vmm.slice_timer == "pit" ? cpu::SliceTimer::Pit : cpu::SliceTimer::Deadline;
  for (unsigned c = 0; c < config.platform.cpus; ++c) {
    m_processors.push_back(std::make_unique<cpu::Processor>(("cpu" + std::to_string(c)).c_str(), c, m_clock,
                                                            *m_vmm, *m_processor_wakeups, *m_loop, timer));
    processors.push_back(m_processors.back().get());
  }
  try {
    m_vmm->attach(processors);  // loads the default scheduler
  } catch (const std::runtime_error& e) {
    throw InputError(m_config.file + ": " + e.what());
  }
}

Platform::~Platform() = default;

const std::vector<std::string>& Platform::vcd_legends() {
  static const std::vector<std::string> legends{"owner", "state", "slot", "phase", "vm"};
  return legends;
}

// Names: leaf_name() of scope and quantity, "cpu0_owner", "vm_web_running"
// (docs/results.md "--vcd FILE").
void Platform::trace_vcd(OutputFile& file) {
  m_vcd = std::make_unique<report::VcdWriter>(file, m_clock.period_ps());
  report::VcdWriter& vcd = *m_vcd;
  // Initial values as the models hold them before the simulation starts.
  for (auto& p : m_processors) {
    std::string n = p->basename();
    vcd.declare(p->owner_trace, n, "owner", 32, cpu::traced_owner(p->owner()), "owner");
    vcd.declare(p->state_trace, n, "state", 8, static_cast<std::uint8_t>(p->state()), "state");
  }
  vcd.declare(manager().id_trace, "vmm", "scheduler_id", 32, manager().active_id(), "slot");
  vcd.declare(m_vmm->replacement().phase_trace, "vmm", "replacement_phase", 8, 0, "phase");
  vcd.keep_history(m_vmm->replacement().phase_trace);  // the save file's markers
  vmm::SchedulerManager& m = manager();
  std::uint64_t loaded = 0;
  for (std::uint32_t i = 0; i < m.slot_count(); ++i) loaded |= std::uint64_t{m.slot(i).loaded} << i;
  vcd.declare(m.loaded_trace, "vmm", "loaded_slots", m.slot_count(), loaded);
  vcd.bit_field(m.loaded_trace);
  vcd.declare(m_memory->image_bytes_trace, "vmm", "image_bytes", 64, m_memory->used());
  // The slot -> scheduler map at boot, in the header; each load and unload
  // adds a $comment where it happens (and a label of the slot's value).
  for (std::uint32_t i = 0; i < m.slot_count(); ++i)
    if (m.slot(i).loaded) m.loaded_trace.comment(m.describe(i), m_clock.now());
  vcd.declare(m_pit->out_trace, "pit", "out", 1, 1);  // high until programmed
  m_pit->trace_out_waveform();  // computed edge by edge by the VCD writer: no process runs per edge
  vcd.declare(m_console->level_trace, "console", "fifo_level", 32, 0);
  vcd.declare(m_console->focus_trace, "console", "focus", 32, m_console->focus(), "vm");
  m_vcd_observer = std::make_unique<VcdObserver>(vcd, m_vmm->vms());
  m_vmm->add_observer(m_vcd_observer.get());
  // The values' names, for the viewer's translate filters.
  vcd.label("owner", cpu::traced_owner(vmm::kNone), "idle");
  for (const vmm::Vcpu& v : m_vmm->vcpus())
    vcd.label("owner", cpu::traced_owner(v.id()), m_vmm->vms()[v.vm()].name + "." + std::to_string(v.index()));
  for (auto s : {cpu::State::Idle, cpu::State::Guest, cpu::State::Vmm, cpu::State::Ceased})
    vcd.label("state", static_cast<std::uint8_t>(s), cpu::state_name(s));
  for (std::uint8_t p = 0; p <= static_cast<std::uint8_t>(vmm::Phase::UnloadAfter); ++p)
    vcd.label("phase", p, vmm::phase_name(static_cast<vmm::Phase>(p)));
  for (std::uint32_t i = 0; i < m.slot_count(); ++i)
    if (m.slot(i).loaded) vcd.label("slot", i, m.slot(i).image.name);
  for (std::size_t i = 0; i < m_vmm->vms().size(); ++i) vcd.label("vm", i, m_vmm->vms()[i].name);
}

void Platform::record_timeline(OutputFile& file, Cycles from, Cycles to, Cycles replacement_pad) {
  m_timeline =
      std::make_unique<report::Timeline>(file, m_clock.hz(), m_config.platform.cpus, from, to, replacement_pad);
  m_timeline_observer =
      std::make_unique<TimelineObserver>(*m_timeline, m_config.platform.cpus, m_vmm->vms(), m_vmm->vcpus());
  m_vmm->add_observer(m_timeline_observer.get());
}

bool Platform::run(Cycles until, const volatile std::sig_atomic_t* stop, Cycles first_chunk) {
  bool stopped = false;
  if (!stop) {
    m_loop->advance(until);
    sim::restore_main_stack_bounds();
  } else {
    // Chunks of simulated time sized so that each takes 10..50 ms of host
    // time: a signal is noticed within about 0.1 s, and a long run makes
    // few sc_start calls. sc_start(t) leaves what is due at t to the next
    // call, so chunked and whole runs execute the same events in the same order.
    using HostClock = std::chrono::steady_clock;
    const Cycles end = saturating_add(m_clock.now(), until);
    Cycles chunk = first_chunk ? first_chunk : std::max<Cycles>(m_clock.hz() / 1000, 1);  // 1 ms
    while (m_clock.now() < end && sc_core::sc_get_status() != sc_core::SC_STOPPED) {
      if (*stop) {
        stopped = true;
        break;
      }
      if ((m_vcd && m_vcd->failed()) || (m_timeline && m_timeline->failed())) break;  // nothing more can be kept
      const auto started = HostClock::now();
      m_loop->advance(std::min(chunk, end - m_clock.now()));
      sim::restore_main_stack_bounds();
      const auto took = HostClock::now() - started;
      if (m_between_chunks) m_between_chunks();
      if (took < std::chrono::milliseconds(10) && chunk < kForever / 2)
        chunk *= 2;
      else if (took > std::chrono::milliseconds(50) && chunk > 1)
        chunk /= 2;
    }
  }
  // The VMM stopped a run whose simulated time stood still: bad input.
  if (!m_vmm->stalled().empty()) throw InputError(m_vmm->stalled());
  // A run stopped by sc_stop() (every guest ended) stops at that cycle.
  for (auto& p : m_processors) p->settle();
  if (m_timeline) {
    m_timeline_observer->finish(*m_vmm, m_clock.now());
    m_timeline->close();
  }
  return stopped;
}

void Platform::finish_trace() {
  if (m_vcd) m_vcd->close(m_clock.now(), m_loop->served_now());
}

report::Results Platform::results() const {
  report::Results r;
  r.config_file = m_config.file;
  r.scheduler = m_vmm->manager().active().image.name;
  r.activation = vmm::activation_name(m_vmm->manager().mechanism());
  r.replacements = m_vmm->replacement_results();
  const vmm::SchedulerManager& m = m_vmm->manager();
  for (std::uint32_t i = 0; i < m.slot_count(); ++i)
    if (m.resident(i)) r.slots.push_back({i, m.slot(i).image.name, m.address(i), m.slot(i).image.bytes});
  r.image_area = {m_memory->image_base(), m_memory->capacity(), m_memory->used()};
  r.faults = m_vmm->faults();
  r.epochs = m_vmm->epochs();
  r.shadows = m_vmm->shadow_results();
  r.controller = m_vmm->controller_result(r.replacements);
  r.cpus = m_config.platform.cpus;
  r.clock = m_clock.hz();
  r.elapsed = m_clock.now();
  r.all_finished = m_vmm->guests_done();
  const std::vector<vmm::Vm>& vms = m_vmm->vms();
  const std::vector<vmm::Vcpu>& vcpus = m_vmm->vcpus();
  for (const vmm::Vcpu& v : vcpus) {
    report::VcpuResult vr;
    vr.vm = vms[v.vm()].name;
    vr.index = v.index();
    vr.arrival = v.arrival();
    vr.cpu = v.cpu_cycles;
    vr.refill = v.refill_cycles();
    vr.wait = m_vmm->waits_of(v.id());
    // A swap stall still open at the end is a wait that has not ended: it
    // counts from the stall's start up to now, as the stall does
    // (docs/results.md); a vCPU parked while running waited only since then.
    if (v.stalled()) vr.wait.add(r.elapsed - v.stalled_since());
    if (v.first_dispatch) vr.response = *v.first_dispatch - v.arrival();
    if (v.finish) vr.turnaround = *v.finish - v.arrival();
    vr.dispatches = v.dispatches;
    vr.context_switches = v.context_switches;
    vr.migrations = v.migrations;
    vr.jobs = v.jobs;
    vr.deadline_misses = v.deadline_misses;
    vr.lateness = v.lateness;
    vr.swap_stall = v.swap_stall_cycles(r.elapsed);
    vr.swap_stall_max = v.swap_stall_max(r.elapsed);
    if (v.priority_last) vr.priority = report::VcpuResult::Priority{*v.priority_last, v.priority_min, v.priority_max};
    r.vcpus.push_back(std::move(vr));
  }
  for (const auto& p : m_processors)
    r.pcpus.push_back({p->cycles_in(cpu::State::Guest), p->cycles_in(cpu::State::Vmm), p->cycles_in(cpu::State::Idle),
                       p->cycles_in(cpu::State::Ceased)});
  add_vm_results(r, *m_vmm);
  for (std::size_t k = 0; k < vmm::kRequestKinds; ++k) {
    auto kind = static_cast<vmm::RequestKind>(k);
    r.requests.emplace_back(vmm::request_name(kind), m_vmm->requests(kind));
  }
  r.feedback_done = m_vmm->feedback_count(vmm::Status::Done);
  r.feedback_rejected = m_vmm->feedback_count(vmm::Status::Rejected);
  r.feedback_invalid = m_vmm->feedback_count(vmm::Status::Invalid);
  r.feedback_deferred = m_vmm->feedback_count(vmm::Status::Deferred);
  r.pit_ticks = m_vmm->pit_ticks();
  r.console_written = m_console->bytes_written();
  r.console_transmitted = m_console->bytes_transmitted();
  r.console_received = m_console->bytes_received();
  return r;
}

}  // namespace vmmsim::models
