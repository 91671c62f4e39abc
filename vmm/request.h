// Scheduling requests and the feedback each gets (DESIGN.md §4).
#pragma once

#include <array>
#include <cstdint>

#include "base/units.h"

namespace vmmsim::vmm {

using VcpuId = std::int32_t;
inline constexpr VcpuId kNone = -1;

enum class RequestKind : std::uint8_t {
  Tick,          // PIT IRQ0
  SliceExpiry,   // per-pCPU slice timer
  Preempt,       // a pCPU asked to reschedule (wake tickle, tick)
  Idle,          // an idle pCPU looks for work
  Yield,         // hypercall
  Block,         // hypercall: io or sleep
  ConsoleWrite,  // hypercall
  ConsoleRead,   // hypercall
  Exit,          // hypercall: the program ended
  Arrival,       // a vCPU arrives (its program starts)
  IoWake,        // I/O completion or timer
  ConsoleWake,   // console input, or TX space for a blocked writer
  Resume,        // a pCPU's cease sign was cleared
  SchedLoad,     // service VM (or --swap): load and activate a scheduler
  SchedUnload,   // service VM (or --swap): unload a scheduler
  SchedStage,    // service VM (or --stage): load an image to activate later
  ControlDone,   // the answer to a load/unload wakes the service VM
  Fault,         // a guest faulted: its VM halts
  HaltVm,        // service VM: take a faulted VM's vCPUs off the run queues
  ServiceIrq,    // a fault notification wakes the service VM
  Count
};
inline constexpr std::size_t kRequestKinds = static_cast<std::size_t>(RequestKind::Count);
const char* request_name(RequestKind kind);

// A request of this kind wakes its vCPU (Vmm::wake_on).
constexpr bool is_wake(RequestKind kind) {
  return kind == RequestKind::Arrival || kind == RequestKind::IoWake || kind == RequestKind::ConsoleWake ||
         kind == RequestKind::ControlDone || kind == RequestKind::ServiceIrq;
}

// A request of this kind from a pCPU ends in a decision there (Vmm::decide_on):
// the pCPU's own (slice expiry, preempt, idle, resume; no vCPU) or a
// hypercall that leaves it (its vCPU yields, blocks, exits or faults).
constexpr bool ends_in_decision(RequestKind kind) {
  switch (kind) {
    case RequestKind::SliceExpiry:
    case RequestKind::Preempt:
    case RequestKind::Idle:
    case RequestKind::Resume:
    case RequestKind::Yield:
    case RequestKind::Block:
    case RequestKind::ConsoleWrite:
    case RequestKind::ConsoleRead:
    case RequestKind::SchedLoad:
    case RequestKind::SchedUnload:
    case RequestKind::SchedStage:
    case RequestKind::Fault:
    case RequestKind::Exit:
      return true;
    default:
      return false;
  }
}

// Fig. 4 block 404, [0023]: done; rejected (a control request refused, a PIT
// tick dropped while the processors are ceased); invalid (the scheduler's
// decision was invalid or one of its operations threw); deferred (arrived
// while the processors were ceased: held until a scheduler is back).
enum class Status : std::uint8_t { Done, Rejected, Invalid, Deferred };
inline constexpr std::size_t kStatuses = 4;

struct Request {
  RequestKind kind;
  VcpuId vcpu = kNone;  // the requester (or subject)
  int cpu = -1;         // the pCPU it concerns, if any
};

// What the requester gets back: a hypercall's return value, a pCPU's next
// owner. `next`/`slice` are set where a decision was made.
struct Feedback {
  Status status = Status::Done;
  bool decided = false;
  VcpuId next = kNone;
  Cycles slice = kForever;
  // The scheduler's priority of the requester's vCPU; for a pCPU's request,
  // of the vCPU it dispatched (0 when none, or offline).
  std::int64_t priority = 0;
};

}  // namespace vmmsim::vmm
