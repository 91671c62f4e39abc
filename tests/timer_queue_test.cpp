// The VMM's timer queue (sim/timer_queue.h) in the event loop: entries come
// by (cycle, rank, key, order of adding), whether they went to their rank's
// in-order lane or, out of order, to the heap; and timers added while one is
// served (the next I/O, the next keystroke) join at their place.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <tuple>
#include <vector>

#include "sim/event_loop.h"
#include "sim/timer_queue.h"

namespace vmmsim {
namespace {

struct Timer {
  Cycles due;
  Rank rank;
  std::uint64_t key;
  std::uint64_t seq;  // order of adding
  bool operator<(const Timer& o) const {
    return std::tie(due, rank, key, seq) < std::tie(o.due, o.rank, o.key, o.seq);
  }
};

TEST(TimerQueue, ServesByCycleRankKeyThenOrderOfAdding) {
  CycleClock clock(1000000000);
  EventLoop loop("events", clock);
  std::vector<Timer> added;
  std::vector<std::uint64_t> served;       // seqs
  std::vector<std::size_t> added_by_then;  // timers added when each was served
  std::mt19937 rng(13);
  TimerQueue* queue = nullptr;
  auto add = [&](Cycles due, Rank rank, std::uint64_t key) {
    const Timer t{due, rank, key, added.size()};
    added.push_back(t);
    queue->add(due, rank, key, 0, t.seq);
  };
  TimerQueue timers([&](std::uint32_t, std::uint64_t seq, Cycles now) {
    EXPECT_EQ(now, clock.now()) << "the cycle served is the clock's";
    served.push_back(seq);
    added_by_then.push_back(added.size());
    EXPECT_EQ(now, added[seq].due);
    // Like an I/O completion's vCPU blocking again: mostly one length, in
    // order; now and then another length, or one due at once.
    if (added.size() < 3000) {
      const Cycles after = rng() % 4 == 0 ? rng() % 50 : 40;
      add(now + after, rng() % 3 == 0 ? Rank::Keystroke : Rank::TimerWake, rng() % 8);
    }
  });
  queue = &timers;
  loop.attach(timers);
  for (int i = 0; i < 200; ++i) {
    const Rank ranks[] = {Rank::Arrival, Rank::TimerWake, Rank::Keystroke, Rank::Swap, Rank::Watchdog};
    add(rng() % 100, ranks[rng() % 5], rng() % 8);
  }
  loop.advance(1000000);
  ASSERT_EQ(served.size(), added.size()) << "every timer served";
  // Each timer served was the least of those pending then.
  std::vector<bool> done(added.size(), false);
  for (std::size_t i = 0; i < served.size(); ++i) {
    const Timer& t = added[served[i]];
    for (std::size_t j = 0; j < added_by_then[i]; ++j)
      ASSERT_FALSE(!done[j] && added[j] < t) << "timer " << j << " (due " << added[j].due << ") pending, "
                                             << served[i] << " (due " << t.due << ") served";
    done[served[i]] = true;
  }
}

}  // namespace
}  // namespace vmmsim
