// A service vCPU that waits on the console — in `read`, or in a write to a
// full FIFO — and is woken early by an interrupt (a switching controller's
// window end, a guest's fault notification) does that work and goes back to
// its wait with its place kept: it is queued once, input that arrives while
// it is awake is still its own, and a write it finished while awake is not
// woken for again (docs/architecture.md "Console").
#include "tests/sim_fixture.h"

using namespace vmmsim;
using vmmsim::testing::kZeroCosts;

namespace {

// A byte takes ceil(1e9 * 10 / 1e7) = 1000 cycles on this console.
constexpr const char* kServiceConsole = "[console]\nbaud = 10000000\nfocus = service\n";

class ServiceReaderTest : public vmmsim::testing::SimTest {
 protected:
  // Two pCPUs under rr; the service VM has `vcpus` vCPUs replaying `service`,
  // has the console focus, and gets the keystrokes `input` ([console]
  // keys); a guest sleeps through the run; `more` adds sections. Runs to
  // `until` (nothing due at `until` is served).
  report::Results run(const std::string& service, const std::string& input, unsigned vcpus,
                      const std::string& more, Cycles until) {
    file("service.trace", service);
    file("sleeper.trace", "vcpu 0\n  sleep 1s\n");
    auto& p = build(std::string(kZeroCosts) + kServiceConsole + input +
                    "[platform]\ncpus = 2\n[vm.sleeper]\ntrace = sleeper.trace\n"
                    "[service]\nvcpus = " + std::to_string(vcpus) + "\ntrace = service.trace\n" +
                    more);
    p.run(until);
    return p.results();
  }
};

// A controller whose rule never fires: its windows (every 5 ms) only
// interrupt the service VM, whose evaluation takes 1 ms.
constexpr const char* kQuietController =
    "[controller]\nevaluation_cost = 1ms\n"
    "[controller.rule.never]\nmetric = utilisation\nwindow = 5ms\nabove = 2\naction = load fifo\n";

// service.0 blocks in read at 0, service.1 at 1 ms. The window end at 5 ms
// wakes service.0 (the service vCPU), which evaluates [5, 6 ms); the one
// keystroke, at 5.5 ms + 1000, is service.0's: it waited longest, and
// running its interrupt's work it has not left its read. It finishes the
// read at 6 ms and runs [6, 7 ms); service.1 still waits.
TEST_F(ServiceReaderTest, InputThatArrivesWhileTheReaderHandlesAnInterruptIsItsOwn) {
  const report::Results r =
      run("vcpu 0\n  read 1\n  run 1ms\nvcpu 1\n  run 1ms\n  read 1\n  run 1ms\n",
          "input_start = 5500us\ninput_every = 10ms\ninput_count = 1\n", 2, kQuietController, ms(9));
  ASSERT_EQ(r.vcpus.size(), 3u);
  const report::VcpuResult& s0 = r.vcpus[1];
  const report::VcpuResult& s1 = r.vcpus[2];
  ASSERT_TRUE(s0.turnaround) << "service.0 got the keystroke it waited for longest";
  EXPECT_EQ(*s0.turnaround, ms(7));
  EXPECT_FALSE(s1.turnaround) << "service.1 blocked in read after service.0: no keystroke for it";
  EXPECT_EQ(r.vms[1].input_latency.count(), 1u);
  EXPECT_EQ(r.vms[1].input_latency.max(), ms(0.5))
      << "typed at 5.5 ms, read when the evaluation ended at 6 ms";
}

// What wakes the service vCPU early while it waits in read.
struct Interrupt {
  const char* name;
  const char* more;  // config sections
};

void PrintTo(const Interrupt& i, std::ostream* os) { *os << i.name; }

class ServiceReaderOrderTest : public ServiceReaderTest,
                               public ::testing::WithParamInterface<Interrupt> {};

// Three service vCPUs. service.0 blocks in read at 0, service.1 at 1 ms;
// at 5 ms an interrupt wakes service.0, which goes back to its read (at 5
// or 6 ms); service.2 blocks in read at 6.5 ms. Keystrokes at 7, 8 and 9
// ms (+1000 on the line): the first is service.0's, which reads again at
// once, behind service.2; the second service.1's; the third service.2's,
// which waited longer than service.0's second read. Queued twice,
// service.0's stale second place, ahead of service.2, took it.
TEST_P(ServiceReaderOrderTest, AReaderWokenEarlyIsQueuedOnce) {
  file("faulty.trace", "vcpu 0\n  sleep 5ms\n  fault\n");
  const report::Results r = run(
      "vcpu 0\n  read 1\n  read 1\nvcpu 1\n  run 1ms\n  read 1\nvcpu 2\n  run 6500us\n  read 1\n",
      "input_start = 7ms\ninput_every = 1ms\ninput_count = 3\n", 3, GetParam().more, ms(9.9));
  const report::VcpuResult& s0 = r.vcpus[1];
  const report::VcpuResult& s2 = r.vcpus[3];
  ASSERT_EQ(s2.vm, "service");
  ASSERT_TRUE(s2.turnaround) << "service.2 waited longer than service.0's second read";
  EXPECT_EQ(*s2.turnaround, ms(9) + 1000);
  EXPECT_FALSE(s0.turnaround) << "service.0's second read still waits";
}

INSTANTIATE_TEST_SUITE_P(
    Interrupts, ServiceReaderOrderTest,
    ::testing::Values(Interrupt{"controller", kQuietController},
                      Interrupt{"fault", "[vm.faulty]\ntrace = faulty.trace\n"}),
    [](const auto& info) { return std::string(info.param.name); });

// The service VM alone writes; the console (fifo 16, 1000 cycles a byte)
// wakes a blocked writer once 8 bytes are free. One pCPU; the controller's
// windows of `window` interrupt the service vCPU and its evaluation takes
// 1000 cycles.
class ServiceWriterTest : public vmmsim::testing::SimTest {
 protected:
  report::Results run(const std::string& service, const std::string& window, Cycles until) {
    file("service.trace", service);
    file("sleeper.trace", "vcpu 0\n  sleep 1s\n");
    auto& p = build(std::string(kZeroCosts) +
                    "[console]\nbaud = 10000000\nfifo = 16\n[vm.sleeper]\ntrace = sleeper.trace\n"
                    "[service]\ntrace = service.trace\n[controller]\nevaluation_cost = 1000\n"
                    "[controller.rule.never]\nmetric = utilisation\nabove = 2\naction = load fifo\n"
                    "window = " +
                    window + "\n");
    p.run(until);
    return p.results();
  }
  static std::uint64_t console_wakes(const report::Results& r) {
    return r.requests[static_cast<std::size_t>(vmm::RequestKind::ConsoleWake)].second;
  }
};

// 40 bytes at 0: 16 fit. Room at 8000: woken, 8 more, blocked again (16
// left). The window end at 10 us wakes it; at 11 us it writes the 3 bytes
// that fit and blocks again, still in its place. Room at 19 us: one wake.
TEST_F(ServiceWriterTest, AWriterWokenEarlyIsQueuedOnce) {
  const report::Results r = run("vcpu 0\n  console 40\n  sleep 1s\n", "10us", 19500);
  EXPECT_EQ(console_wakes(r), 2u) << "at 8 us and at 19 us, once each";
  EXPECT_EQ(r.console_written, 16u + 8 + 3 + 8);
}

// 20 bytes at 0: 16 fit, blocked with 4 left. The window end at 5 us wakes
// it; at 6 us the 4 bytes fit, and it goes to sleep. The room at 12 us
// (the FIFO refilled at 6 us) is no one's: nobody is woken, and the
// service vCPU is dispatched at 0, 5 us and 10 us only (windows).
TEST_F(ServiceWriterTest, AWriteFinishedWhileAwakeIsNotWokenForLater) {
  const report::Results r = run("vcpu 0\n  console 20\n  sleep 1s\n", "5us", 14000);
  EXPECT_EQ(r.console_written, 20u);
  EXPECT_EQ(console_wakes(r), 0u);
  EXPECT_EQ(r.vcpus[1].dispatches, 3u);
}

}  // namespace
