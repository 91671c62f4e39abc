// A pCPU whose owner leaves (removed, or pick_next finds nobody to run) is
// no victim of a later wake. bvt, rtds, credit2 and eevdf take such a pCPU
// out of the structure a wake searches for its victim at select's idle
// decision or at on_remove, not when pick_next first tells them it is idle,
// so that a decision with a next owner moves it once (schedulers/policy.h,
// owner_changed).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schedulers/registry.h"
#include "tests/policy_test_units.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kIdle, kNoCpu, VcpuId, Params

std::vector<const vmm_sched_ops_t*> victim_searchers() {
  std::vector<const vmm_sched_ops_t*> found;
  for (const vmm_sched_ops_t* ops : builtin_schedulers())
    for (const char* name : {"bvt", "rtds", "credit2", "eevdf"})
      if (std::string(ops->name) == name) found.push_back(ops);
  return found;
}

class IdleBetweenOwnersTest : public ::testing::TestWithParam<const vmm_sched_ops_t*> {
 protected:
  // Two pCPUs: v0 runs on pCPU 0, v1 on pCPU 1 and is the natural victim (it
  // ran longer; under rtds its period, so its deadline, is later); v2 and v3
  // are blocked.
  void SetUp() override {
    const vmm_sched_ops_t& ops = *GetParam();
    m_params = default_params(ops.params, ops.param_count);
    vmm_sched_config_t config{2, kClock, m_params.data(), static_cast<std::uint32_t>(m_params.size())};
    char err[256] = "";
    m_self = ops.create(&config, err, sizeof err);
    ASSERT_NE(m_self, nullptr) << err;
    const Params later_deadline = {{"period", static_cast<std::int64_t>(20 * kMs)}};
    const Params none;
    for (VcpuId v = 0; v < 4; ++v) {
      vmm_vcpu_info_t info = vcpu_info(v, v == 1 ? later_deadline : none, v < 2);
      if (v < 2) info.running_on = v;
      ASSERT_EQ(ops.insert(m_self, &info, 0, err, sizeof err), 0) << ops.name << ": " << err;
    }
    // Each takes its owner back, v1 after running three times as long.
    ASSERT_EQ(ops.pick_next(m_self, 0, kNow, 0, 1 * kMs).next, 0) << ops.name;
    ASSERT_EQ(ops.pick_next(m_self, 1, kNow, 1, 3 * kMs).next, 1) << ops.name;
  }
  void TearDown() override {
    if (m_self) GetParam()->destroy(m_self);
  }

  // pCPU 1 has no owner now: a first wake takes it, a second must not.
  void expect_idle_pcpu_1_is_no_victim() {
    const vmm_sched_ops_t& ops = *GetParam();
    EXPECT_EQ(ops.wake(m_self, 2, kNow).cpu, 1) << ops.name;
    EXPECT_NE(ops.wake(m_self, 3, kNow).cpu, 1) << ops.name << ": the pCPU without owner is a victim";
  }

  static constexpr Cycles kNow = 5 * kMs;
  Params m_params;
  void* m_self = nullptr;
};

TEST_P(IdleBetweenOwnersTest, APcpuWhoseOwnerIsRemovedIsNoVictim) {
  GetParam()->remove(m_self, 1, kNow);
  expect_idle_pcpu_1_is_no_victim();
}

TEST_P(IdleBetweenOwnersTest, APcpuLeftIdleByPickNextIsNoVictim) {
  const vmm_sched_ops_t& ops = *GetParam();
  ops.block(m_self, 1, kNow);
  ASSERT_EQ(ops.pick_next(m_self, 1, kNow, 1, 0).next, kIdle) << ops.name;
  expect_idle_pcpu_1_is_no_victim();
}

INSTANTIATE_TEST_SUITE_P(Builtins, IdleBetweenOwnersTest, ::testing::ValuesIn(victim_searchers()),
                         [](const ::testing::TestParamInfo<const vmm_sched_ops_t*>& info) {
                           return std::string(info.param->name);
                         });

}  // namespace
}  // namespace vmmsim::sched
