// The decision in one call: a pCPU's VM exit (on_exit) and, where it needs
// the scheduler, the decision itself (decide_on): a slice expiry, a
// preemption, an idle pCPU woken, a resume, and a hypercall that leaves its
// pCPU (block, yield, exit, a blocking console or control request, a
// fault). handle()'s bookkeeping for these kinds alone, without its general
// switch (docs/performance/fourth-round.md "The decision in one call"). Part of vmm::Vmm.
#include <algorithm>

#include "base/host_clock.h"
#include "vmm/vmm.h"

namespace vmmsim::vmm {

// The console is a switch device (patent [0013]): under [console] focus =
// scheduled its focus goes to the VM of each vCPU dispatched on its pCPU.
// A resume's decisions do not move it: the focus at cease is the focus after.
void Vmm::focus_follows(unsigned cpu, cpu::ExitReason reason, VcpuId next) {
  if (!m_focus_scheduled || cpu != m_config.console.cpu || next == kNone || reason == cpu::ExitReason::Resume)
    return;
  const std::size_t vm = m_vcpus[static_cast<std::size_t>(next)].vm();
  if (vm == m_focus) return;
  m_focus = vm;
  m_console.set_focus(static_cast<std::uint32_t>(vm));
}

// Inlined into decide, its one caller: every decision runs it.
template <Vmm::Watch W>
inline __attribute__((always_inline)) void Vmm::dispatched(int cpu, VcpuId prev, VcpuId next, std::int64_t priority,
                                                          Cycles now) {
  Dispatch& d = m_dispatch[static_cast<std::size_t>(cpu)];
  if (W == Watch::All && m_observers.wants(kDispatched))
    m_observers.dispatched(static_cast<unsigned>(cpu), next, m_manager.active_id(), m_manager.active().image.name,
                           priority, now);
  if (prev != kNone && prev != next) {
    Vcpu& p = m_vcpus[static_cast<std::size_t>(prev)];
    if (p.state == RunState::Running) {  // descheduled while still runnable
      set_state<W>(p, RunState::Runnable);
      // A parked owner has waited since its pCPU ceased; its stall goes on.
      p.wait_since = p.stalled() ? p.stalled_since() : now;
    }
    set_running<W>(p, false, now);
  }
  d.owner = next;
  if (next == kNone) return;
  Vcpu& v = m_vcpus[static_cast<std::size_t>(next)];
  if (next == prev) {
    // A parked owner kept by the scheduler after a swap: it waited meanwhile.
    if (v.stalled()) {
      waited<W>(v, now - v.stalled_since());
      end_stall(v, now);
    }
    return;
  }
  end_stall(v, now);
  set_state<W>(v, RunState::Running);
  set_running<W>(v, true, now);
  waited<W>(v, now - v.wait_since);
  if (!v.first_dispatch) v.first_dispatch = now;
  ++v.dispatches;
  bool migrated = v.last_cpu >= 0 && v.last_cpu != cpu;
  if (migrated) ++v.migrations;
  if (d.last_owner != next) {
    ++v.context_switches;
    const Vm& vm = m_vms[v.vm()];
    v.add_stall(migrated ? vm.remote_refill : vm.refill);
  }
  if (v.input_pending) input_served<W>(v, now);
  v.last_cpu = cpu;
  d.last_owner = next;
  d.since = now;
}

// Inlined into decide_on, its one caller.
template <Vmm::Watch W>
inline __attribute__((always_inline)) Feedback Vmm::decide(const EntryPoints& s, int cpu, VcpuId prev,
                                                            Cycles now) {
  Dispatch& d = m_dispatch[static_cast<std::size_t>(cpu)];
  // The scheduler hears of prev only if it still holds it: not after its
  // exit or halt. A new scheduler holds the parked owner: it was inserted
  // as running here (go_online).
  VcpuId told = prev;
  if (prev != kNone && (m_vcpus[static_cast<std::size_t>(prev)].state == RunState::Exited ||
                        m_vcpus[static_cast<std::size_t>(prev)].state == RunState::Halted))
    told = kNone;
  d.decided = now;
  ++m_decisions;
  // Timed only beside a shadow, whose report puts the two costs side by side.
  const bool shadowed = W == Watch::All && m_shadow.on();
  const HostClock::time_point begin = shadowed ? HostClock::now() : HostClock::time_point{};
  // If it throws, the pCPU idles (slice 0: until woken) while it is ejected.
  vmm_decision_t choice = guarded("pick_next", vmm_decision_t{VMM_IDLE, 0}, [&] {
    return s.ops->pick_next(s.self, static_cast<std::uint32_t>(cpu), now, told, d.ran);
  });
  if (shadowed)
    m_shadow.pick_next(static_cast<unsigned>(cpu), now, d.ran, choice.next, choice.slice, host_ns_since(begin));
  VcpuId next = choice.next;
  if (m_zero_slices && choice.slice == 0) next = kNone;  // the loop being ejected: this pCPU idles
  const bool rejected = !valid_decision(next, prev) && reject_decision(next, prev, cpu);
  if (rejected) next = kNone;  // the watchdog ejects it; this pCPU idles until the default is back
  // The pCPU's feedback carries the priority of the vCPU it now runs.
  const std::int64_t priority = next == kNone ? 0 : priority_of<W>(s, next);
  dispatched<W>(cpu, prev, next, priority, now);
  d.ran = 0;
  // An idle pCPU asks again when its slice ends (a policy's next event, e.g.
  // a replenishment or a window); 0 or an ejected decision: only when woken.
  d.slice = next == kNone && (rejected || choice.slice == 0) ? kForever : choice.slice;
  Feedback fb;
  fb.decided = true;
  fb.next = next;
  fb.slice = d.slice;
  fb.priority = priority;
  return fb;
}

// The hypercall's vCPU leaves its pCPU: it yields, exits, halts (a fault) or
// blocks (io, sleep, a console or control request that waits).
template <Vmm::Watch W>
inline __attribute__((always_inline)) void Vmm::leave(const EntryPoints& s, RequestKind kind, Vcpu& v,
                                                     Cycles now) {
  const VcpuId id = v.id();
  switch (kind) {
    case RequestKind::Yield:
      guarded("yield", 0, [&] { return s.ops->yield(s.self, id, now), 0; });
      if (W == Watch::All && m_shadow.on()) m_shadow.yield(id, now);
      return;
    case RequestKind::Exit:
      set_state<W>(v, RunState::Exited);
      v.finish = now;
      guarded("remove", 0, [&] { return s.ops->remove(s.self, id, now), 0; });
      if (W == Watch::All && m_shadow.on()) m_shadow.remove(id, now);
      if (!m_vms[v.vm()].service && --m_guests_left == 0) m_loop.stop();
      return;
    case RequestKind::Fault:
      set_state<W>(v, RunState::Halted);
      guarded("remove", 0, [&] { return s.ops->remove(s.self, id, now), 0; });
      if (W == Watch::All && m_shadow.on()) m_shadow.remove(id, now);
      return;
    default:
      set_state<W>(v, RunState::Blocked);
      guarded("block", 0, [&] { return s.ops->block(s.self, id, now), 0; });
      if (W == Watch::All && m_shadow.on()) m_shadow.block(id, now);
      return;
  }
}

// Counted, guarded against time standing still and answered as handle()
// does it (intake, answer), in the same order: the counts, statuses and
// observers' view are those of the request it stands for.
template <Vmm::Watch W>
inline __attribute__((always_inline)) Feedback Vmm::decide_on_as(RequestKind kind, int cpu, VcpuId vcpu,
                                                                  Cycles now) {
  const Intake in = intake(kind, vcpu, cpu, now);
  const EntryPoints s = m_manager.entry(static_cast<unsigned>(cpu));
  const bool hypercall = vcpu != kNone;
  if (hypercall) leave<W>(s, kind, m_vcpus[static_cast<std::size_t>(vcpu)], now);
  Feedback fb = decide<W>(s, cpu, hypercall ? vcpu : m_dispatch[static_cast<std::size_t>(cpu)].owner, now);
  if (hypercall && !m_offline) {
    const RunState st = m_vcpus[static_cast<std::size_t>(vcpu)].state;
    // A decision that runs the requester asked for its priority already.
    if (st != RunState::Exited && st != RunState::Halted && fb.next != vcpu)
      fb.priority = priority_of<W>(s, vcpu);
  }
  answer<W>(kind, vcpu, cpu, in, fb);
  return fb;
}

// The path for what observes the request path now (vmm.h observed()).
Feedback Vmm::decide_on(RequestKind kind, int cpu, VcpuId vcpu, Cycles now) {
  if (!observed()) return decide_on_as<Watch::None>(kind, cpu, vcpu, now);
  return decide_on_watched(kind, cpu, vcpu, now);
}

Feedback Vmm::decide_on_watched(RequestKind kind, int cpu, VcpuId vcpu, Cycles now) {
  return running_watched_alone() ? decide_on_as<Watch::VmRunning>(kind, cpu, vcpu, now)
                                 : decide_on_as<Watch::All>(kind, cpu, vcpu, now);
}

Cycles Vmm::on_burst_end(unsigned cpu, cpu::VcpuId owner, Cycles executed) {
  Vcpu& v = m_vcpus[static_cast<std::size_t>(owner)];
  v.execute(executed);
  m_dispatch[cpu].ran += executed;
  return v.state == RunState::Halted ? 0 : burst_of(v);
}

cpu::Resume Vmm::on_exit(unsigned cpu_index, cpu::ExitReason reason, cpu::VcpuId owner, Cycles executed,
                         bool from_guest, Cycles now) {
  // Time stood still and the run is stopping: no more requests, this pCPU idles.
  if (!m_stalled.empty()) return cpu::Resume{cpu::kNoOwner, 0, kForever, 0};
  const int cpu = static_cast<int>(cpu_index);
  Dispatch& d = m_dispatch[cpu_index];
  Cycles cost = from_guest ? m_costs.vm_exit : 0;
  if (owner != kNone) {
    m_vcpus[static_cast<std::size_t>(owner)].execute(executed);
    d.ran += executed;
  }
  const Cycles work = take_vmm_work(cpu_index, now + cost);
  cost += work;
  Feedback fb;
  switch (reason) {
    case cpu::ExitReason::Cease:  // park with the owner; no decision
      return cpu::Resume{owner, 0, 0, cost};
    case cpu::ExitReason::ProgramStep:
      cost += m_costs.hypercall;
      // A vCPU halted while on this pCPU makes no more hypercalls: it leaves.
      if (m_vcpus[static_cast<std::size_t>(owner)].state == RunState::Halted)
        fb = decide_on(RequestKind::Preempt, cpu, kNone, now);
      else
        fb = program_step(cpu, m_vcpus[static_cast<std::size_t>(owner)], now);
      break;
    case cpu::ExitReason::SliceExpiry: fb = decide_on(RequestKind::SliceExpiry, cpu, kNone, now); break;
    case cpu::ExitReason::Preempt: fb = decide_on(RequestKind::Preempt, cpu, kNone, now); break;
    case cpu::ExitReason::Wakeup: fb = decide_on(RequestKind::Idle, cpu, kNone, now); break;
    case cpu::ExitReason::Resume: fb = decide_on(RequestKind::Resume, cpu, kNone, now); break;
    case cpu::ExitReason::VmmWork:
      if (owner == kNone || m_vcpus[static_cast<std::size_t>(owner)].state != RunState::Halted)
        return after_vmm_work(cpu_index, owner, cost, work, from_guest);
      fb = decide_on(RequestKind::Preempt, cpu, kNone, now);  // halted meanwhile: it leaves
      break;
  }
  if (fb.decided && m_focus_scheduled) focus_follows(cpu_index, reason, fb.next);  // the test inline: rarely on
  if (!fb.decided) {  // the hypercall completed: the owner goes on
    Cycles slice_left = d.slice == kForever ? kForever : d.slice - std::min(d.slice, d.ran);
    return cpu::Resume{owner, burst_of(m_vcpus[static_cast<std::size_t>(owner)]), slice_left,
                       cost + m_costs.vm_entry};
  }
  cost += m_manager.dispatch_cycles();
  if (fb.next == kNone) return cpu::Resume{cpu::kNoOwner, 0, fb.slice, cost};
  if (fb.next != owner) cost += m_costs.context_switch;
  return cpu::Resume{fb.next, burst_of(m_vcpus[static_cast<std::size_t>(fb.next)]), fb.slice,
                     cost + m_costs.vm_entry};
}

}  // namespace vmmsim::vmm
