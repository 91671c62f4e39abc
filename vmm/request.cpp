#include "vmm/request.h"

namespace vmmsim::vmm {

const char* request_name(RequestKind kind) {
  switch (kind) {
    case RequestKind::Tick: return "tick";
    case RequestKind::SliceExpiry: return "slice_expiry";
    case RequestKind::Preempt: return "preempt";
    case RequestKind::Idle: return "idle";
    case RequestKind::Yield: return "yield";
    case RequestKind::Block: return "block";
    case RequestKind::ConsoleWrite: return "console_write";
    case RequestKind::ConsoleRead: return "console_read";
    case RequestKind::Exit: return "exit";
    case RequestKind::Arrival: return "arrival";
    case RequestKind::IoWake: return "io_wake";
    case RequestKind::ConsoleWake: return "console_wake";
    case RequestKind::Resume: return "resume";
    case RequestKind::SchedLoad: return "sched_load";
    case RequestKind::SchedUnload: return "sched_unload";
    case RequestKind::SchedStage: return "sched_stage";
    case RequestKind::ControlDone: return "control_done";
    case RequestKind::Fault: return "fault";
    case RequestKind::HaltVm: return "halt_vm";
    case RequestKind::ServiceIrq: return "service_irq";
    case RequestKind::Count: break;
  }
  return "?";
}

}  // namespace vmmsim::vmm
