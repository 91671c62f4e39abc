// Shared by the policy tests that drive an ops table directly (no SystemC):
// a 1 GHz clock, so 1 us = 1000 cycles, and the ABI's names.
#pragma once

#include <cstdint>
#include <vector>

#include "base/units.h"
#include "schedulers/sched_abi.h"

namespace vmmsim::sched::testing {

constexpr Hertz kClock = 1'000'000'000;
constexpr Cycles kUs = 1'000;
constexpr Cycles kMs = 1'000'000;
constexpr Cycles kS = 1'000'000'000;
constexpr vmm_vcpu_id_t kIdle = VMM_IDLE;
constexpr int kNoCpu = VMM_NO_CPU;
using VcpuId = vmm_vcpu_id_t;
using Params = std::vector<vmm_param_t>;

// CPU work that becomes runnable at `at`, or `gap` after the previous burst
// ended (an I/O wait), whichever is later.
struct Burst {
  Cycles at;
  Cycles run;
  Cycles gap = 0;
};

// What insert() is told of vCPU `id` (its own VM, id as the VM index); the
// vectors must outlive the insert() call.
inline vmm_vcpu_info_t vcpu_info(VcpuId id, const Params& vm_params = {}, bool runnable = false,
                                 const std::vector<std::uint8_t>& affinity = {}) {
  return vmm_vcpu_info_t{id,
                         static_cast<std::uint32_t>(id),
                         0,
                         runnable,
                         kNoCpu,
                         vm_params.data(),
                         static_cast<std::uint32_t>(vm_params.size()),
                         affinity.empty() ? nullptr : affinity.data(),
                         static_cast<std::uint32_t>(affinity.size())};
}

// Every parameter at its default, as the VMM fills them (durations in cycles).
inline Params default_params(const vmm_param_spec_t* specs, std::uint32_t count) {
  Params p;
  for (std::uint32_t i = 0; i < count; ++i)
    p.push_back({specs[i].key, specs[i].kind == VMM_PARAM_DURATION
                                   ? specs[i].default_value * static_cast<std::int64_t>(kUs)
                                   : specs[i].default_value});
  return p;
}

}  // namespace vmmsim::sched::testing
