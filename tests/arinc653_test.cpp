// arinc653 (Xen's partition scheduler) driven through its C ops table
// (tests/rt_simulator.h). Expected schedules are computed by hand and checked
// to the cycle.
#include "tests/rt_simulator.h"

namespace vmmsim::sched {
namespace {

using namespace testing;  // kClock, kUs, kMs, kS, kIdle, kNoCpu, VcpuId, Params
using namespace rt_sim;

// ================================================================= arinc653

Params window(Cycles w) { return {{"window", int64_t(w)}}; }

TEST(Arinc653, MinorFramesStartAndEndAtTheConfiguredCycles) {
  // a: 5 ms, b: 3 ms, major frame 10 ms: a 0-5, b 5-8, idle 8-10, repeat.
  Instance s(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}});
  ASSERT_EQ(s.insert(0, window(5 * kMs), true), 0) << s.error;
  ASSERT_EQ(s.insert(1, window(3 * kMs), true), 0) << s.error;
  struct Expect {
    Cycles at;
    VcpuId prev, next;
    Cycles slice;
  };
  for (const Expect& e : std::vector<Expect>{{0, kIdle, 0, 5 * kMs},
                                             {5 * kMs, 0, 1, 3 * kMs},
                                             {8 * kMs, 1, kIdle, 2 * kMs},
                                             {10 * kMs, kIdle, 0, 5 * kMs},
                                             {15 * kMs, 0, 1, 3 * kMs},
                                             {18 * kMs, 1, kIdle, 2 * kMs},
                                             {20 * kMs, kIdle, 0, 5 * kMs}}) {
    EXPECT_EQ(s.pick(e.at, e.prev, e.prev == kIdle ? 0 : e.at), e.next) << "at " << e.at;
    EXPECT_EQ(s.last.slice, e.slice) << "at " << e.at;
    if (e.next != kIdle) {
      EXPECT_EQ(s.priority(e.next), 1) << "the window's owner";
      EXPECT_EQ(s.priority(1 - e.next), VMM_PRIORITY_HELD) << "held outside its window";
    }
  }
}

TEST(Arinc653, CpuBoundGuestsGetTheirWindowsAndTheRestIdles) {
  Schedule s = simulate(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}},
                        {cpu_bound(window(5 * kMs)), cpu_bound(window(3 * kMs))}, kS);
  EXPECT_EQ(s.cpu_of(0, 0, kS), 500 * kMs);
  EXPECT_EQ(s.cpu_of(1, 0, kS), 300 * kMs);
  EXPECT_EQ(s.cpu_of(kIdle, 0, kS), 200 * kMs);
  for (const Span& span : s.merged(0)) {
    Cycles offset = span.start % (10 * kMs);
    Cycles length = span.end - span.start;
    Cycles want_offset = span.vcpu == 0 ? 0 : span.vcpu == 1 ? 5 * kMs : 8 * kMs;
    Cycles want_length = span.vcpu == 0 ? 5 * kMs : span.vcpu == 1 ? 3 * kMs : 2 * kMs;
    EXPECT_EQ(offset, want_offset) << span;
    EXPECT_EQ(length, want_length) << span;
  }
}

TEST(Arinc653, ANonRunnableOwnerLeavesItsWindowIdle) {
  // a computes 2 ms then waits until 12 ms; it runs again in its next window
  // (10 ms) only once woken, at 12. b is CPU-bound but never uses a's window.
  Schedule s = simulate(
      arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}},
      {{{{0, 2 * kMs}, {12 * kMs, 10 * kMs}}, window(5 * kMs)}, cpu_bound(window(3 * kMs))},
      30 * kMs);
  EXPECT_EQ(s.merged(0), (std::vector<Span>{{0, 0, 2 * kMs},
                                            {kIdle, 2 * kMs, 5 * kMs},
                                            {1, 5 * kMs, 8 * kMs},
                                            {kIdle, 8 * kMs, 12 * kMs},
                                            {0, 12 * kMs, 15 * kMs},
                                            {1, 15 * kMs, 18 * kMs},
                                            {kIdle, 18 * kMs, 20 * kMs},
                                            {0, 20 * kMs, 25 * kMs},
                                            {1, 25 * kMs, 28 * kMs},
                                            {kIdle, 28 * kMs, 30 * kMs}}));
}

TEST(Arinc653, WakeOfTheWindowOwnerTicklesPcpuZeroOthersWait) {
  Instance s(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}});
  ASSERT_EQ(s.insert(0, window(5 * kMs)), 0) << s.error;
  ASSERT_EQ(s.insert(1, window(3 * kMs)), 0) << s.error;
  EXPECT_EQ(s.pick(0), kIdle) << "nobody runnable: the schedule starts anyway";
  EXPECT_EQ(s.last.slice, 5 * kMs);
  EXPECT_EQ(s.wake(1, kMs).cpu, kNoCpu) << "b's window is not now";
  vmm_tickle_t t = s.wake(0, 2 * kMs);
  EXPECT_EQ(t.cpu, 0);
  EXPECT_EQ(t.at, 2 * kMs);
  EXPECT_EQ(s.pick(2 * kMs), 0);
  EXPECT_EQ(s.last.slice, 3 * kMs) << "the rest of a's window";
}

TEST(Arinc653, DefaultMajorFrameIsTheSumOfTheWindowsInVcpuOrder) {
  // Inserted out of order: the windows still follow vCPU ids. vCPU 1 has no
  // window and never runs.
  Instance s(arinc653_ops(), {{"major_frame", 0}});
  ASSERT_EQ(s.insert(2, window(2 * kMs), true), 0) << s.error;
  ASSERT_EQ(s.insert(0, window(5 * kMs), true), 0) << s.error;
  ASSERT_EQ(s.insert(1, {}, true), 0) << s.error;
  EXPECT_EQ(s.pick(0), 0);
  EXPECT_EQ(s.last.slice, 5 * kMs);
  EXPECT_EQ(s.pick(5 * kMs, 0, 5 * kMs), 2);
  EXPECT_EQ(s.last.slice, 2 * kMs);
  EXPECT_EQ(s.pick(7 * kMs, 2, 2 * kMs), 0) << "major frame = 5 + 2 ms";
  EXPECT_EQ(s.priority(1), VMM_PRIORITY_HELD);
}

TEST(Arinc653, OnlyPcpuZeroRunsTheSchedule) {
  Schedule s = simulate(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}},
                        {cpu_bound(window(5 * kMs)), cpu_bound(window(3 * kMs))}, 100 * kMs, {2});
  EXPECT_EQ(s.merged(1), (std::vector<Span>{{kIdle, 0, 100 * kMs}}));
  EXPECT_EQ(s.cpu_of(0, 0, 100 * kMs), 50 * kMs);
}

// position() walks from the last window to the next one instead of dividing
// and searching: decisions at any later cycle, window after window or
// skipping several, into the idle rest and across frames, and after a
// schedule change, still name the window the frame's arithmetic names.
TEST(Arinc653, DecisionsAtAnyCycleFollowTheFrameArithmetic) {
  struct Case {
    Cycles major;
    std::vector<std::pair<VcpuId, Cycles>> windows;
  };
  for (Case c : {Case{0, {{0, 2 * kMs}, {1, kMs}, {2, 4 * kMs}}}, Case{10 * kMs, {{0, 2 * kMs}, {1, kMs}, {2, 4 * kMs}}},
                 Case{0, {{0, 3 * kMs}}}, Case{5 * kMs, {{0, 3 * kMs}}}}) {
    const Cycles major = c.major;
    std::vector<std::pair<VcpuId, Cycles>> windows = c.windows;
    Instance s(arinc653_ops(), {{"major_frame", int64_t(major)}});
    for (const auto& [v, w] : windows) ASSERT_EQ(s.insert(v, window(w), true), 0) << s.error;
    Cycles epoch = 0;
    // The owner, the time left and the (frame, window) at `now`, from the frame's arithmetic.
    struct Place {
      VcpuId owner;
      Cycles left, frame;
      std::size_t window;
    };
    auto expected = [&](Cycles now) {
      Cycles sum = 0;
      for (const auto& w : windows) sum += w.second;
      const Cycles frame = major ? major : sum;
      const Cycles offset = (now - epoch) % frame;
      Cycles end = 0;
      std::size_t i = 0;
      for (const auto& [v, w] : windows) {
        if (offset < (end += w)) return Place{v, end - offset, (now - epoch) / frame, i};
        ++i;
      }
      return Place{kIdle, frame - offset, (now - epoch) / frame, i};
    };
    std::uint64_t seed = 12345;
    auto next_step = [&] {  // 0 to 25 ms, in 250 us steps: on boundaries and between them
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      return ((seed >> 33) % 101) * 250 * kUs;
    };
    VcpuId prev = kIdle;
    Cycles now = 0;
    for (int i = 0; i < 2000; ++i) {
      if (i == 1000) {  // a new window: a changed schedule starts a new major frame now
        windows.emplace_back(3, kMs);
        ASSERT_EQ(s.insert(3, window(kMs), true, {}, now), 0) << s.error;
        epoch = now;
      }
      const Place want = expected(now);
      ASSERT_EQ(s.pick(now, prev, 0), want.owner) << "major " << major << ", at " << now;
      ASSERT_EQ(s.last.slice, want.left) << "major " << major << ", at " << now;
      // The (frame, window) the decision names: what priority and idle_windows go by.
      const std::string where = " frame=" + std::to_string(want.frame) + " window=" +
                                (want.window < windows.size() ? std::to_string(want.window) : "idle") + " ";
      ASSERT_NE(s.dump().find(where), std::string::npos) << s.dump() << ", want" << where << "at " << now;
      prev = want.owner;
      now += next_step();
    }
  }
}

TEST(Arinc653, WindowsBeyondTheMajorFrameAreRejected) {
  Instance s(arinc653_ops(), {{"major_frame", int64_t(10 * kMs)}});
  ASSERT_EQ(s.insert(0, window(6 * kMs)), 0) << s.error;
  EXPECT_NE(s.insert(1, window(5 * kMs)), 0);
  EXPECT_NE(std::string(s.error).find("exceed major_frame"), std::string::npos) << s.error;
  EXPECT_EQ(s.insert(1, window(4 * kMs)), 0) << "a failed insert leaves no trace";
  EXPECT_EQ(arinc653_ops().image_bytes, 8u * 1024);
}

}  // namespace
}  // namespace vmmsim::sched
