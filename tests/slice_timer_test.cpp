// [vmm] slice_timer (docs/replacement.md, patent [0016], claim 16): under
// `pit` a time slot ends at the first IRQ0 edge at or after its slice's end;
// under `deadline` at the slice's end, by the pCPU's own one-shot timer.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

// [pit] hz = 19: reload round(1193182 / 19) = 62799, loaded at PIT tick 1,
// so IRQ0 edge n is at PIT tick 1 + 62799 n, cycle ceil(tick * 1e9 / 1193182).
constexpr Cycles kEdge1 = 52'632'373;
constexpr Cycles kEdge2 = 105'263'908;
constexpr Cycles kEdge3 = 157'895'443;

class SliceTimerTest : public vmmsim::testing::SimTest {
 protected:
  // Two hogs under rr with a 10 ms quantum on one pCPU, PIT at 19 Hz.
  report::Results run(const std::string& timer, const std::string& costs = kZeroCosts) {
    file("hog.trace", "vcpu 0\n  repeat forever\n    run 1s\n  end\n");
    auto& p = build(costs + "[vmm]\nslice_timer = " + timer +
                    "\n[pit]\nhz = 19\n[sched.rr]\nquantum = 10ms\n"
                    "[vm.a]\ntrace = hog.trace\n[vm.b]\ntrace = hog.trace\n");
    p.run(ms(160));
    return p.results();
  }
  static std::uint64_t requests(const report::Results& r, vmm::RequestKind kind) {
    return r.requests.at(static_cast<std::size_t>(kind)).second;
  }
};

TEST_F(SliceTimerTest, PitQuantisesSlotsToIrq0Edges) {
  report::Results r = run("pit");
  // a: [0, edge1) and [edge2, edge3); b: [edge1, edge2) and [edge3, 160 ms).
  EXPECT_EQ(r.vcpus[0].cpu, kEdge1 + (kEdge3 - kEdge2)) << "a 10 ms slot lasts to the next IRQ0 edge";
  EXPECT_EQ(r.vcpus[1].cpu, (kEdge2 - kEdge1) + (ms(160) - kEdge3));
  EXPECT_EQ(requests(r, vmm::RequestKind::SliceExpiry), 3u) << "one per edge, raised by the tick";
  EXPECT_EQ(requests(r, vmm::RequestKind::Tick), 3u);
  EXPECT_EQ(r.pit_ticks, 3u);
}

TEST_F(SliceTimerTest, PitSlotEndIsAVmExit) {
  std::string costs = kZeroCosts;
  costs.replace(costs.find("vm_exit = 0"), 11, "vm_exit = 700");
  report::Results r = run("pit", costs);
  // b enters 700 cycles after edge 1 (a's VM exit), its slice ends 10 ms
  // later and its slot at edge 2.
  EXPECT_EQ(r.vcpus[1].cpu, (kEdge2 - kEdge1 - 700) + (ms(160) - kEdge3 - 700));
  EXPECT_EQ(r.vcpus[0].cpu, kEdge1 + (kEdge3 - kEdge2 - 700));
}

TEST_F(SliceTimerTest, DeadlineEndsSlotsAtTheSliceEnd) {
  report::Results r = run("deadline");
  // 10 ms slots alternate a, b from 0: each has 8 of them by 160 ms.
  EXPECT_EQ(r.vcpus[0].cpu, ms(80));
  EXPECT_EQ(r.vcpus[1].cpu, ms(80));
  EXPECT_EQ(requests(r, vmm::RequestKind::SliceExpiry), 15u) << "at 10, 20, ..., 150 ms";
  EXPECT_EQ(requests(r, vmm::RequestKind::Tick), 3u) << "the PIT still ticks";
}


// Review: an IRQ0 edge that arrives while the pCPU is in the VMM (here a
// 1 ms console hypercall from 52 ms to 53 ms, across edge 1 at 52.63 ms)
// must still end a slot whose slice is over: the interrupt is pending at the
// VM resume, as a real IRQ0 would be. Dropping it makes the slot last to
// edge 2 (105 ms), two PIT periods instead of "the first edge at or after
// the slice's end".
TEST_F(SliceTimerTest, PitEdgeDuringAHypercallStillEndsTheSlot) {
  file("a.trace", "vcpu 0\n  run 52ms\n  console 1\n  repeat forever\n    run 1s\n  end\n");
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 1s\n  end\n");
  std::string costs = kZeroCosts;
  costs.replace(costs.find("hypercall = 0"), 13, "hypercall = 1ms");
  auto& p = build(costs + "[vmm]\nslice_timer = pit\n[pit]\nhz = 19\n[sched.rr]\nquantum = 10ms\n"
                  "[console]\nbaud = 10000000\n[vm.a]\ntrace = a.trace\n[vm.b]\ntrace = hog.trace\n");
  p.run(ms(100));
  report::Results r = p.results();
  EXPECT_EQ(r.vcpus[1].cpu, ms(100) - ms(53)) << "b runs from the end of a's hypercall, not from edge 2";
}

}  // namespace
