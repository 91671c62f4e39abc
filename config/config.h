// The resolved simulation configuration (docs/config.md): every value the
// platform uses, defaults filled in, durations in cycles.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/units.h"
#include "config/image_source.h"
#include "controllers/rule.h"
#include "workload/trace_program.h"

namespace vmmsim::config {

struct PlatformConfig {
  unsigned cpus = 1;
  Hertz clock = 1000000000;
};

struct PitConfig {
  Hertz hz = 1000;  // scheduler tick rate the VMM programs into channel 0
  unsigned mode = 2;
};

// [console] focus = scheduled: the focus follows the scheduler (docs/config.md).
inline constexpr const char* kScheduledFocus = "scheduled";

struct ConsoleConfig {
  std::uint64_t baud = 115200;
  Bytes fifo = 16;
  std::string focus;          // VM name, or "scheduled" (follows the dispatches on `cpu`); empty = the first VM
  unsigned cpu = 0;           // the pCPU whose dispatches move a scheduled focus
  Cycles input_start = 0;     // first keystroke
  Cycles input_every = 0;     // 0 = no console input
  Bytes input_bytes = 1;      // bytes per keystroke burst
  std::uint64_t input_count = 0;  // 0 = until the run ends
};

// Modeled costs, in cycles; each may be 0.
struct CostConfig {
  Cycles vm_exit = 1000;
  Cycles vm_entry = 1000;
  Cycles hypercall = 500;
  Cycles context_switch = 1500;
};

// Per activation mechanism: the cost of one dispatch and of one activation.
struct ActivationCostConfig {
  Cycles id_register_dispatch = 100;     // read the register, index the slot table
  Cycles id_register_activate = 50;      // write the register
  Cycles function_table_dispatch = 60;   // one indirect call through the table
  Cycles function_table_activate = 500;  // overwrite every entry of the table
  Cycles patch_dispatch = 20;            // a direct call
  Cycles patch_activate = 200;           // per patched call site
  Cycles function_table_pointer_move = 100;  // function-table-pointers: per requester's pointer moved
};

struct VmmConfig {
  std::string scheduler = "rr";
  std::string activation = "id-register";
  std::string slice_timer = "deadline";  // deadline: a per-pCPU one-shot timer; pit: the slot ends at an IRQ0 edge
  CostConfig costs;
  Bytes image_area = 64 * 1024;
  unsigned slots = 4;           // scheduler slots in the slot table
  Cycles watchdog = 500000000;  // 500 ms at 1 GHz; 0 = off (set from the clock)
  Cycles unload = 2000;         // cost of unloading an image
  Cycles migrate = 300;         // cost of migrating one vCPU into a scheduler
};

// A scheduler control request at a simulated time (--swap, --stage, [run]
// swap, [run] stage).
struct Swap {
  Cycles at = 0;
  std::string spec;  // as written: TIME:TARGET[,KEY=VALUE...] or TIME:unload[=NAME]
  workload::ControlRequest request;
};

struct MemoryConfig {
  Bytes load_bytes_per_cycle = 8;
  Cycles load_latency = 10000;
  Bytes refill_bytes_per_cycle = 32;
  Bytes remote_refill_bytes_per_cycle = 8;
};

struct VmConfig {
  std::string name;
  bool service = false;  // the [service] VM
  std::string trace_path;  // as resolved (relative to the config file)
  // The trace, parsed once and never changed: VMs that name the same file,
  // and the vCPUs that replay a one-program trace, share its steps (each
  // vCPU keeps only its place in them: workload::ProgramCursor).
  std::shared_ptr<const workload::TraceProgram> program;
  unsigned vcpus = 0;
  Bytes working_set = 0;
  // pCPUs its vCPUs may run on (bit c % 8 of byte c / 8); empty = all.
  // Honoured by the policies that support affinity (docs/schedulers.md).
  std::vector<std::uint8_t> affinity;
  std::string affinity_text;  // as written, e.g. "0-3,6"
  // Policy parameters of this VM (weight, warp, ...), durations in cycles,
  // defaults filled in for every key a built-in scheduler declares.
  std::map<std::string, std::int64_t> params;

  // The program vCPU `index` runs: its own, or the one every vCPU replays.
  const workload::VcpuProgram& program_of(unsigned index) const {
    return program->vcpus.size() == 1 ? program->vcpus.front() : program->vcpus.at(index);
  }
};

struct Config {
  std::string file;  // the config file as given
  PlatformConfig platform;
  PitConfig pit;
  ConsoleConfig console;
  VmmConfig vmm;
  ActivationCostConfig activation;
  MemoryConfig memory;
  // [sched.NAME] parameters per built-in scheduler, durations in cycles,
  // defaults filled in.
  std::map<std::string, std::map<std::string, std::int64_t>> sched;
  // [image_source.NAME]: where a sched-load with source=NAME loads from.
  std::map<std::string, ImageSource> image_sources;
  std::vector<VmConfig> vms;  // declaration order; the service VM where declared
  Cycles until = 0;           // [run] until
  // [run] swap and stage in the order written, then --stage, then --swap:
  // requests due at the same cycle are served in this order.
  std::vector<Swap> swaps;
  // [run] shadow, then --shadow: TIME:TARGET[,KEY=VALUE...] or TIME:unshadow
  // (request kind Shadow / Unshadow). At one cycle they come before swaps.
  std::vector<Swap> shadows;
  // [controller]: the switching controller the service VM runs; none
  // without the section (docs/controller.md).
  std::optional<controllers::ControllerConfig> controller;
};

}  // namespace vmmsim::config
