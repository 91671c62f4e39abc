// The C scheduler plugins in plugins/, loaded with dlopen as the VMM loads
// them and driven through their ops tables: zero-overhead driver loops for
// schedules, direct calls for single decisions. No SystemC.
// VMMSIM_PLUGIN_DIR names the folder holding vmmsim_<name>.so.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "schedulers/sched_abi.h"
#include "schedulers/table_check.h"

namespace {

using VcpuId = vmm_vcpu_id_t;
using Cycles = vmm_cycles_t;
using Params = std::vector<vmm_param_t>;
constexpr std::uint64_t kClock = 1'000'000'000;  // 1 GHz: 1 us = 1000 cycles
constexpr Cycles kUs = 1'000;
constexpr Cycles kMs = 1'000'000;

std::string plugin_path(const std::string& name) {
  return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_" + name + ".so";
}

// One dlopen'ed shared object; closed when the test ends.
class SharedObject {
 public:
  explicit SharedObject(const std::string& name)
      : m_handle(dlopen(plugin_path(name).c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (!m_handle) ADD_FAILURE() << "dlopen " << plugin_path(name) << ": " << dlerror();
  }
  ~SharedObject() {
    if (m_handle) dlclose(m_handle);
  }
  SharedObject(const SharedObject&) = delete;
  SharedObject& operator=(const SharedObject&) = delete;

  bool loaded() const { return m_handle != nullptr; }
  vmm_sched_entry_t entry() const {
    return m_handle ? reinterpret_cast<vmm_sched_entry_t>(dlsym(m_handle, VMMSIM_SCHED_ENTRY))
                    : nullptr;
  }
  // The table, failing the test if the plugin does not hand one out.
  const vmm_sched_ops_t& ops() const {
    static const vmm_sched_ops_t kNone{};
    vmm_sched_entry_t e = entry();
    const vmm_sched_ops_t* table = e ? e() : nullptr;
    if (!table) ADD_FAILURE() << "no ops table";
    return table ? *table : kNone;
  }

 private:
  void* m_handle;
};

// A policy instance made and destroyed through the ops table.
class Instance {
 public:
  Instance(const vmm_sched_ops_t& ops, Params params, unsigned cpus = 1) : ops(ops) {
    vmm_sched_config_t config{cpus, kClock, params.data(),
                              static_cast<std::uint32_t>(params.size())};
    self = ops.create ? ops.create(&config, error, sizeof error) : nullptr;
  }
  ~Instance() {
    if (self) ops.destroy(self);
  }
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  // As after a replacement: inserted fresh, runnable or not, on no pCPU.
  int insert(VcpuId id, const Params& vm_params = {}, bool runnable = true) {
    vmm_vcpu_info_t info{id,
                         static_cast<std::uint32_t>(id),
                         0,
                         runnable,
                         VMM_NO_CPU,
                         vm_params.data(),
                         static_cast<std::uint32_t>(vm_params.size()),
                         nullptr,
                         0};
    return ops.insert(self, &info, 0, error, sizeof error);
  }
  vmm_decision_t pick(Cycles now, VcpuId prev = VMM_IDLE, Cycles ran = 0, unsigned cpu = 0) {
    return ops.pick_next(self, cpu, now, prev, ran);
  }
  vmm_tickle_t wake(VcpuId v, Cycles now) { return ops.wake(self, v, now); }
  void block(VcpuId v, Cycles now) { ops.block(self, v, now); }

  const vmm_sched_ops_t& ops;
  void* self = nullptr;
  char error[256] = "";
};

// One pCPU, zero overheads, CPU-bound vCPUs: each decision's owner runs its
// whole slice. Returns the owners of `decisions` consecutive decisions.
std::vector<VcpuId> run_cpu_bound(Instance& s, int decisions) {
  std::vector<VcpuId> owners;
  VcpuId prev = VMM_IDLE;
  Cycles now = 0, ran = 0;
  for (int i = 0; i < decisions; ++i) {
    vmm_decision_t d = s.pick(now, prev, ran);
    owners.push_back(d.next);
    if (d.slice == VMM_FOREVER) break;
    now += d.slice;
    ran = d.slice;
    prev = d.next;
  }
  return owners;
}

const vmm_param_spec_t* find_spec(const vmm_param_spec_t* specs, std::uint32_t count,
                                  const std::string& key) {
  for (std::uint32_t i = 0; i < count; ++i)
    if (key == specs[i].key) return &specs[i];
  return nullptr;
}

Params weight(std::int64_t w) { return {{"weight", w}}; }

// --- lottery ---

TEST(LotteryPlugin, TableDescribesItselfAndItsParameters) {
  SharedObject so("lottery");
  const vmm_sched_ops_t& ops = so.ops();
  EXPECT_EQ(ops.abi_version, VMMSIM_SCHED_ABI_VERSION);
  EXPECT_STREQ(ops.name, "lottery");
  ASSERT_NE(ops.description, nullptr);
  EXPECT_EQ(ops.image_bytes, 0u) << "a plugin's image is its .so file";
  for (auto op :
       {reinterpret_cast<const void*>(ops.create), reinterpret_cast<const void*>(ops.destroy),
        reinterpret_cast<const void*>(ops.insert), reinterpret_cast<const void*>(ops.remove),
        reinterpret_cast<const void*>(ops.wake), reinterpret_cast<const void*>(ops.block),
        reinterpret_cast<const void*>(ops.yield), reinterpret_cast<const void*>(ops.tick),
        reinterpret_cast<const void*>(ops.pick_next), reinterpret_cast<const void*>(ops.priority)})
    EXPECT_NE(op, nullptr);

  const vmm_param_spec_t* quantum = find_spec(ops.params, ops.param_count, "quantum");
  ASSERT_NE(quantum, nullptr);
  EXPECT_EQ(quantum->kind, VMM_PARAM_DURATION);
  EXPECT_EQ(quantum->default_value, 10'000);  // microseconds
  EXPECT_EQ(quantum->min, 100);
  EXPECT_EQ(quantum->max, 1'000'000);
  const vmm_param_spec_t* seed = find_spec(ops.params, ops.param_count, "seed");
  ASSERT_NE(seed, nullptr);
  EXPECT_EQ(seed->kind, VMM_PARAM_INTEGER);
  EXPECT_EQ(seed->default_value, 1);
  const vmm_param_spec_t* w = find_spec(ops.vm_params, ops.vm_param_count, "weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->kind, VMM_PARAM_INTEGER);
  EXPECT_EQ(w->default_value, 256);
  EXPECT_EQ(w->min, 1);
  EXPECT_EQ(w->max, 65535);
}

TEST(LotteryPlugin, SharesFollowTickets) {
  SharedObject so("lottery");
  Instance s(so.ops(), {{"quantum", 10 * kMs}, {"seed", 1}});
  ASSERT_NE(s.self, nullptr) << s.error;
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v, weight(100 * (v + 1))), 0) << s.error;

  constexpr int kQuanta = 3000;
  std::vector<VcpuId> owners = run_cpu_bound(s, kQuanta);
  ASSERT_EQ(owners.size(), static_cast<std::size_t>(kQuanta));
  std::map<VcpuId, int> won;
  for (VcpuId v : owners) ++won[v];
  EXPECT_EQ(won.size(), 3u) << "only the three vCPUs win, and the pCPU never idles";
  // Within 5% of the entitled share. At 3000 draws the 1/6 share's standard
  // deviation is ~4% of it, so this holds for seed 1 (worst: +4.0%), not for
  // every seed: a new PRNG or seed may need more quanta.
  for (VcpuId v = 0; v < 3; ++v)
    EXPECT_NEAR(static_cast<double>(won[v]) / kQuanta, (v + 1) / 6.0, 0.05 * (v + 1) / 6.0)
        << "vCPU " << v << " with " << 100 * (v + 1) << " of 600 tickets";
}

TEST(LotteryPlugin, QuantumIsTheSliceAndDefaultsTo10ms) {
  SharedObject so("lottery");
  Instance given(so.ops(), {{"quantum", 3 * kMs}, {"seed", 1}});
  ASSERT_EQ(given.insert(0), 0) << given.error;
  EXPECT_EQ(given.pick(0).slice, 3 * kMs);
  Instance bare(so.ops(), {});  // the VMM fills defaults; a bare caller gets them too
  ASSERT_EQ(bare.insert(0), 0) << bare.error;
  EXPECT_EQ(bare.pick(0).slice, 10'000 * kUs);
}

TEST(LotteryPlugin, SameSeedSameScheduleOtherSeedAnother) {
  SharedObject so("lottery");
  auto schedule = [&](std::int64_t seed) {
    Instance s(so.ops(), {{"quantum", kMs}, {"seed", seed}});
    for (VcpuId v = 0; v < 4; ++v) EXPECT_EQ(s.insert(v, weight(256)), 0) << s.error;
    return run_cpu_bound(s, 200);
  };
  EXPECT_EQ(schedule(7), schedule(7));
  EXPECT_NE(schedule(7), schedule(8));
}

TEST(LotteryPlugin, RunningVcpuStaysInTheLottery) {
  // The only runnable vCPU is prev at every decision: it must win again.
  SharedObject so("lottery");
  Instance s(so.ops(), {{"quantum", kMs}});
  ASSERT_EQ(s.insert(0), 0) << s.error;
  ASSERT_EQ(s.insert(1, {}, false), 0) << s.error;
  std::vector<VcpuId> owners = run_cpu_bound(s, 20);
  EXPECT_EQ(owners, std::vector<VcpuId>(20, 0));
}

TEST(LotteryPlugin, BlockedVcpuIsNeverPickedAndWakeBringsItBack) {
  SharedObject so("lottery");
  Instance s(so.ops(), {{"quantum", kMs}, {"seed", 3}});
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v, weight(1000)), 0) << s.error;

  // vCPU 1 blocks while it runs, or while queued, every 10th decision, and
  // wakes 5 decisions later (the pCPU is busy: no tickle).
  VcpuId prev = VMM_IDLE;
  Cycles now = 0;
  bool blocked = false;
  int picked_after_wake = 0;
  for (int i = 0; i < 1000; ++i) {
    if (i % 10 == 0) {
      s.block(1, now);
      blocked = true;
    } else if (i % 10 == 5) {
      vmm_tickle_t t = s.wake(1, now);
      EXPECT_EQ(t.cpu, VMM_NO_CPU) << "the only pCPU is busy";
      blocked = false;
    }
    vmm_decision_t d = s.pick(now, prev, prev == VMM_IDLE ? 0 : kMs);
    ASSERT_NE(d.next, VMM_IDLE) << "two vCPUs are always runnable";
    if (blocked) {
      ASSERT_NE(d.next, 1) << "decision " << i << " picked the blocked vCPU";
    }
    if (!blocked && d.next == 1) ++picked_after_wake;
    now += d.slice;
    prev = d.next;
  }
  EXPECT_GT(picked_after_wake, 100) << "a woken vCPU is back in the lottery";
}

TEST(LotteryPlugin, WakeTicklesLowestIdlePcpuOnce) {
  SharedObject so("lottery");
  Instance s(so.ops(), {{"quantum", kMs}}, 2);
  for (VcpuId v = 0; v < 4; ++v) ASSERT_EQ(s.insert(v, {}, false), 0) << s.error;
  EXPECT_EQ(s.pick(0, VMM_IDLE, 0, 0).next, VMM_IDLE);
  EXPECT_EQ(s.pick(0, VMM_IDLE, 0, 1).next, VMM_IDLE);

  vmm_tickle_t t = s.wake(0, 5 * kUs);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 5 * kUs);
  EXPECT_EQ(s.wake(1, 6 * kUs).cpu, 1) << "pCPU 0 is already asked";
  EXPECT_EQ(s.wake(2, 7 * kUs).cpu, VMM_NO_CPU) << "no idle pCPU left un-asked";

  // pCPU 0 decides and takes one of them; it is then busy, not idle.
  VcpuId on0 = s.pick(8 * kUs, VMM_IDLE, 0, 0).next;
  EXPECT_NE(on0, VMM_IDLE);
  EXPECT_EQ(s.wake(3, 9 * kUs).cpu, VMM_NO_CPU);
  // pCPU 1 decides too; with everything blocked again, pCPU 0 idles and is the one to tickle.
  VcpuId on1 = s.pick(10 * kUs, VMM_IDLE, 0, 1).next;
  EXPECT_NE(on1, VMM_IDLE);
  EXPECT_NE(on1, on0);
  for (VcpuId v = 0; v < 4; ++v) s.block(v, 11 * kUs);
  EXPECT_EQ(s.pick(12 * kUs, on0, 12 * kUs - 8 * kUs, 0).next, VMM_IDLE);
  EXPECT_EQ(s.wake(on0, 13 * kUs).cpu, 0);
}

TEST(LotteryPlugin, DecisionsAreValidOnManyPcpusUnderChurn) {
  // 3 pCPUs, 6 vCPUs that block and wake pseudo-randomly (the test's own
  // generator): every decision is runnable and not running elsewhere.
  SharedObject so("lottery");
  constexpr unsigned kCpus = 3;
  constexpr VcpuId kVcpus = 6;
  Instance s(so.ops(), {{"quantum", kMs}, {"seed", 11}}, kCpus);
  for (VcpuId v = 0; v < kVcpus; ++v) ASSERT_EQ(s.insert(v, weight(100 + 50 * v)), 0) << s.error;
  std::vector<bool> runnable(kVcpus, true);
  std::vector<VcpuId> owner(kCpus, VMM_IDLE);
  std::uint64_t lcg = 12345;
  auto roll = [&](std::uint64_t n) {
    lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
    return (lcg >> 33) % n;
  };
  for (int step = 0; step < 5000; ++step) {
    Cycles now = step * kUs;
    VcpuId v = static_cast<VcpuId>(roll(kVcpus));
    if (runnable[v]) {
      s.block(v, now);
      runnable[v] = false;
    } else {
      s.wake(v, now);
      runnable[v] = true;
    }
    unsigned cpu = static_cast<unsigned>(roll(kCpus));
    VcpuId next = s.pick(now, owner[cpu], kUs, cpu).next;
    owner[cpu] = VMM_IDLE;
    if (next != VMM_IDLE) {
      ASSERT_GE(next, 0);
      ASSERT_LT(next, kVcpus);
      ASSERT_TRUE(runnable[next]) << "step " << step << ": picked blocked vCPU " << next;
      for (unsigned c = 0; c < kCpus; ++c)
        ASSERT_NE(owner[c], next) << "step " << step << ": vCPU " << next << " runs on pCPU " << c;
    }
    owner[cpu] = next;
  }
}

TEST(LotteryPlugin, RejectsOutOfRangeWeightWithReason) {
  SharedObject so("lottery");
  Instance s(so.ops(), {});
  EXPECT_NE(s.insert(0, weight(0)), 0);
  EXPECT_NE(std::string(s.error).find("weight 0 is out of range 1..65535"), std::string::npos)
      << s.error;
  EXPECT_NE(s.insert(1, weight(65536)), 0);
  EXPECT_EQ(s.insert(2, weight(65535)), 0) << s.error;
  EXPECT_EQ(s.ops.priority(s.self, 2), 65535) << "priority is the ticket count";
}

// --- broken ---

TEST(BrokenPlugin, UnknownVcpuExactlyAtDecisionAfterPlusOne) {
  SharedObject so("broken");
  ASSERT_STREQ(so.ops().name, "broken");
  Instance s(so.ops(), {{"quantum", kMs}, {"after", 10}, {"fault", 1}});
  ASSERT_NE(s.self, nullptr) << s.error;
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v), 0) << s.error;
  std::vector<VcpuId> owners = run_cpu_bound(s, 11);
  ASSERT_EQ(owners.size(), 11u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(owners[i], i % 3) << "decision " << i + 1 << ": round robin";
  EXPECT_EQ(owners[10], 100000);
}

TEST(BrokenPlugin, BlockedVcpuAfterFault2) {
  SharedObject so("broken");
  Instance s(so.ops(), {{"quantum", kMs}, {"after", 2}, {"fault", 2}});
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v), 0) << s.error;
  s.block(2, 0);
  EXPECT_EQ(s.pick(0).next, 0);
  EXPECT_EQ(s.pick(kMs, 0, kMs).next, 1);
  EXPECT_EQ(s.pick(2 * kMs, 1, kMs).next, 2) << "vCPU 2 is blocked";
}

TEST(BrokenPlugin, VcpuRunningElsewhereAfterFault3) {
  SharedObject so("broken");
  Instance s(so.ops(), {{"quantum", kMs}, {"after", 1}, {"fault", 3}}, 2);
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v), 0) << s.error;
  EXPECT_EQ(s.pick(0, VMM_IDLE, 0, 0).next, 0);
  EXPECT_EQ(s.pick(0, VMM_IDLE, 0, 1).next, 0) << "vCPU 0 runs on pCPU 0";
}

TEST(BrokenPlugin, StarvesLowestVcpuAfterFault4) {
  SharedObject so("broken");
  Instance s(so.ops(), {{"quantum", kMs}, {"after", 10}, {"fault", 4}});
  for (VcpuId v = 0; v < 3; ++v) ASSERT_EQ(s.insert(v), 0) << s.error;
  std::vector<VcpuId> owners = run_cpu_bound(s, 500);
  ASSERT_EQ(owners.size(), 500u);
  int before = 0;
  for (int i = 0; i < 10; ++i) before += owners[i] == 0;
  EXPECT_GT(before, 0) << "vCPU 0 ran while broken still behaved";
  for (int i = 10; i < 500; ++i) {
    ASSERT_NE(owners[i], 0) << "decision " << i + 1;
    ASSERT_NE(owners[i], VMM_IDLE) << "decision " << i + 1;
  }
  // Alone in the queue, it still waits: the pCPU idles but keeps asking.
  s.block(1, 0);
  s.block(2, 0);
  vmm_decision_t d = s.pick(0, owners.back(), kMs);
  EXPECT_EQ(d.next, VMM_IDLE);
  EXPECT_NE(d.slice, VMM_FOREVER);
}

TEST(BrokenPlugin, CreateFailsWithReasonOnFault5) {
  SharedObject so("broken");
  Instance s(so.ops(), {{"fault", 5}});
  EXPECT_EQ(s.self, nullptr);
  EXPECT_STREQ(s.error, "broken: init failure requested (fault=5)");
}

TEST(BrokenPlugin, SecondInsertFailsOnFault6) {
  SharedObject so("broken");
  Instance s(so.ops(), {{"fault", 6}});
  ASSERT_NE(s.self, nullptr) << s.error;
  EXPECT_EQ(s.insert(0), 0) << s.error;
  EXPECT_NE(s.insert(1), 0);
  EXPECT_NE(std::string(s.error).find("fault=6"), std::string::npos) << s.error;
}

// --- what a loader must refuse ---

TEST(PluginLoading, WrongAbiHasAnotherVersion) {
  SharedObject so("wrong_abi");
  const vmm_sched_ops_t& ops = so.ops();
  EXPECT_EQ(ops.abi_version, VMMSIM_SCHED_ABI_VERSION + 1000);
  EXPECT_NE(ops.abi_version, VMMSIM_SCHED_ABI_VERSION);
}

TEST(PluginLoading, NoEntryHasNoSchedulerSymbol) {
  SharedObject so("no_entry");
  ASSERT_TRUE(so.loaded());
  EXPECT_EQ(so.entry(), nullptr);
}

TEST(PluginLoading, NullTableEntryReturnsNull) {
  SharedObject so("null_table");
  vmm_sched_entry_t entry = so.entry();
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry(), nullptr);
}

// --- the whole table is checked before anything in it is called ---

// plugins/bad_table.c with the defect VMMSIM_BAD_TABLE names.
struct BadTable {
  const char* variant;
  const char* defect;  // sched::table_defect's answer, exactly
};
void PrintTo(const BadTable& b, std::ostream* os) { *os << b.variant; }

class BadTableTest : public ::testing::TestWithParam<BadTable> {};

TEST_P(BadTableTest, IsRefusedWithTheReason) {
  SharedObject so("bad_table");
  ASSERT_EQ(setenv("VMMSIM_BAD_TABLE", GetParam().variant, 1), 0);
  EXPECT_EQ(vmmsim::sched::table_defect(so.ops()), GetParam().defect);
  unsetenv("VMMSIM_BAD_TABLE");
}

INSTANTIATE_TEST_SUITE_P(
    Defects, BadTableTest,
    ::testing::Values(
        BadTable{"none", ""}, BadTable{"null_params", "has params NULL with param_count 2"},
        BadTable{"null_vm_params", "has vm_params NULL with vm_param_count 1"},
        BadTable{"null_key", "has params[0] with no key"},
        BadTable{"null_help", "has params[0] 'seed' with no help"},
        BadTable{"huge_count", "has param_count 100000; expected at most 256"},
        BadTable{"min_above_max", "has params[0] 'seed' with min 10 > max 5"},
        BadTable{"default_outside", "has params[0] 'seed' default 50 outside its range 1..10"},
        BadTable{"duplicate_key", "has params[2] 'quantum' again (first params[0]); expected each key once"},
        BadTable{"bad_kind",
                 "has params[0] 'seed' of kind 7; expected VMM_PARAM_INTEGER (0) or VMM_PARAM_DURATION (1)"},
        BadTable{"negative_duration",
                 "has params[0] 'quantum' range -5us..10000000us; expected durations from 0us to 2305843009213us"},
        BadTable{"empty_name", "has name ''; expected 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'"},
        BadTable{"long_name",
                 "has name 'a_name_of_sixty_five_characters_which_is_one_more_than_allowed_x...'; expected 1 to 64 "
                 "characters of A-Z, a-z, 0-9, '_' and '-'"},
        BadTable{"name_escape", "has name 'bad\\x1b[2Jname'; expected 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'"},
        BadTable{"key_space",
                 "has params[0] key 'time slice'; expected 1 to 64 characters of a-z, 0-9 and '_' (as KEY=VALUE "
                 "takes them)"},
        BadTable{"no_description", "has no description"}),
    [](const ::testing::TestParamInfo<BadTable>& info) { return std::string(info.param.variant); });

TEST(PluginLoading, EveryExamplePluginPassesTheTableCheck) {
  for (const char* name : {"lottery", "broken"}) {
    SharedObject so(name);
    EXPECT_EQ(vmmsim::sched::table_defect(so.ops()), "") << name;
  }
}

}  // namespace
