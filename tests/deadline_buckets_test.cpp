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

// A member of an earlier cycle goes to its place with up to 64 entries
// behind it; with 65 the bucket leaves (since, id) order and gives its
// members by id (rtds then sorts its batch). Another bucket keeps its order.
TEST(DeadlineBuckets, ABucketJoinedMoreThan64FromItsEndGivesItsMembersById) {
  for (unsigned behind : {64u, 65u}) {
    DeadlineBuckets q;
    q.grow(300);
    for (unsigned i = 0; i < behind; ++i) q.set(299 - i, 500, 10 + i);  // since rising, ids falling
    q.set(5, 500, 0);
    q.set(7, 400, 3);
    q.set(6, 400, 2);
    std::vector<unsigned> due;
    q.take_due(500, due);
    std::vector<unsigned> expected{6, 7};
    if (behind == 64) {
      expected.push_back(5);
      for (unsigned i = 0; i < behind; ++i) expected.push_back(299 - i);
    } else {
      expected.push_back(5);
      for (unsigned id = 300 - behind; id < 300; ++id) expected.push_back(id);
    }
    EXPECT_EQ(due, expected) << behind << " behind";
  }
}

// A member that keeps an earlier since, in a long run of one since (vCPUs
// that have not run since they arrived), does not walk that run, which
// cost a boundary O(members x entries): the bucket falls back to id order,
// where a member that joins later (since 40, id 10) comes first.
TEST(DeadlineBuckets, ALongRunOfAnEarlierSinceIsNotWalked) {
  DeadlineBuckets q;
  q.grow(400);
  for (unsigned id = 100; id < 300; ++id) q.set(id, 1000, 0);  // joined at 0, by id: in order
  q.set(350, 2000, 40);                                          // members now join at 40
  q.set(50, 1000, 0);   // since 0 again, 200 entries from its place
  q.set(10, 1000, 40);  // joins now
  std::vector<unsigned> due;
  q.take_due(1000, due);
  std::vector<unsigned> expected{10, 50};
  for (unsigned id = 100; id < 300; ++id) expected.push_back(id);
  EXPECT_EQ(due, expected);
}

// Random sets, moves, erases and takes against an ordered set of (deadline,
// since, id). With every member waiting from now (`Regime::FromNow`), as
// rtds's own joins do, the due ids come exactly in the set's order; with
// some that keep an earlier since, each deadline's ids are the set's, by
// (since, id) or, where its bucket fell back, by id. `Regime::Crowded` has
// many members per bucket, rare takes and old sinces, so that both happen.
enum class Regime { FromNow, SomeEarlier, Crowded };

void agrees_with_an_ordered_set(std::uint64_t seed, Regime regime) {
  const unsigned ids = regime == Regime::Crowded ? 1500 : 300;
  const unsigned take_one_in = regime == Regime::Crowded ? 40 : 4;
  std::mt19937_64 rng(seed);
  DeadlineBuckets q;
  q.grow(ids);
  std::set<std::tuple<Cycles, Cycles, unsigned>> model;  // (deadline, since, id)
  std::vector<Cycles> at(ids, 0), from(ids, 0);
  std::vector<bool> in(ids, false);
  Cycles now = 100;
  unsigned in_order = 0, by_id = 0;  // deadlines taken in one order or only the other
  auto since_for = [&](unsigned id) -> Cycles {
    if (regime == Regime::FromNow) return now;
    if (regime == Regime::SomeEarlier) return rng() % 4 ? now : now - std::min<Cycles>(now, rng() % 50);
    switch (rng() % 4) {
      case 0: return now;
      case 1: return now - std::min<Cycles>(now, rng() % 200);
      case 2: return in[id] ? from[id] : now;  // kept across a replenishment
      default: return (rng() % 3) * 7;         // never ran since it arrived
    }
  };
  for (int step = 0; step < 200000; ++step) {
    const unsigned id = static_cast<unsigned>(rng() % ids);
    const unsigned op = static_cast<unsigned>(rng() % (take_one_in + 2));
    if (op < take_one_in / 2 + 1) {  // deadlines on a coarse grid, as aligned periods give
      const Cycles d = (now / 10 + 1 + rng() % 8) * 10;
      const Cycles since = since_for(id);
      if (in[id]) model.erase({at[id], from[id], id});
      model.insert({d, since, id});
      at[id] = d;
      from[id] = since;
      in[id] = true;
      q.set(id, d, since);
    } else if (op < take_one_in + 1) {
      if (in[id]) model.erase({at[id], from[id], id});
      in[id] = false;
      q.erase(id);
    } else {
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
        std::vector<unsigned> sorted_ids = ordered;
        std::sort(sorted_ids.begin(), sorted_ids.end());
        if (regime == Regime::FromNow) {
          ASSERT_EQ(got, ordered) << "step " << step;
        } else {
          ASSERT_TRUE(got == ordered || got == sorted_ids) << "step " << step;
          if (ordered != sorted_ids) (got == ordered ? in_order : by_id) += 1;
        }
        begin = end;
      }
    }
    ASSERT_EQ(q.size(), model.size());
    ASSERT_EQ(q.empty(), model.empty());
    if (!model.empty()) {
      ASSERT_EQ(q.first(), std::get<0>(*model.begin())) << "step " << step;
    }
    ASSERT_EQ(q.contains(id), in[id]);
  }
  if (regime == Regime::Crowded) {  // both ways were taken, where they differ
    EXPECT_GT(in_order, 0u);
    EXPECT_GT(by_id, 0u);
  }
}

TEST(DeadlineBuckets, AgreesWithAnOrderedSetWhenMembersJoinFromNow) {
  agrees_with_an_ordered_set(13, Regime::FromNow);
}

TEST(DeadlineBuckets, AgreesWithAnOrderedSetWhenSomeKeepAnEarlierSince) {
  agrees_with_an_ordered_set(17, Regime::SomeEarlier);
}

TEST(DeadlineBuckets, AgreesWithAnOrderedSetWhenCrowdedBucketsFallBackToIdOrder) {
  agrees_with_an_ordered_set(19, Regime::Crowded);
}

}  // namespace
}  // namespace vmmsim::sched
