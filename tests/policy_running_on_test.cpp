// [0027] After a live replacement every built-in policy is given the vCPUs
// parked on the pCPUs (insert with running_on) and then, on each pCPU, a
// first pick_next whose prev is that owner, with the guest cycles of its
// slot. Each policy must take that owner back as its own: valid decisions
// from then on, no vCPU on two pCPUs, nobody lost (docs/plugins.md).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schedulers/registry.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kIdle, kNoCpu, VcpuId, Params

class RunningOnTest : public ::testing::TestWithParam<const vmm_sched_ops_t*> {};

TEST_P(RunningOnTest, ParkedOwnersAreTakenBackAndDecisionsStayValid) {
  const vmm_sched_ops_t& ops = *GetParam();
  constexpr unsigned kCpus = 2;
  constexpr VcpuId kVcpus = 3;
  const Params params = default_params(ops.params, ops.param_count);
  vmm_sched_config_t config{kCpus, kClock, params.data(), static_cast<std::uint32_t>(params.size())};
  char err[256] = "";
  void* self = ops.create(&config, err, sizeof err);
  ASSERT_NE(self, nullptr) << err;
  // arinc653 schedules only VMs with a window.
  const bool arinc653 = std::string(ops.name) == "arinc653";
  Params vm_params = {{"window", static_cast<std::int64_t>(kMs)}};
  std::vector<VcpuId> on(kCpus, kIdle);
  const Cycles swap_at = 5 * kMs;
  for (VcpuId v = 0; v < kVcpus; ++v) {
    const bool parked = v < static_cast<VcpuId>(kCpus);  // vCPU c was on pCPU c
    vmm_vcpu_info_t info{v, static_cast<std::uint32_t>(v), 0, 1, parked ? v : kNoCpu, nullptr, 0, nullptr, 0};
    if (arinc653) info.vm_params = vm_params.data(), info.vm_param_count = 1;
    ASSERT_EQ(ops.insert(self, &info, swap_at, err, sizeof err), 0) << ops.name << ": " << err;
    if (parked) on[static_cast<std::size_t>(v)] = v;
  }
  // The first decisions see the parked owners with 2 ms in their slots;
  // then 40 rounds on both pCPUs, 100 us apart.
  Cycles now = swap_at;
  std::vector<Cycles> ran(kCpus, 2 * kMs);
  std::vector<unsigned> picked(kVcpus, 0);
  for (int round = 0; round < 40; ++round, now += 100 * kUs) {
    for (unsigned c = 0; c < kCpus; ++c) {
      vmm_decision_t d = ops.pick_next(self, c, now, on[c], ran[c]);
      ASSERT_TRUE(d.next == kIdle || (d.next >= 0 && d.next < kVcpus))
          << ops.name << " round " << round << " cpu" << c << " chose " << d.next;
      if (d.next != kIdle) {
        ASSERT_NE(d.next, on[1 - c]) << ops.name << " round " << round << ": vCPU " << d.next << " on both pCPUs";
        ++picked[static_cast<std::size_t>(d.next)];
      }
      on[c] = d.next;
      ran[c] = 100 * kUs;
    }
  }
  for (VcpuId v = 0; v < kVcpus; ++v) {
    ops.priority(self, v);  // answers for every vCPU it holds
    // fifo runs to completion; arinc653 runs its windows on pCPU 0 only.
    if (!arinc653 && std::string(ops.name) != "fifo") {
      EXPECT_GT(picked[static_cast<std::size_t>(v)], 0u) << ops.name << " never ran vCPU " << v;
    }
  }
  ops.destroy(self);
}

INSTANTIATE_TEST_SUITE_P(Builtins, RunningOnTest, ::testing::ValuesIn(builtin_schedulers()),
                         [](const ::testing::TestParamInfo<const vmm_sched_ops_t*>& info) {
                           return std::string(info.param->name);
                         });

// fifo puts a parked owner that did not yield back first in line: it goes on.
TEST(RunningOn, FifoKeepsTheParkedOwner) {
  const vmm_sched_ops_t& ops = fifo_ops();
  vmm_sched_config_t config{1, kClock, nullptr, 0};
  char err[256] = "";
  void* self = ops.create(&config, err, sizeof err);
  ASSERT_NE(self, nullptr) << err;
  vmm_vcpu_info_t queued{0, 0, 0, 1, kNoCpu, nullptr, 0, nullptr, 0};
  vmm_vcpu_info_t parked{1, 1, 0, 1, 0, nullptr, 0, nullptr, 0};
  ASSERT_EQ(ops.insert(self, &queued, 0, err, sizeof err), 0) << err;
  ASSERT_EQ(ops.insert(self, &parked, 0, err, sizeof err), 0) << err;
  EXPECT_EQ(ops.pick_next(self, 0, 0, 1, 2 * kMs).next, 1);
  ops.destroy(self);
}

}  // namespace
}  // namespace vmmsim::sched
