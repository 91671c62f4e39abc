// A workload trace, parsed: one program per vCPU (docs/trace-format.md).
// Plain C++: no SystemC, fuzzable on its own.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "base/units.h"

namespace vmmsim::workload {

enum class StepKind {
  Run,        // compute `cycles` of CPU time
  Io,         // block on device I/O for `cycles`, woken by its completion
  Sleep,      // block for `cycles` (a timer, not a device)
  Console,    // write `bytes` to the console (blocks while the TX FIFO is full)
  Read,       // block until `bytes` of console input reached this VM
  Yield,      // give up the pCPU, stay runnable
  Exit,       // the program ends here
  LoopBegin,  // repeat the steps up to `jump` (its LoopEnd) `count` times
  LoopEnd,    // jump back to `jump` (its LoopBegin) while iterations remain
  SchedLoad,    // service VM: load and activate a scheduler (`control` indexes
                // TraceProgram::controls)
  SchedUnload,  // service VM: unload a scheduler (`control` likewise)
  SchedStage,   // service VM: load an image without activating it (`control` likewise)
  Fault,        // the guest faults: its VM halts
  Periodic,     // `every period run cycles count N`: a job of `cycles` CPU time
                // released at the start of each period, due at its end
  SchedShadow,    // service VM: start a shadow scheduler (`control` likewise)
  SchedUnshadow,  // service VM: end the shadow (`control` likewise)
};

// What to do with the scheduler being replaced (DESIGN.md §4).
enum class LoadPolicy {
  KeepOld,    // keep its image loaded for a later revert
  UnloadOld,  // unload it before loading the new one
  Auto,       // unload it only if the image area has no room
  UnloadAfter,  // unload it after the new one is active, while the guests run
};

// A scheduler control request: a service-VM step, or a --swap, --stage or
// --shadow option.
struct ControlRequest {
  // Stage: load the image and create its instance while the guests run,
  // to be activated by a later Load of the same scheduler.
  // Shadow / Unshadow: sched-shadow, sched-unshadow (docs/replacement.md
  // "Shadow evaluation"): `params` then also holds tolerance= and host_budget=.
  enum class Kind { Load, Unload, Stage, Shadow, Unshadow } kind = Kind::Load;
  // Load, Stage, Shadow: a built-in name, or a shared-object path (it contains '/' or ends
  // in ".so"; a relative one is resolved against the trace file's folder).
  // Unload: the scheduler's name; empty = the active one.
  std::string target;
  LoadPolicy policy = LoadPolicy::Auto;
  std::vector<std::pair<std::string, std::string>> params;  // key, value as written
  // Load, Stage: the [image_source.NAME] the image comes from; empty = the VMM's
  // own memory ([memory] load_bandwidth, load_latency).
  std::string source;
  std::uint32_t line = 0;
};

inline constexpr std::uint64_t kRepeatForever = ~std::uint64_t{0};

// Limits of the format (docs/trace-format.md), shared by every writer of traces.
inline constexpr std::size_t kMaxSteps = 1000000;  // per trace, all vCPUs together
// Characters per line (its end not counted), of trace text and of every
// importer's input: a statement or a record is far shorter.
inline constexpr std::size_t kMaxLineChars = 4096;
// Far below 2^64 so that "now + step" cannot wrap in the executor.
inline constexpr Cycles kMaxStepCycles = Cycles{1} << 50;
// The longest step, and the latest arrival, at `clock`: 2^50 cycles, or
// less below about 488 MHz, where SystemC time ends sooner (max_duration).
inline Cycles max_step_cycles(Hertz clock) { return std::min(kMaxStepCycles, max_duration(clock)); }

struct Step {
  StepKind kind = StepKind::Exit;
  Cycles cycles = 0;
  Bytes bytes = 0;
  std::uint64_t count = 0;  // LoopBegin and its LoopEnd: iterations; Periodic: jobs (kRepeatForever)
  Cycles period = 0;        // Periodic: the job period (its relative deadline)
  std::uint32_t jump = 0;   // LoopBegin <-> LoopEnd partner index
  std::uint32_t control = 0;  // Sched* steps: index in TraceProgram::controls
  std::uint32_t line = 0;   // source line, for messages
};

struct VcpuProgram {
  unsigned index = 0;   // the N of `vcpu N`
  Cycles arrival = 0;   // `arrive` time; runnable from then on
  std::vector<Step> steps;  // flat; loops as LoopBegin/LoopEnd pairs
};

struct TraceProgram {
  std::string file;
  std::vector<VcpuProgram> vcpus;  // sorted by index, indices 0..n-1
  std::vector<ControlRequest> controls;  // referenced by the Sched* steps
};

}  // namespace vmmsim::workload
