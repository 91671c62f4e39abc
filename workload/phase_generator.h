// `vmmsim trace gen phases` (docs/generators.md "phases"): a workload whose
// character changes over time, so that a scheduler chosen once is wrong in
// some phase. Phases (batch, interactive, periodic) follow each other from
// time 0 in the order asked, the list repeated --repeat times. Each phase is
// made of the other generators' parts: the CPU-bound vCPUs of VM `batch`, the
// interactive vCPU of VM `shell` (the console's focus), the periodic vCPUs of
// VM `rt`. Plain C++: no SystemC.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workload/generators.h"

namespace vmmsim::workload {

// One phase as laid out in time, and the vCPUs and keystrokes that belong to it.
struct PhaseWindow {
  PhaseKind kind = PhaseKind::Batch;
  Nanoseconds start = 0, end = 0;  // [start, end)
  // VM batch's vCPUs [batch_first, batch_first + batch_count) arrive at `start`
  // (a batch phase's own, or another phase's background), VM rt's likewise.
  unsigned batch_first = 0, batch_count = 0;
  unsigned rt_first = 0, rt_count = 0;
  // An interactive phase: the console's keystrokes [first, first + count)
  // (0-based, in the order typed), every one typed inside [start, end).
  std::uint64_t keystroke_first = 0, keystroke_count = 0;
};

// One VM's trace.
struct PhaseVm {
  std::string name;  // "batch", "shell" or "rt"
  unsigned vcpus = 0;
  std::string trace;
};

struct PhaseWorkload {
  std::vector<PhaseWindow> windows;  // back to back from 0, in order
  std::vector<PhaseVm> vms;          // those the phases need, in the order batch, shell, rt
  Nanoseconds span = 0;              // the last phase's end
  // The shell's keystrokes, as [console] types them (input_count 0: no shell):
  // one every --think from input_start, input_count in all, one byte each.
  Nanoseconds input_start = 0, input_every = 0;
  std::uint64_t input_count = 0;
};

// The workload of a `phases` spec. The same spec gives the same bytes.
// Throws InputError, naming the option, when the spec is invalid or a trace
// would exceed the format's limits.
PhaseWorkload generate_phases(const GeneratorSpec& spec);

// The service VM of `trace gen phases --controller`: one vCPU asleep for
// good, so that its only work is the switching controller's evaluations
// (the end of a controller's window wakes it: docs/controller.md "Where it
// runs"). Its header records the command and the spec, as the VMs' traces do.
std::string phases_service_trace(const GeneratorSpec& spec);

}  // namespace vmmsim::workload
