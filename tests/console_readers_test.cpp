// Console input to a VM of several vCPUs (docs/generators.md "interactive"):
// a keystroke goes to whichever vCPU waits in `read`, the one waiting
// longest first, with its bytes handed to it at once; input that finds no
// reader stays buffered for the next `read`.
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

// A byte takes ceil(1e9 * 10 / 1e7) = 1000 cycles on this console.
constexpr const char* kFastConsole = "[console]\nbaud = 10000000\nfocus = web\n";

class ConsoleReadersTest : public vmmsim::testing::SimTest {
 protected:
  // VM web, two vCPUs replaying `trace`, focused, with the keystrokes
  // `input` ([console] keys), on `cpus` pCPUs under rr; run for 20 ms.
  report::Results run_web(const std::string& trace, const std::string& input, unsigned cpus) {
    file("web.trace", trace);
    auto& p = build(std::string(kZeroCosts) + kFastConsole + input + "[platform]\ncpus = " + std::to_string(cpus) +
                    "\n[sched.rr]\nquantum = 10ms\n[vm.web]\nvcpus = 2\ntrace = web.trace\n");
    p.run(ms(20));
    return p.results();
  }
};

TEST_F(ConsoleReadersTest, EveryVcpuWaitingInReadGetsItsTurn) {
  // Two pCPUs; both vCPUs of web replay "read 1, run 1 ms" and block in
  // read at 0, vCPU 0 first. Keystrokes land at 1, 6, 11 and 16 ms (+1000
  // cycles on the wire): vCPU 0 is back in read long before each one, so
  // handing every keystroke to the lowest index starved vCPU 1.
  report::Results r = run_web("vcpu 0\n  repeat forever\n    read 1\n    run 1ms\n  end\n",
                              "input_start = 1ms\ninput_every = 5ms\ninput_count = 4\n", 2);
  ASSERT_EQ(r.vcpus.size(), 2u);
  EXPECT_EQ(r.vcpus[0].cpu, ms(2)) << "web.0 handled keystrokes 1 and 3";
  EXPECT_EQ(r.vcpus[1].cpu, ms(2)) << "web.1 handled keystrokes 2 and 4, it does not starve";
  EXPECT_EQ(r.vms[0].input_latency.count(), 4u);
  EXPECT_EQ(r.vms[0].input_latency.max(), 1000u) << "each keystroke woke a reader as it arrived";
}

TEST_F(ConsoleReadersTest, TheReaderWaitingLongestIsServedFirst) {
  // vCPU 1 blocks in read at 1 ms, vCPU 0 at 2 ms; the one keystroke (at
  // 3 ms) goes to vCPU 1, whatever the indexes.
  report::Results r = run_web("vcpu 0\n  run 2ms\n  read 1\n  run 1ms\nvcpu 1\n  run 1ms\n  read 1\n  run 1ms\n",
                              "input_start = 3ms\ninput_every = 5ms\ninput_count = 1\n", 2);
  EXPECT_FALSE(r.vcpus[0].turnaround) << "web.0 still waits: the keystroke was not its";
  ASSERT_TRUE(r.vcpus[1].turnaround);
  EXPECT_EQ(*r.vcpus[1].turnaround, ms(4) + 1000);
}

TEST_F(ConsoleReadersTest, BytesHandedToAWokenReaderAreNotTakenBeforeItRuns) {
  // One pCPU. vCPU 0 blocks in read at 0; vCPU 1 computes [0, 2 ms). The
  // keystroke (1 ms + 1000) wakes vCPU 0, which waits for the pCPU; vCPU 1
  // reads at 2 ms and must not take vCPU 0's byte: it blocks, and vCPU 0
  // runs [2, 3 ms).
  report::Results r = run_web("vcpu 0\n  read 1\n  run 1ms\nvcpu 1\n  run 2ms\n  read 1\n  run 1ms\n",
                              "input_start = 1ms\ninput_every = 5ms\ninput_count = 1\n", 1);
  ASSERT_TRUE(r.vcpus[0].turnaround) << "web.0 kept the byte it was woken for";
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(3));
  EXPECT_FALSE(r.vcpus[1].turnaround) << "no second keystroke for web.1";
  EXPECT_EQ(r.vms[0].input_latency.max(), ms(1)) << "typed at 1 ms, run at 2 ms";
}

TEST_F(ConsoleReadersTest, InputWithNoReaderWaitsForTheNextRead) {
  // Two keystrokes (0.5 and 1 ms) before any read: each vCPU reads one from
  // the buffer without blocking.
  report::Results r = run_web("vcpu 0\n  run 2ms\n  read 1\n  run 1ms\nvcpu 1\n  run 3ms\n  read 1\n  run 1ms\n",
                              "input_start = 500us\ninput_every = 500us\ninput_count = 2\n", 2);
  ASSERT_TRUE(r.vcpus[0].turnaround && r.vcpus[1].turnaround);
  EXPECT_EQ(*r.vcpus[0].turnaround, ms(3));
  EXPECT_EQ(*r.vcpus[1].turnaround, ms(4));
}

}  // namespace
