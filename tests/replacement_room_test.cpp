// The SchedulerLoader's room and reload rules (docs/replacement.md "Load
// policies", "Room"): a kept image is reused with the request's parameters
// and policy; slots and image bytes are counted against what the policy
// frees; auto evicts the least recently active kept image, never the
// default's; keep-old without room is refused before anything ceases.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHogs = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
constexpr Cycles kUnload = 2000;
constexpr Cycles kFifoLoad = 4 * 1024 / 8 + 10000;

std::string lottery() { return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_lottery.so"; }

class ReplacementRoomTest : public vmmsim::testing::SimTest {
 protected:
  // One pCPU, two hog vCPUs, zero costs but the loader's; `extra` adds keys.
  models::Platform& hogs(const std::string& extra) {
    file("hog.trace", kHogs);
    return build(std::string(kZeroCosts) + "[vm.a]\ntrace = hog.trace\nvcpus = 2\n" + extra);
  }
  report::Results advance_to(Cycles t) {
    if (t > m_platform->clock().now()) m_platform->run(t - m_platform->clock().now());
    return m_platform->results();
  }
  std::uint64_t dispatches(const report::Results& r) {
    std::uint64_t n = 0;
    for (const auto& v : r.vcpus) n += v.dispatches;
    return n;
  }
  bool loaded(const std::string& name) { return m_platform->manager().find(name).has_value(); }
  // Runs `extra`'s swaps to `until`: the result of the last of `requests`.
  report::ReplacementResult last(const std::string& extra, Cycles until, std::size_t requests) {
    hogs(extra);
    m_results = advance_to(until);
    EXPECT_EQ(m_results.replacements.size(), requests);
    return m_results.replacements.empty() ? report::ReplacementResult{} : m_results.replacements.back();
  }
  report::Results m_results;
};

// Item 1: re-loading a kept lottery with quantum=50ms gives 50 ms slices
// (it kept the 1 ms of its first load before), with no load phase.
TEST_F(ReplacementRoomTest, AKeptImageIsReusedWithTheRequestsParameters) {
  const report::ReplacementResult again =
      last("[run]\nswap = 1ms:" + lottery() + ",quantum=1ms 10ms:rr 20ms:" + lottery() + ",quantum=50ms\n", ms(25), 3);
  EXPECT_TRUE(again.ok) << again.reason;
  EXPECT_EQ(again.to, "lottery");
  EXPECT_EQ(again.load, 0u) << "the kept image is reused: no load";
  vmm::SchedulerManager& m = m_platform->manager();
  ASSERT_TRUE(m.find("lottery"));
  EXPECT_EQ(m.slot(*m.find("lottery")).params.at("quantum"), static_cast<std::int64_t>(ms(50)));
  const std::uint64_t before = dispatches(m_results);
  EXPECT_LE(dispatches(advance_to(ms(225))) - before, 5u) << "200 ms in 50 ms slices, not 1 ms ones";
}

// Item 1: the policy of such a request is honoured: unload-old unloads the
// scheduler it replaces (bvt), keep-old keeps it.
TEST_F(ReplacementRoomTest, AKeptImagesLoadHonoursUnloadOld) {
  const report::ReplacementResult back =
      last("[run]\nswap = 1ms:bvt 5ms:rr,policy=unload-old\n", ms(10), 2);
  EXPECT_TRUE(back.ok) << back.reason;
  EXPECT_EQ(back.to, "rr");
  EXPECT_EQ(back.load, 0u) << "rr was kept: no load";
  EXPECT_EQ(back.unload, kUnload) << "bvt goes under unload-old";
  EXPECT_FALSE(loaded("bvt"));
  EXPECT_EQ(m_platform->memory().used(), 6 * 1024u) << "only rr's image is left";
}

TEST_F(ReplacementRoomTest, AKeptImagesLoadHonoursKeepOld) {
  const report::ReplacementResult x = last("[run]\nswap = 1ms:bvt 5ms:rr,policy=keep-old\n", ms(10), 2);
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_EQ(x.unload, 0u);
  EXPECT_TRUE(loaded("bvt"));
  EXPECT_EQ(m_platform->memory().used(), (6 + 12) * 1024u);
}

// Item 2: unload-old frees the active scheduler's slot before the check:
// with two slots (one the default's) bvt's slot takes fifo.
TEST_F(ReplacementRoomTest, UnloadOldFreesTheActiveSlotBeforeTheCheck) {
  const report::ReplacementResult x =
      last("[vmm]\nslots = 2\n[run]\nswap = 1ms:bvt 5ms:fifo,policy=unload-old\n", ms(10), 2);
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_EQ(x.to, "fifo");
  EXPECT_EQ(x.unload, kUnload);
  EXPECT_EQ(x.load, kFifoLoad);
  EXPECT_EQ(m_platform->manager().find("fifo"), std::optional<std::uint32_t>(1));
  EXPECT_FALSE(loaded("bvt"));
  EXPECT_EQ(m_platform->memory().used(), (6 + 4) * 1024u);
}

// Item 2: with every slot taken, auto evicts the least recently active kept
// image (bvt; never rr, the default) and loads into its slot.
TEST_F(ReplacementRoomTest, AutoEvictsTheLeastRecentlyActiveKeptImageForASlot) {
  const report::ReplacementResult x =
      last("[run]\nswap = 1ms:bvt 5ms:fifo 10ms:arinc653 15ms:credit\n", ms(20), 4);
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_EQ(x.to, "credit");
  EXPECT_EQ(x.unload, kUnload) << "one eviction";
  EXPECT_FALSE(loaded("bvt"));
  EXPECT_TRUE(loaded("rr") && loaded("fifo") && loaded("arinc653"));
  EXPECT_EQ(m_platform->manager().find("credit"), std::optional<std::uint32_t>(1)) << "bvt's slot";
  EXPECT_EQ(m_platform->memory().used(), (6 + 4 + 8 + 24) * 1024u);
}

// Item 2: short of bytes, auto evicts kept images from the least recently
// active on, and unloads the active one only if that is not enough. In
// 28 KiB: rr 6 + fifo 4 + bvt 12 leave 6; arinc653 needs 8: fifo goes, bvt
// (active) stays for a later revert.
TEST_F(ReplacementRoomTest, AutoEvictsKeptImagesBeforeTheActiveOneForBytes) {
  const report::ReplacementResult x =
      last("[vmm]\nimage_area = 28KiB\n[run]\nswap = 1ms:fifo 5ms:bvt 10ms:arinc653\n", ms(15), 3);
  EXPECT_TRUE(x.ok) << x.reason;
  EXPECT_EQ(x.unload, kUnload);
  EXPECT_FALSE(loaded("fifo"));
  EXPECT_TRUE(loaded("bvt") && loaded("rr"));
  EXPECT_EQ(m_platform->memory().used(), (6 + 12 + 8) * 1024u);
}

// Item 2: the default, unloaded by unload-old and loaded again by name,
// goes back to its own slot, which auto never evicts (found by the soak: in
// another slot it was evicted like any kept image).
TEST_F(ReplacementRoomTest, TheDefaultLoadedAgainGoesHomeAndIsNeverEvicted) {
  last("[run]\nswap = 1ms:bvt,policy=unload-old 5ms:rr 10ms:fifo 15ms:arinc653 20ms:credit\n", ms(25), 5);
  for (const auto& x : m_results.replacements) EXPECT_TRUE(x.ok) << x.target << ": " << x.reason;
  vmm::SchedulerManager& m = m_platform->manager();
  EXPECT_EQ(m.find("rr"), std::optional<std::uint32_t>(0)) << "the default's slot";
  EXPECT_FALSE(loaded("bvt")) << "the least recently active kept image but the default";
  EXPECT_TRUE(loaded("fifo") && loaded("arinc653") && loaded("credit"));
}

// Item 2: keep-old never frees anything: without a slot it is refused with
// the reason, before anything ceases.
TEST_F(ReplacementRoomTest, KeepOldWithoutASlotIsRefusedBeforeAnythingCeases) {
  const report::ReplacementResult x =
      last("[vmm]\nslots = 2\n[run]\nswap = 1ms:bvt 5ms:fifo,policy=keep-old\n", ms(10), 2);
  EXPECT_FALSE(x.ok);
  EXPECT_FALSE(x.sequence) << "refused at planning";
  EXPECT_NE(x.reason.find("no free scheduler slot"), std::string::npos) << x.reason;
  EXPECT_TRUE(loaded("bvt"));
  EXPECT_EQ(m_results.pcpus[0].ceased, m_results.replacements[0].downtime) << "only the first load ceased the pCPU";
}

}  // namespace

// A failure loses nothing (DESIGN.md §4): the kept image that auto evicted
// for a new scheduler that then fails to start is loaded again, in its slot
// and with its parameters, charged as load time of the activate phase.
TEST_F(ReplacementRoomTest, AFailedLoadBringsBackTheKeptImagesItEvicted) {
  const std::string broken = std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_broken.so";
  const report::ReplacementResult failed =
      last("[vmm]\nslots = 3\n[run]\nswap = 1ms:bvt,ctx_allow=3ms 5ms:fifo 10ms:" + broken + ",fault=5\n", ms(20), 3);
  EXPECT_FALSE(failed.ok);
  EXPECT_EQ(failed.evicted, std::vector<std::string>{"bvt"}) << "the least recently active kept image";
  vmm::SchedulerManager& m = m_platform->manager();
  ASSERT_TRUE(m.find("bvt")) << "bvt is back";
  EXPECT_EQ(m.slot(*m.find("bvt")).params.at("ctx_allow"), static_cast<std::int64_t>(ms(3)));
  EXPECT_EQ(m.active().image.name, "fifo");
  EXPECT_EQ(failed.activate, 50 + 12 * 1024 / 8 + 10000u) << "the ID register write, then bvt's reload";
  EXPECT_EQ(m_platform->memory().used(), (6 + 12 + 4) * 1024u);
}
