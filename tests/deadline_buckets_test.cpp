// rtds's replenishment queue (schedulers/deadline_buckets.h), checked against
// an ordered set of (deadline, since, id) under random sets, moves and
// erases: the first deadline, the size, membership and the due ids in their
// order are the set's, whatever stale entries the buckets hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "schedulers/deadline_buckets.h"

namespace vmmsim::sched {
namespace {

TEST(DeadlineBuckets, DueIdsComeByDeadlineThenSinceThenId) {
  DeadlineBuckets q;
  q.grow(200);
  for (unsigned id : {130u, 7u, 64u, 63u, 0u, 199u}) q.set(id, 100, 20);
  q.set(5, 50, 30);
  q.set(6, 150, 10);
  q.set(8, 100, 40);
  q.set(9, 100, 10);  // waiting longer than those before it: ahead of them
  EXPECT_EQ(q.first(), 50u);
  std::vector<unsigned> due;
  q.take_due(100, due);
  EXPECT_EQ(due, (std::vector<unsigned>{5, 9, 0, 7, 63, 64, 130, 199, 8}));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.first(), 150u);
  EXPECT_FALSE(q.contains(7));
}

// A member moved away and back to the same deadline has one live entry; one
// erased leaves none, and a bucket whose members all left is gone.
TEST(DeadlineBuckets, MovedAndErasedMembersLeaveNoStaleEntryBehind) {
  DeadlineBuckets q;
  q.grow(10);
  q.set(3, 100, 0);
  q.set(3, 200, 0);
  q.set(3, 100, 0);
  q.set(4, 100, 0);
  q.erase(4);
  q.set(5, 80, 0);
  q.erase(5);
  q.set(6, 100, 5);
  q.set(6, 100, 7);  // the same deadline from another since: one live entry, at the later place
  q.set(2, 100, 6);
  EXPECT_EQ(q.first(), 100u);  // 80's bucket went with its last member
  std::vector<unsigned> due;
  q.take_due(1000, due);
  EXPECT_EQ(due, (std::vector<unsigned>{3, 2, 6}));
  EXPECT_TRUE(q.empty());
}

TEST(DeadlineBuckets, AgreesWithAnOrderedSetUnderRandomOperations) {
  constexpr unsigned kIds = 300;
  std::mt19937_64 rng(13);
  DeadlineBuckets q;
  q.grow(kIds);
  std::set<std::tuple<Cycles, Cycles, unsigned>> model;  // (deadline, since, id)
  std::vector<Cycles> at(kIds, 0), from(kIds, 0);
  std::vector<bool> in(kIds, false);
  Cycles now = 0;
  for (int step = 0; step < 200000; ++step) {
    const unsigned id = static_cast<unsigned>(rng() % kIds);
    switch (rng() % 4) {
      case 0:
      case 1: {  // deadlines on a coarse grid, as aligned periods give
        // Mostly waiting from now; a replenished vCPU keeps an earlier since.
        const Cycles d = now + 1 + (rng() % 8) * 10;
        const Cycles since = rng() % 4 ? now : now - std::min<Cycles>(now, rng() % 50);
        if (in[id]) model.erase({at[id], from[id], id});
        model.insert({d, since, id});
        at[id] = d;
        from[id] = since;
        in[id] = true;
        q.set(id, d, since);
        break;
      }
      case 2:
        if (in[id]) model.erase({at[id], from[id], id});
        in[id] = false;
        q.erase(id);
        break;
      default: {
        now += rng() % 15;
        std::vector<unsigned> due, expected;
        q.take_due(now, due);
        while (!model.empty() && std::get<0>(*model.begin()) <= now) {
          expected.push_back(std::get<2>(*model.begin()));
          in[std::get<2>(*model.begin())] = false;
          model.erase(model.begin());
        }
        ASSERT_EQ(due, expected) << "step " << step;
      }
    }
    ASSERT_EQ(q.size(), model.size());
    ASSERT_EQ(q.empty(), model.empty());
    if (!model.empty()) {
      ASSERT_EQ(q.first(), std::get<0>(*model.begin())) << "step " << step;
    }
    ASSERT_EQ(q.contains(id), in[id]);
  }
}

}  // namespace
}  // namespace vmmsim::sched
