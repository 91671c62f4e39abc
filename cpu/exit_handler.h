// What a processor asks of the VMM when its guest leaves it (or it needs an
// owner). The processor keeps time and state; the VMM decides.
#pragma once

#include <cstdint>

#include "base/units.h"

namespace vmmsim::cpu {

using VcpuId = std::int32_t;
inline constexpr VcpuId kNoOwner = -1;

enum class ExitReason : std::uint8_t {
  ProgramStep,  // the guest reached a hypercall in its program (yield, io, ...)
  SliceExpiry,  // the per-pCPU slice timer fired
  Preempt,      // the VMM asked this pCPU to reschedule (a wake, a tick)
  Cease,        // kicked by the cease sign: park, do not reschedule
  Wakeup,       // an idle pCPU was asked to reschedule
  Resume,       // the cease sign was cleared: ask for the next owner
  VmmWork,      // kicked (as by an IPI) only to do VMM work: the owner goes on after it
};

// Where the processor goes next: `owner` (kNoOwner = idle) enters guest mode
// after `vmm_cycles` of VMM work, runs up to `burst` guest cycles before its
// next hypercall, and at most `slice` guest cycles (kForever) before the slice
// timer fires.
struct Resume {
  VcpuId owner = kNoOwner;
  Cycles burst = 0;
  Cycles slice = kForever;
  Cycles vmm_cycles = 0;
};

class ExitHandler {
 public:
  virtual ~ExitHandler() = default;
  // `executed`: guest cycles the owner ran since it last entered guest mode.
  // `from_guest`: the processor was in guest mode (a VM exit is charged).
  // `now`: the cycle of the exit (the caller's, read once).
  virtual Resume on_exit(unsigned cpu, ExitReason reason, VcpuId owner, Cycles executed, bool from_guest,
                         Cycles now) = 0;
  // The owner's burst ended after `executed` guest cycles: how many more it
  // computes before its next hypercall (0: it exits for a program step). A
  // program that computes on (a loop of runs) takes no VM exit.
  virtual Cycles on_burst_end(unsigned cpu, VcpuId owner, Cycles executed) = 0;
};

}  // namespace vmmsim::cpu
