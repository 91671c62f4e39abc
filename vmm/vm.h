// What the VMM keeps per VM (a guest or the service VM): its vCPUs' place
// among all vCPUs, its parameters, its console input and what happened to
// it. Plain C++.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/histogram.h"
#include "base/units.h"

namespace vmmsim::config {
struct Config;
}

namespace vmmsim::vmm {

struct Vm {
  std::string name;
  bool service = false;
  std::int32_t first_vcpu = 0;  // platform-wide id of its vCPU 0
  unsigned vcpu_count = 0;
  Bytes working_set = 0;
  // The cache refill after a switch onto a pCPU, local and after a
  // migration: the memory's rates are fixed, so computed once (Vmm's
  // constructor), not divided out at every dispatch.
  Cycles refill = 0;
  Cycles remote_refill = 0;
  std::uint32_t weight = 256;   // for the entitled share

  Bytes rx_buffer = 0;          // console input not yet read nor handed to a reader
  // Its vCPUs blocked in `read`, longest waiting first: input goes to the
  // front one, so no vCPU of a multi-vCPU VM starves (docs/generators.md).
  std::deque<std::int32_t> readers;
  Histogram input_latency;      // keystroke to dispatch of the reader
  unsigned running = 0;         // vCPUs on a pCPU now
};

// The VMs of `config` in declaration order (their vCPUs: vcpus_of).
std::vector<Vm> vms_of(const config::Config& config);

}  // namespace vmmsim::vmm
