// A physical CPU: a switch device. It holds its owner (a vCPU or idle), runs
// the owner's guest bursts, takes VM exits to the VMM, enforces the slice the
// scheduler returned with a per-pCPU deadline timer, and has a cease sign in
// its VM-resume path: while set it resumes no guest (a running guest is
// kicked by an IPI and parks at its VM exit).
//
// The slot timer ([vmm] slice_timer): `deadline` is a per-pCPU one-shot
// timer at the slice's end (as Xen's per-CPU timers); `pit` has no timer of
// its own: the PIT's IRQ0 edge ends a slot whose slice is over (patent
// [0016], claim 16), so slots last a whole number of PIT periods or more.
//
// Event-driven: a processor has no process of its own; it arms one wake-up
// in the platform's shared queue for the earliest of burst end, slice end and
// a requested reschedule. The VM entry after the VMM's work is decided with
// the decision and needs no wake-up unless a cease or a reschedule arrives
// before it (then the VM-resume path decides at its cycle, as on hardware). The shared queue runs processors due at the same
// cycle in pCPU index order, so simultaneous decisions are deterministic and
// documented. Cycle accounting: guest + vmm + idle + ceased = elapsed, always.
#pragma once

#include <array>
#include <cstdint>

#include <systemc>

#include "cpu/exit_handler.h"
#include "report/vcd_writer.h"
#include "sim/cycle_clock.h"
#include "sim/wakeup_queue.h"

namespace vmmsim::cpu {

enum class State : std::uint8_t { Idle = 0, Guest = 1, Vmm = 2, Ceased = 3 };
const char* state_name(State s);
// The owner as traced (--vcd): 0 idle, vCPU id + 1 (a distinct small code,
// not -1 as 4294967295; the translate filter names them).
constexpr std::uint32_t traced_owner(VcpuId owner) { return owner < 0 ? 0 : static_cast<std::uint32_t>(owner) + 1; }

enum class SliceTimer : std::uint8_t { Deadline, Pit };

class Processor : public WakeupQueue::Sleeper, public sc_core::sc_module {  // Sleeper first: no thunk
 public:
  // Traced (--vcd): traced_owner() of the owner, and the State.
  // alignas(64): the fields a step reads fill 4 lines from here (a miss
  // each on a platform of hundreds of pCPUs); keep them together, m_parked last.
  alignas(64) report::VcdSignal owner_trace;
  report::VcdSignal state_trace;

  // `wakeups` is shared by all processors, a source of `loop`.
  Processor(sc_core::sc_module_name name, unsigned index, const CycleClock& clock, ExitHandler& handler,
            WakeupQueue& wakeups, EventLoop& loop, SliceTimer timer = SliceTimer::Deadline);

  // Called by the shared queue at the wake-up this processor asked for.
  void wake_up(Cycles now) override { step(now); }

  // Reschedule no later than cycle `at` (a wake, a tick, an IPI).
  void request_reschedule(Cycles at);
  // Take a VM exit no later than `at` for work the VMM must do on this pCPU
  // (a guest is kicked as by an IPI, an idle pCPU woken); unless a
  // reschedule is also due, the exit is ExitReason::VmmWork and the owner
  // goes on after the work.
  void request_vmm_work(Cycles at);
  // An IRQ0 edge under SliceTimer::Pit: if the slot's slice is over (a
  // guest's, or an idle pCPU's wait for the policy's next event), the slot
  // ends now, as a slice expiry. True if it does. No-op under Deadline.
  bool irq0_edge();
  // Set the cease sign: the guest is kicked and the processor parks at its
  // next VM-resume point. parked_event() fires once it has.
  void cease();
  // Clear the cease sign; a parked processor asks for its next owner.
  void resume();
  bool ceasing() const { return m_cease; }
  bool parked() const { return m_state == State::Ceased; }
  const sc_core::sc_event& parked_event() const { return m_parked; }

  unsigned index() const { return m_index; }
  State state() const;
  VcpuId owner() const { return m_owner; }
  // Cycles spent in each state up to now.
  Cycles cycles_in(State s) const;
  // Guest cycles the owner has run since they were last reported to the
  // VMM (at a burst's end or an exit): what a reader of its cycles in the
  // middle of a burst adds. Reads only.
  Cycles unreported_guest() const { return state() == State::Guest ? m_clock.now() - m_entered : 0; }
  // Report the guest cycles run so far to the VMM (at the end of a run, so
  // that every guest cycle belongs to a vCPU).
  void settle();

 private:
  void step(Cycles now);        // everything due now
  void leave_guest(ExitReason reason, Cycles now);
  // The exit for a due m_resched_at: `preempt`, or VmmWork if only work is due.
  ExitReason resched_reason(ExitReason preempt);
  ExitReason slot_end_reason(Cycles now);  // Pit: the IRQ0 edge ended the slot
  // Pit, at the VM resume: an edge that came in the VMM ends the slot now if
  // its slice is over (m_slot_ended, a wake-up now); true if it does.
  bool pending_edge_ends_slot(Cycles now);
  void take(ExitReason reason, bool from_guest, Cycles executed, Cycles now);
  void vm_resume(Cycles now);   // the VM-resume path, with the cease sign
  // The VM entry at the end of the VMM's work, decided now when nothing can
  // change it before then, so the processor is not woken just to enter (one
  // kernel activation less per decision); false: vm_resume decides then.
  bool enter_ahead(Cycles now);
  void record_entry(Cycles now);    // the decided entry, once its cycle is reached
  void withdraw_entry(Cycles now);  // a cease or an early reschedule came first
  void set_state(State s, Cycles now);
  void arm(Cycles at, Cycles now);
  // When the slot timer fires by itself: the slice's end under Deadline,
  // never under Pit (irq0_edge() ends the slot).
  Cycles timer_at() const { return m_timer == SliceTimer::Deadline ? m_slice_end : kForever; }
  bool slice_over(Cycles now) const {
    return m_timer == SliceTimer::Deadline ? now >= m_slice_end : m_slot_ended;
  }

  // After the traces (the ABI lays the fields out in declaration order), up
  // to m_cycles: what a step reads.
  const unsigned m_index;
  const SliceTimer m_timer;
  State m_state = State::Idle;
  State m_entering = State::Vmm;  // Guest/Idle: entered at m_vmm_until (enter_ahead); Vmm: none
  bool m_preempt = false;         // m_resched_at is a reschedule, not only VMM work
  bool m_cease = false;
  bool m_slot_ended = false;    // Pit: an IRQ0 edge ended the slot; taken at the next step
  bool m_edge_pending = false;  // Pit: an IRQ0 edge came while in the VMM; seen at the VM resume
  VcpuId m_owner = kNoOwner;
  const CycleClock& m_clock;
  ExitHandler& m_handler;
  WakeupQueue& m_wakeups;
  EventLoop& m_loop;  // parked_event() reaches SystemC processes through it
  Resume m_next;      // what to enter at the end of VMM work
  Cycles m_since = 0;    // when m_state was entered
  Cycles m_entered = 0;  // guest cycles before this are reported
  Cycles m_burst_end = kForever;
  Cycles m_slice_end = kForever;
  Cycles m_decided_at = 0;  // when the VMM last decided (an idle slice starts there)
  Cycles m_vmm_until = 0;
  Cycles m_resched_at = kForever;  // a requested reschedule, or VMM work
  Cycles m_armed_for = kForever;
  std::array<Cycles, 4> m_cycles{};
  sc_core::sc_event m_parked;  // seldom: a cease
};

}  // namespace vmmsim::cpu
