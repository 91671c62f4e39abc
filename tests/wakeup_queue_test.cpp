// The processors' wake-up queue (sim/wakeup_queue.h) in the event loop:
// processors due at one cycle run in index order; a wake-up set from a
// processor's step for the cycle being served joins it at its place in
// that order, the served processor's own re-arm included; re-arming
// replaces the previous wake-up.
#include <gtest/gtest.h>

#include <functional>
#include <utility>
#include <vector>

#include "sim/event_loop.h"
#include "sim/wakeup_queue.h"

namespace vmmsim {
namespace {

// A processor's stand-in: records when it is woken, and re-arms as told.
struct Sleeper final : WakeupQueue::Sleeper {
  void wake_up(Cycles now) override {
    EXPECT_EQ(now, clock->now()) << "the cycle served is the clock's";
    react(index);
  }
  const CycleClock* clock = nullptr;
  unsigned index = 0;
  std::function<void(unsigned)> react;
};

TEST(WakeupQueue, ServesByCycleThenIndexWithReArmsFromTheStep) {
  CycleClock clock(1000000000);
  EventLoop loop("events", clock);
  std::vector<std::pair<Cycles, unsigned>> served;
  WakeupQueue wakeups(5);
  bool reacted = false;
  std::vector<Sleeper> sleepers(5);
  for (unsigned p = 0; p < 5; ++p) {
    sleepers[p].clock = &clock;
    sleepers[p].index = p;
    sleepers[p].react = [&](unsigned woken) {
      const Cycles now = clock.now();
      served.emplace_back(now, woken);
      if (woken == 3 && now == 10 && !reacted) {
        reacted = true;
        wakeups.schedule(0, 10);  // a lower index at the cycle being served: next
        wakeups.schedule(3, 10);  // itself again at this cycle: after 0
        wakeups.schedule(4, 30);  // replaces 4's wake-up at 10
      }
      if (woken == 2 && now == 20) wakeups.schedule(2, 40);
    };
    wakeups.attach(p, sleepers[p]);
  }
  loop.attach(wakeups);
  wakeups.schedule(4, 10);
  wakeups.schedule(3, 10);
  wakeups.schedule(1, 10);
  wakeups.schedule(2, 20);
  wakeups.schedule(1, 5);  // earlier: replaces 1's wake-up at 10
  loop.advance(100);
  const std::vector<std::pair<Cycles, unsigned>> expected{{5, 1}, {10, 3}, {10, 0}, {10, 3},
                                                          {20, 2}, {30, 4}, {40, 2}};
  EXPECT_EQ(served, expected);
}

}  // namespace
}  // namespace vmmsim
