// What unloading costs and when (docs/replacement.md "Unload cost",
// "Load policies", "Image sources"): unload-after ([0028]) unloads the old
// image after the resume as VMM time on one pCPU, not downtime; unloading an
// inactive kept image costs [vmm] unload the same way; a load is charged from
// the image source it names ([0019]). Exact cycles of small cases.
#include <filesystem>
#include <sstream>

#include "report/json_report.h"
#include "report/text_report.h"
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHog = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
constexpr Cycles kBvtLoad = 12 * 1024 / 8 + 10000;  // image / 8 B per cycle + latency
constexpr Cycles kMigrate = 300, kActivate = 50, kUnload = 2000;

class ReplacementUnloadTest : public vmmsim::testing::SimTest {
 protected:
  report::Results run(const std::string& extra, Cycles until, const std::string& costs = kZeroCosts) {
    file("hog.trace", kHog);
    auto& p = build(costs + "[vm.a]\ntrace = hog.trace\n" + extra);
    p.run(until);
    return p.results();
  }
  bool loaded(const std::string& name) { return m_platform->manager().find(name).has_value(); }
  void expect_accounts(const report::Results& r) {
    for (const auto& c : r.pcpus) EXPECT_EQ(c.guest + c.vmm + c.idle + c.ceased, r.elapsed);
  }
};

// Item 3: load, migrate, activate, resume; then rr's image leaves while the
// hog runs again: 2000 cycles of VMM time on cpu0 (the command line asked),
// outside the downtime.
TEST_F(ReplacementUnloadTest, UnloadAfterUnloadsTheOldImageAfterTheResume) {
  report::Results r = run("[run]\nswap = 2000:bvt,policy=unload-after\n", ms(5));
  ASSERT_EQ(r.replacements.size(), 1u);
  const auto& x = r.replacements[0];
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_EQ(x.policy, "unload-after");
  EXPECT_EQ(x.unload, 0u) << "nothing is unloaded before the load";
  EXPECT_EQ(x.downtime, kBvtLoad + kMigrate + kActivate) << "the unload is not downtime";
  EXPECT_EQ(x.unload_after, kUnload) << "the parked pCPU does it at its resume, then enters the guest";
  EXPECT_EQ(x.unload_cpu, 0);
  EXPECT_FALSE(loaded("rr"));
  EXPECT_EQ(m_platform->memory().used(), 12 * 1024u) << "only bvt is left";
  EXPECT_EQ(r.pcpus[0].ceased, x.downtime);
  EXPECT_EQ(r.pcpus[0].vmm, kUnload) << "zero costs but the unload";
  EXPECT_EQ(r.vcpus[0].cpu, ms(5) - x.downtime - kUnload);
  expect_accounts(r);
}

// Item 3: the service VM asked from cpu1: cpu1 pays, cpu0's guest runs on.
TEST_F(ReplacementUnloadTest, UnloadAfterRunsOnTheServiceVmsPcpu) {
  file("svc.trace", "vcpu 0\n  sleep 1ms\n  sched-load bvt policy=unload-after\n  sleep 10s\n");
  report::Results r = run("[platform]\ncpus = 2\n[service]\ntrace = svc.trace\n", ms(5));
  ASSERT_EQ(r.replacements.size(), 1u);
  const auto& x = r.replacements[0];
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_EQ(x.unload_cpu, 1);
  EXPECT_EQ(x.unload_after, kUnload) << "cpu1 is idle: woken, it unloads at once";
  EXPECT_EQ(r.pcpus[1].vmm, kUnload);
  EXPECT_EQ(r.pcpus[0].vmm, 0u);
  EXPECT_FALSE(loaded("rr"));
  expect_accounts(r);
}

// Item 3: a failed start under unload-after keeps the old image (nothing to unload).
TEST_F(ReplacementUnloadTest, UnloadAfterKeepsTheOldImageWhenTheLoadFails) {
  report::Results r = run("[run]\nswap = 2000:" + std::string(VMMSIM_PLUGIN_DIR) +
                              "/vmmsim_broken.so,fault=5,policy=unload-after\n",
                          ms(5));
  ASSERT_EQ(r.replacements.size(), 1u);
  EXPECT_FALSE(r.replacements[0].ok);
  EXPECT_EQ(r.replacements[0].unload_after, 0u);
  EXPECT_TRUE(loaded("rr"));
  EXPECT_EQ(r.pcpus[0].vmm, 0u);
}

// Item 4: unloading an inactive kept image is a request with a cost: the
// running hog is kicked (a VM exit of 700), [vmm] unload runs on cpu0, the
// hog goes on. Its slot and bytes are free afterwards.
TEST_F(ReplacementUnloadTest, UnloadingAnInactiveImageCostsVmmTimeOnOnePcpu) {
  std::string costs = kZeroCosts;
  costs.replace(costs.find("vm_exit = 0"), 11, "vm_exit = 700");
  report::Results r = run("[run]\nswap = 2000:bvt 10ms:fifo 20ms:unload=bvt\n", ms(30), costs);
  ASSERT_EQ(r.replacements.size(), 3u);
  const auto& x = r.replacements[2];
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_FALSE(x.sequence);
  EXPECT_EQ(x.downtime, 0u);
  EXPECT_EQ(x.unload, 700 + kUnload) << "the kick's VM exit, then the unload";
  EXPECT_EQ(x.unload_cpu, 0);
  EXPECT_FALSE(loaded("bvt"));
  EXPECT_EQ(m_platform->memory().used(), (6 + 4) * 1024u);
  expect_accounts(r);
  // Only the three ceases and this unload cost VMM time: vm_exit 700 each.
  EXPECT_EQ(r.pcpus[0].vmm, 700 + kUnload + 2 * 700);
  std::ostringstream text;
  report::write_text_report(r, text);
  EXPECT_NE(text.str().find("fifo -> fifo       (no sequence; bvt unloaded in 2700 cycles on cpu0"), std::string::npos)
      << "the report names what left:\n" << text.str();
}

// Item 10: a load names its source and is charged from it.
TEST_F(ReplacementUnloadTest, ALoadIsChargedFromItsImageSource) {
  const std::string lottery = std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_lottery.so";
  report::Results r = run("[image_source.disk]\nbandwidth = 1MiB/s\nlatency = 2ms\n"
                          "[run]\nswap = 2000:" + lottery + ",source=disk 30ms:fifo\n",
                          ms(40));
  ASSERT_EQ(r.replacements.size(), 2u);
  EXPECT_EQ(r.replacements[0].source, "disk");
  // A plugin occupies its file's size; 1 MiB/s on a 1 GHz clock is 1e9 / 2^20 cycles a byte.
  const std::uint64_t bytes = std::filesystem::file_size(lottery);
  EXPECT_EQ(r.replacements[0].load, (bytes * 1000000000 + (1u << 20) - 1) / (1u << 20) + 2000000u)
      << "the file's bytes at 1 MiB/s, then 2 ms";
  EXPECT_EQ(r.replacements[1].source, "memory") << "no source: the VMM's own memory";
  EXPECT_EQ(r.replacements[1].load, 4 * 1024 / 8 + 10000u);
  std::ostringstream json, text;
  report::write_json_report(r, json);
  report::write_text_report(r, text);
  EXPECT_NE(json.str().find("\"source\": \"disk\""), std::string::npos);
  EXPECT_NE(text.str().find("loaded from disk"), std::string::npos);
}

// Item 2 (reporting): the images auto evicted are named.
TEST_F(ReplacementUnloadTest, EvictionsAreReported) {
  report::Results r = run("[vmm]\nimage_area = 28KiB\n[run]\nswap = 1ms:fifo 5ms:bvt 10ms:arinc653\n", ms(15));
  ASSERT_EQ(r.replacements.size(), 3u);
  EXPECT_EQ(r.replacements[2].evicted, std::vector<std::string>{"fifo"});
  EXPECT_EQ(r.replacements[2].unload, kUnload);
  std::ostringstream json;
  report::write_json_report(r, json);
  EXPECT_NE(json.str().find("\"evicted\": [\"fifo\"]"), std::string::npos);
}

}  // namespace
