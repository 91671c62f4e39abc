// [console] focus = scheduled (docs/replacement.md "The console", patent
// [0013]): the console is a switch device whose focus follows the scheduler
// on its pCPU; a keystroke goes to the VM in focus when it is typed; the
// focus at cease is the focus after the resume.
#include "tests/sim_fixture.h"
#include "tests/vcd_reading.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

// A byte takes ceil(1e9 * 10 / 1e7) = 1000 cycles on this console.
constexpr const char* kFastConsole = "[console]\nbaud = 10000000\n";

class ConsoleFocusTest : public vmmsim::testing::SimTest {
 protected:
  // a computes 2 ms, reads a byte, computes 1 ms; b computes 3 ms, reads, 1 ms.
  report::Results run_readers(const std::string& console) {
    file("a.trace", "vcpu 0\n  run 2ms\n  read 1\n  run 1ms\n");
    file("b.trace", "vcpu 0\n  run 3ms\n  read 1\n  run 1ms\n");
    auto& p = build(std::string(kZeroCosts) + console + "input_start = 1ms\ninput_every = 5ms\ninput_count = 2\n" +
                    "[vm.a]\ntrace = a.trace\n[vm.b]\ntrace = b.trace\n");
    m_vcd = vmmsim::testing::run_traced(p, ms(20), m_dir / "run.vcd");
    return p.results();
  }
  std::string m_vcd;
};

TEST_F(ConsoleFocusTest, FocusFollowsTheDispatchesOnTheConsolePcpu) {
  // a runs [0, 3 ms): keystroke 1 (typed at 1 ms) is in its buffer at its
  // read. b runs [3, 6 ms), reads and blocks; keystroke 2 at 6 ms goes to b,
  // the VM last dispatched on cpu0, and wakes it 1000 cycles later.
  report::Results r = run_readers(std::string(kFastConsole) + "focus = scheduled\n");
  ASSERT_TRUE(r.vcpus[1].turnaround) << "b got keystroke 2";
  EXPECT_EQ(*r.vcpus[1].turnaround, ms(6) + 1000 + ms(1));
  EXPECT_EQ(r.vms[1].input_latency.count(), 1u);
  EXPECT_EQ(r.vms[1].input_latency.max(), 1000u) << "from the keystroke to b's dispatch";
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(3)) << "a read keystroke 1 from its buffer";
  // The focus moved to b (VM 1) at b's dispatch at 3 ms, and only then.
  auto focus = vmmsim::testing::vcd_changes(m_vcd, "console", "focus");
  ASSERT_EQ(focus.size(), 2u);
  EXPECT_EQ(focus[0], std::make_pair(Cycles{0}, std::uint64_t{0}));
  EXPECT_EQ(focus[1], std::make_pair(ms(3), std::uint64_t{1}));
}

TEST_F(ConsoleFocusTest, StaticFocusStaysWhereItWasPut) {
  report::Results r = run_readers(std::string(kFastConsole) + "focus = a\n");
  EXPECT_FALSE(r.vcpus[1].turnaround) << "keystroke 2 went to a: b reads forever";
  EXPECT_EQ(r.vms[1].input_latency.count(), 0u);
  auto focus = vmmsim::testing::vcd_changes(m_vcd, "console", "focus");
  EXPECT_EQ(focus.size(), 1u) << "never moved";
}

TEST_F(ConsoleFocusTest, AKeystrokeGoesToTheVmInFocusWhenTyped) {
  // A byte takes 2 ms at 5000 baud. Typed at 0.5 ms while a runs (focus a);
  // a reads at 1 ms and blocks; b is dispatched (focus b) and computes to 6
  // ms; the byte completes at 2.5 ms and still goes to a, which runs at 6 ms.
  file("a.trace", "vcpu 0\n  run 1ms\n  read 1\n  run 1ms\n");
  file("b.trace", "vcpu 0\n  run 5ms\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[console]\nbaud = 5000\nfocus = scheduled\ninput_start = 500us\ninput_every = 1s\ninput_count = 1\n"
                  "[vm.a]\ntrace = a.trace\n[vm.b]\ntrace = b.trace\n");
  p.run(ms(20));
  report::Results r = p.results();
  ASSERT_TRUE(r.vcpus[0].turnaround) << "the keystroke reached a, not b (in focus at delivery)";
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(7));
  EXPECT_EQ(r.vms[0].input_latency.max(), ms(5.5));
  EXPECT_EQ(p.console().focus(), 0u) << "a was dispatched last";
}

TEST_F(ConsoleFocusTest, TheFocusAtCeaseIsTheFocusAfterTheResume) {
  // rr: a [0, 10 ms), b from 10 ms (focus b). bvt is loaded at 15 ms; its
  // first pick after the resume is a, which does not take the focus.
  file("hog.trace", "vcpu 0\n  repeat forever\n    run 1s\n  end\n");
  auto& p = build(std::string(kZeroCosts) +
                  "[console]\nfocus = scheduled\n[sched.rr]\nquantum = 10ms\n[vm.a]\ntrace = hog.trace\n"
                  "[vm.b]\ntrace = hog.trace\n[run]\nswap = 15ms:bvt\n");
  p.run(ms(15) + 20000);
  ASSERT_EQ(p.results().replacements.size(), 1u);
  ASSERT_EQ(p.processor(0).owner(), 0) << "bvt resumed a on cpu0";
  EXPECT_EQ(p.console().focus(), 1u) << "b had the focus at cease and keeps it";
}

}  // namespace
