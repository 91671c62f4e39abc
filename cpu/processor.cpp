#include "cpu/processor.h"

#include <algorithm>

namespace vmmsim::cpu {

const char* state_name(State s) {
  switch (s) {
    case State::Idle: return "idle";
    case State::Guest: return "guest";
    case State::Vmm: return "vmm";
    case State::Ceased: return "ceased";
  }
  return "?";
}

namespace {
Cycles after(Cycles now, Cycles span) { return saturating_add(now, span); }  // kForever at most
}  // namespace

Processor::Processor(sc_core::sc_module_name name, unsigned index, const CycleClock& clock,
                     ExitHandler& handler, WakeupQueue& wakeups, EventLoop& loop, SliceTimer timer)
    : sc_core::sc_module(name),
      m_index(index),
      m_timer(timer),
      m_clock(clock),
      m_handler(handler),
      m_wakeups(wakeups),
      m_loop(loop) {
  wakeups.attach(index, *this);
}

void Processor::arm(Cycles at, Cycles now) {
  if (at == kForever || at >= m_armed_for) return;
  m_armed_for = at;
  m_wakeups.schedule(m_index, std::max(at, now));
}

void Processor::set_state(State s, Cycles now) {
  m_cycles[static_cast<std::size_t>(m_state)] += now - m_since;
  m_since = now;
  m_state = s;
  state_trace.set(static_cast<std::uint8_t>(s), now);
}

State Processor::state() const {
  return m_entering != State::Vmm && m_clock.now() >= m_vmm_until ? m_entering : m_state;
}

Cycles Processor::cycles_in(State s) const {
  const Cycles now = m_clock.now();
  Cycles c = m_cycles[static_cast<std::size_t>(s)];
  if (m_entering != State::Vmm && now >= m_vmm_until) {  // entered, not yet recorded
    if (s == State::Vmm) return c + (m_vmm_until - m_since);
    return s == m_entering ? c + (now - m_vmm_until) : c;
  }
  return s == m_state ? c + (now - m_since) : c;
}

bool Processor::enter_ahead(Cycles now) {
  const Cycles at = m_vmm_until;
  if (m_cease || m_resched_at <= at || at == kForever) return false;  // vm_resume decides at `at`
  if (m_owner == kNoOwner) {
    m_entering = State::Idle;
    m_slice_end = after(m_decided_at, m_next.slice);
    arm(std::max(std::min(m_resched_at, timer_at()), at), now);
  } else {
    m_entering = State::Guest;
    m_entered = at;
    m_burst_end = after(at, m_next.burst);
    m_slice_end = after(at, m_next.slice);
    arm(std::min({m_burst_end, timer_at(), m_resched_at}), now);
  }
  state_trace.set_at(static_cast<std::uint8_t>(m_entering), at);
  return true;
}

void Processor::record_entry(Cycles now) {
  if (m_entering == State::Vmm || now < m_vmm_until) return;
  m_cycles[static_cast<std::size_t>(State::Vmm)] += m_vmm_until - m_since;
  m_since = m_vmm_until;
  m_state = m_entering;  // traced already, at its cycle
  m_entering = State::Vmm;
}

void Processor::withdraw_entry(Cycles now) {
  m_entering = State::Vmm;
  state_trace.withdraw();
  arm(m_vmm_until, now);  // vm_resume decides at the end of the VMM's work
}

void Processor::request_reschedule(Cycles at) {
  m_preempt = true;
  request_vmm_work(at);
}

// An IRQ0 edge ended the slot: a slice expiry, whose decision also covers a
// reschedule or VMM work due now (the VMM takes queued work at every exit).
ExitReason Processor::slot_end_reason(Cycles now) {
  if (m_resched_at <= now) resched_reason(ExitReason::Preempt);
  return ExitReason::SliceExpiry;
}

ExitReason Processor::resched_reason(ExitReason preempt) {
  const bool was = m_preempt;
  m_resched_at = kForever;
  m_preempt = false;
  return was ? preempt : ExitReason::VmmWork;
}

void Processor::request_vmm_work(Cycles at) {
  const Cycles now = m_clock.now();
  // A request at the VM-resume cycle itself is seen by the VM-resume path
  // (unless this processor was due then and has run already).
  if (now > m_vmm_until) record_entry(now);
  m_resched_at = std::min(m_resched_at, at);
  if (m_entering != State::Vmm) {  // still in the VMM, its entry decided
    if (m_resched_at <= m_vmm_until)
      withdraw_entry(now);  // vm_resume would preempt at once
    else
      arm(m_resched_at, now);
    return;
  }
  if (m_state == State::Guest || m_state == State::Idle) arm(m_resched_at, now);
}

bool Processor::irq0_edge() {
  if (m_timer != SliceTimer::Pit) return false;
  const Cycles now = m_clock.now();
  record_entry(now);
  if (m_cease) return false;
  if (m_state == State::Vmm) {
    // In the VMM the interrupt stays pending until the VM resume, as IRQ0
    // does on hardware: the slot ends there if its slice is over by then.
    m_edge_pending = true;
    if (m_entering != State::Vmm && m_vmm_until >= m_slice_end) withdraw_entry(now);
    return false;
  }
  if ((m_state != State::Guest && m_state != State::Idle) || now < m_slice_end) return false;
  m_slot_ended = true;
  arm(now, now);
  return true;
}

bool Processor::pending_edge_ends_slot(Cycles now) {
  const bool pending = m_edge_pending;
  m_edge_pending = false;
  if (!pending || now < m_slice_end) return false;
  m_slot_ended = true;
  arm(now, now);
  return true;
}

void Processor::cease() {
  if (m_cease) return;
  m_cease = true;
  const Cycles now = m_clock.now();
  if (now > m_vmm_until) record_entry(now);
  // Still in the VMM: it parks at its VM-resume point instead of entering.
  if (m_entering != State::Vmm) return withdraw_entry(now);
  // The IPI: a guest exits at once; an idle processor parks at once.
  if (m_state == State::Guest || m_state == State::Idle) arm(now, now);
}

void Processor::resume() {
  if (!m_cease) return;
  m_cease = false;
  if (m_state == State::Ceased) arm(m_clock.now(), m_clock.now());
}

void Processor::settle() {
  const Cycles now = m_clock.now();
  record_entry(now);
  if (m_state != State::Guest) return;
  Cycles more = m_handler.on_burst_end(m_index, m_owner, now - m_entered);
  m_entered = now;
  m_burst_end = after(now, more);
}

void Processor::step(Cycles now) {
  m_armed_for = kForever;
  record_entry(now);
  switch (m_state) {
    case State::Guest:
      if (now >= m_burst_end) {
        Cycles more = m_handler.on_burst_end(m_index, m_owner, now - m_entered);
        m_entered = now;  // guest cycles up to now are reported
        m_burst_end = after(now, more);
      }
      if (now >= m_burst_end)
        leave_guest(ExitReason::ProgramStep, now);
      else if (m_cease)
        leave_guest(ExitReason::Cease, now);
      else if (m_slot_ended)  // the tick is the requester; it covers a reschedule due now
        leave_guest(slot_end_reason(now), now);
      else if (now >= m_resched_at)
        leave_guest(resched_reason(ExitReason::Preempt), now);
      else if (slice_over(now))
        leave_guest(ExitReason::SliceExpiry, now);
      else
        arm(std::min({m_burst_end, timer_at(), m_resched_at}), now);
      break;
    case State::Vmm:
      if (now >= m_vmm_until)
        vm_resume(now);
      else
        arm(m_vmm_until, now);
      break;
    case State::Idle:
      if (m_cease) {
        set_state(State::Ceased, now);
        m_loop.notify(m_parked, now);
      } else if (m_slot_ended) {
        take(slot_end_reason(now), false, 0, now);
      } else if (now >= m_resched_at) {
        take(resched_reason(ExitReason::Wakeup), false, 0, now);
      } else if (slice_over(now)) {
        take(ExitReason::SliceExpiry, false, 0, now);
      } else {
        arm(std::min(m_resched_at, timer_at()), now);
      }
      break;
    case State::Ceased:
      if (!m_cease) {
        resched_reason(ExitReason::Resume);  // the decision below covers any pending request
        take(ExitReason::Resume, false, 0, now);
      }
      break;
  }
}

void Processor::leave_guest(ExitReason reason, Cycles now) {
  take(reason, true, now - m_entered, now);
}

void Processor::take(ExitReason reason, bool from_guest, Cycles executed, Cycles now) {
  set_state(State::Vmm, now);
  m_slot_ended = false;  // a new slot, or the same one going on (a hypercall)
  m_edge_pending = false;  // an edge before this decision is no edge of the slot it makes
  m_decided_at = now;
  m_next = m_handler.on_exit(m_index, reason, m_owner, executed, from_guest, now);
  if (m_next.owner != m_owner) {
    m_owner = m_next.owner;
    owner_trace.set(traced_owner(m_owner), now);
  }
  m_vmm_until = after(now, m_next.vmm_cycles);
  if (m_next.vmm_cycles == 0)
    vm_resume(now);
  else if (!enter_ahead(now))
    arm(m_vmm_until, now);
}

void Processor::vm_resume(Cycles now) {
  if (m_cease) {
    set_state(State::Ceased, now);
    m_loop.notify(m_parked, now);
    return;
  }
  if (m_resched_at <= now) {
    take(resched_reason(ExitReason::Preempt), false, 0, now);
    return;
  }
  if (m_owner == kNoOwner) {
    // An idle slice is wall time from the decision, not guest time.
    set_state(State::Idle, now);
    m_slice_end = after(m_decided_at, m_next.slice);
    if (pending_edge_ends_slot(now)) return;
    arm(std::min(m_resched_at, timer_at()), now);
    return;
  }
  set_state(State::Guest, now);
  m_entered = now;
  m_burst_end = after(now, m_next.burst);
  m_slice_end = after(now, m_next.slice);
  if (pending_edge_ends_slot(now)) return;
  // A zero burst exits in the next delta, not recursively: a program of
  // back-to-back hypercalls must not grow the stack.
  arm(std::min({m_burst_end, timer_at(), m_resched_at}), now);
}

}  // namespace vmmsim::cpu
