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

// One deadline's worth of members that joined in order, and one that joins
// with an earlier since than most of them: the bucket leaves (since, id)
// order and gives its members by id (rtds then sorts its batch).
TEST(DeadlineBuckets, ABucketJoinedFarFromItsEndGivesItsMembersById) {
  DeadlineBuckets q;
  q.grow(300);
  std::vector<unsigned> by_id;
  for (unsigned i = 0; i < 100; ++i) q.set(299 - i, 500, 10 + i);  // since rising, ids falling
  q.set(5, 500, 0);
  q.set(7, 400, 3);  // another bucket, in order
  q.set(6, 400, 2);
  std::vector<unsigned> due;
  q.take_due(500, due);
  std::vector<unsigned> expected{6, 7, 5};
  for (unsigned id = 200; id < 300; ++id) expected.push_back(id);
  EXPECT_EQ(due, expected);
}

// Random sets (deadlines on a coarse grid, as aligned periods give), moves,
// erases and takes against an ordered set of (deadline, since, id). With
// every member waiting from now (`later_only`), as rtds's own joins do, the
// due ids come exactly in the set's order; with some that keep an earlier
// since, each deadline's ids are the set's, by (since, id) or by id.
void agrees_with_an_ordered_set(std::uint64_t seed, bool later_only) {
  constexpr unsigned kIds = 300;
  std::mt19937_64 rng(seed);
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
      case 1: {
        const Cycles d = now + 1 + (rng() % 8) * 10;
        const Cycles since = later_only || rng() % 4 ? now : now - std::min<Cycles>(now, rng() % 50);
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
        std::vector<unsigned> due;
        q.take_due(now, due);
        std::vector<std::tuple<Cycles, Cycles, unsigned>> expected;
        while (!model.empty() && std::get<0>(*model.begin()) <= now) {
          expected.push_back(*model.begin());
          in[std::get<2>(*model.begin())] = false;
          model.erase(model.begin());
        }
        ASSERT_EQ(due.size(), expected.size()) << "step " << step;
        for (std::size_t begin = 0; begin < expected.size();) {  // a deadline at a time
          std::size_t end = begin;
          while (end < expected.size() && std::get<0>(expected[end]) == std::get<0>(expected[begin])) ++end;
          std::vector<unsigned> ordered, got(due.begin() + begin, due.begin() + end);
          for (std::size_t i = begin; i < end; ++i) ordered.push_back(std::get<2>(expected[i]));
          std::vector<unsigned> by_id = ordered;
          std::sort(by_id.begin(), by_id.end());
          if (later_only)
            ASSERT_EQ(got, ordered) << "step " << step;
          else
            ASSERT_TRUE(got == ordered || got == by_id) << "step " << step;
          begin = end;
        }
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

TEST(DeadlineBuckets, AgreesWithAnOrderedSetWhenMembersJoinFromNow) { agrees_with_an_ordered_set(13, true); }

TEST(DeadlineBuckets, AgreesWithAnOrderedSetWhenSomeKeepAnEarlierSince) { agrees_with_an_ordered_set(17, false); }

}  // namespace
}  // namespace vmmsim::sched
