// Shared by the policy tests that drive an ops table directly (no SystemC):
// a 1 GHz clock, so 1 us = 1000 cycles, and the ABI's names.
#pragma once

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

}  // namespace vmmsim::sched::testing
