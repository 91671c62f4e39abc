// Staged images (docs/replacement.md "Staged images"): sched-stage / --stage
// loads an image and creates its instance while the guests run; a later load
// of it has no load phase, so its downtime is cease + drain + migrate +
// activate; a stage that fails costs no downtime and leaves the active
// scheduler as it was; staged images count for room as kept ones do.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

constexpr const char* kHogs = "vcpu 0\n  repeat forever\n    run 10ms\n  end\n";
constexpr Cycles kBvtLoad = 12 * 1024 / 8 + 10000;  // [memory] load_bandwidth 8 B/cycle, load_latency 10000

std::string broken() { return std::string(VMMSIM_PLUGIN_DIR) + "/vmmsim_broken.so"; }

class StagedImageTest : public vmmsim::testing::SimTest {
 protected:
  // Two pCPUs, three hog vCPUs, zero costs but the loader's; `extra` adds keys.
  report::Results run_to(const std::string& extra, Cycles until) {
    file("hog.trace", kHogs);
    build(std::string(kZeroCosts) + "[platform]\ncpus = 2\n[vm.a]\ntrace = hog.trace\nvcpus = 3\n" + extra);
    m_platform->run(until);
    return m_platform->results();
  }
  static const report::ReplacementResult& find(const report::Results& r, const std::string& kind) {
    for (const auto& x : r.replacements)
      if (x.kind == kind) return x;
    static const report::ReplacementResult none;
    ADD_FAILURE() << "no " << kind;
    return none;
  }
  static Cycles ceased(const report::Results& r) {
    Cycles c = 0;
    for (const auto& p : r.pcpus) c += p.ceased;
    return c;
  }
};

// One elaboration per process: the staged and the unstaged swap are two
// tests, each checked against the same sum of phases.
TEST_F(StagedImageTest, AStagedLoadsDowntimeIsCeaseDrainMigrateActivate) {
  const report::Results r = run_to("[run]\nstage = 1ms:bvt\nswap = 5ms:bvt\n", ms(10));
  const report::ReplacementResult& load = find(r, "load");
  ASSERT_TRUE(load.ok) << load.reason;
  EXPECT_TRUE(load.staged);
  EXPECT_EQ(load.to, "bvt");
  EXPECT_EQ(load.load, 0u) << "no load phase";
  EXPECT_EQ(load.unload, 0u);
  EXPECT_EQ(load.migrate, 3 * 300u) << "[vmm] migrate per vCPU";
  EXPECT_EQ(load.downtime, load.cease + load.drain + load.migrate + load.activate);
}

TEST_F(StagedImageTest, AnUnstagedLoadsDowntimeHasTheLoadToo) {
  const report::Results r = run_to("[run]\nswap = 5ms:bvt\n", ms(10));
  const report::ReplacementResult& load = find(r, "load");
  ASSERT_TRUE(load.ok) << load.reason;
  EXPECT_FALSE(load.staged);
  EXPECT_EQ(load.load, kBvtLoad);
  EXPECT_EQ(load.downtime, load.cease + load.drain + load.migrate + load.activate + load.load);
}

TEST_F(StagedImageTest, AStageCostsVmmTimeNotDowntime) {
  const report::Results r = run_to("[run]\nstage = 1ms:bvt\n", ms(5));
  const report::ReplacementResult& stage = find(r, "stage");
  ASSERT_TRUE(stage.ok) << stage.reason;
  EXPECT_FALSE(stage.sequence);
  EXPECT_EQ(stage.downtime, 0u);
  EXPECT_EQ(stage.from, "rr");
  EXPECT_EQ(stage.to, "rr") << "the active scheduler stays";
  EXPECT_EQ(stage.source, "memory");
  EXPECT_EQ(stage.stage_cpu, 0) << "no service VM asked: cpu0 does the copy";
  EXPECT_GE(stage.stage, kBvtLoad);
  EXPECT_EQ(ceased(r), 0u) << "no pCPU ceased";
  EXPECT_EQ(r.pcpus[0].vmm, kBvtLoad) << "the copy is the VMM's time on cpu0 (every other cost is 0)";
  vmm::SchedulerManager& m = m_platform->manager();
  ASSERT_TRUE(m.find("bvt"));
  EXPECT_TRUE(m.slot(*m.find("bvt")).staged);
  EXPECT_NE(m.slot(*m.find("bvt")).instance, nullptr) << "created at the stage";
  EXPECT_EQ(m.active().image.name, "rr");
}

// Each way a stage can fail: reported, no pCPU ceased, rr still active, and
// the image area as it was.
struct FailingStage {
  const char* name;
  std::string stage, extra, reason;
};

class FailingStageTest : public StagedImageTest, public ::testing::WithParamInterface<FailingStage> {};

TEST_P(FailingStageTest, CostsNoDowntime) {
  const FailingStage& c = GetParam();
  const report::Results r = run_to("[run]\nstage = " + c.stage + "\n" + c.extra, ms(5));
  const report::ReplacementResult& stage = find(r, "stage");
  EXPECT_FALSE(stage.ok);
  EXPECT_NE(stage.reason.find(c.reason), std::string::npos) << stage.reason;
  EXPECT_EQ(stage.downtime, 0u);
  EXPECT_EQ(ceased(r), 0u);
  EXPECT_EQ(m_platform->manager().active().image.name, "rr");
  EXPECT_EQ(m_platform->memory().used(), 6 * 1024u) << "only rr's image is in the area";
  EXPECT_EQ(r.feedback_rejected, 1u) << "the command line's request is answered rejected";
}

INSTANTIATE_TEST_SUITE_P(
    Stage, FailingStageTest,
    ::testing::Values(FailingStage{"BadParameter", "1ms:bvt,nosuch=1", "", "bvt has no parameter 'nosuch'"},
                      FailingStage{"NoRoom", "1ms:bvt", "[vmm]\nimage_area = 16KiB\n", "no room in the image area for bvt"},
                      FailingStage{"AlreadyLoaded", "1ms:rr", "", "rr is already loaded (slot 0, active)"},
                      FailingStage{"CreateFails", "1ms:" + broken() + ",fault=5", "", "broken failed to start"}),
    [](const ::testing::TestParamInfo<FailingStage>& info) { return std::string(info.param.name); });

// Room: a staged image holds its slot and bytes like a kept one; keep-old
// finds no room beside it; auto evicts it first (it was never active).
constexpr const char* kSmallArea = "[vmm]\nimage_area = 20KiB\n";  // rr 6 KiB + bvt 12 KiB; fifo's 4 KiB does not fit

TEST_F(StagedImageTest, AStagedImageTakesRoomAsAKeptOne) {
  const report::Results r = run_to(std::string("[run]\nstage = 1ms:bvt\nswap = 5ms:fifo,policy=keep-old\n") + kSmallArea, ms(10));
  EXPECT_FALSE(find(r, "load").ok);
  EXPECT_NE(find(r, "load").reason.find("no room"), std::string::npos) << find(r, "load").reason;
}

TEST_F(StagedImageTest, AutoEvictsAStagedImageFirst) {
  const report::Results r = run_to(std::string("[run]\nstage = 1ms:bvt\nswap = 5ms:fifo\n") + kSmallArea, ms(10));
  const report::ReplacementResult& load = find(r, "load");
  ASSERT_TRUE(load.ok) << load.reason;
  ASSERT_EQ(load.evicted.size(), 1u);
  EXPECT_EQ(load.evicted[0], "bvt") << "the staged image goes first, not the active rr";
  EXPECT_FALSE(m_platform->manager().find("bvt"));
}

// A load that names parameters of its own gets a fresh instance with them
// (created in the downtime); the image's load is still skipped.
TEST_F(StagedImageTest, ALoadWithOtherParametersRecreatesTheInstance) {
  run_to("[run]\nstage = 1ms:bvt,ctx_allow=1ms\nswap = 5ms:bvt,ctx_allow=3ms\n", ms(10));
  const report::Results r = m_platform->results();
  const report::ReplacementResult& load = find(r, "load");
  ASSERT_TRUE(load.ok) << load.reason;
  EXPECT_TRUE(load.staged);
  EXPECT_EQ(load.load, 0u);
  vmm::SchedulerManager& m = m_platform->manager();
  EXPECT_EQ(m.active().params.at("ctx_allow"), static_cast<std::int64_t>(ms(3)));
  EXPECT_FALSE(m.active().staged);
}

TEST_F(StagedImageTest, AStagedImageCanBeUnloadedUnused) {
  const report::Results r = run_to("[run]\nstage = 1ms:bvt\nswap = 5ms:unload=bvt\n", ms(10));
  const report::ReplacementResult& unload = find(r, "unload");
  ASSERT_TRUE(unload.ok) << unload.reason;
  EXPECT_FALSE(unload.sequence);
  EXPECT_FALSE(m_platform->manager().find("bvt"));
  EXPECT_EQ(m_platform->memory().used(), 6 * 1024u);
}

// The soak found it: the default's image, unloaded by unload-old and staged
// again, comes back from its slot on a revert — not loaded over itself
// (which leaked its first copy's bytes).
TEST_F(StagedImageTest, ARevertTakesTheDefaultStagedAgain) {
  const report::Results r =
      run_to("[run]\nswap = 1ms:bvt,policy=unload-old 5ms:unload\nstage = 2ms:rr\n", ms(10));
  ASSERT_EQ(r.replacements.size(), 3u);
  const report::ReplacementResult& back = r.replacements[2];
  ASSERT_TRUE(back.ok) << back.reason;
  EXPECT_EQ(back.to, "rr");
  EXPECT_TRUE(back.staged);
  EXPECT_EQ(back.load, 0u);
  EXPECT_EQ(m_platform->memory().used(), 6 * 1024u) << "rr's one copy; bvt gone";
}

}  // namespace
