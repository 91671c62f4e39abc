// The winner tree of the processors' wake-ups (sim/winner_tree.h), checked
// against an ordered set of (due, slot) under random operations: the root is
// always the earliest slot, ties to the lowest index; and a slot assigned
// without its matches is made exact by replaying it alone, whatever other
// slots were set meanwhile (the wake-up queue's served processor).
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <utility>
#include <vector>

#include "sim/winner_tree.h"

namespace vmmsim {
namespace {

struct Reference {
  explicit Reference(unsigned slots) : due(slots, kForever) {}
  void set(unsigned i, Cycles d) {
    order.erase({due[i], i});
    due[i] = d;
    order.insert({d, i});
  }
  std::set<std::pair<Cycles, unsigned>> order;  // every slot, kForever included
  std::vector<Cycles> due;
};

void expect_root(const WinnerTree& tree, const Reference& ref, unsigned slots) {
  const auto [due, slot] = *ref.order.begin();
  ASSERT_EQ(tree.earliest(), due);
  if (due != kForever) {
    ASSERT_EQ(tree.winner(), slot);
  }
  for (unsigned i = 0; i < slots; ++i) ASSERT_EQ(tree.due(i), ref.due[i]);
}

// Few distinct cycles, so that ties are frequent: small ones, some on either
// side of 2^32 and some just below kForever (whatever ranks them must keep
// every bit of a cycle); now and then none.
Cycles draw_due(std::mt19937& rng) {
  static constexpr Cycles kFrom[] = {1000, (Cycles{1} << 32) - 8, kForever - 32};
  return rng() % 8 == 0 ? kForever : kFrom[rng() % 3] + rng() % 16;
}

class WinnerTreeTest : public ::testing::TestWithParam<unsigned> {};

TEST_P(WinnerTreeTest, KeepsTheEarliestSlotTiesToTheLowestIndex) {
  const unsigned slots = GetParam();
  WinnerTree tree(slots);
  Reference ref(slots);
  for (unsigned i = 0; i < slots; ++i) ref.set(i, kForever);
  EXPECT_EQ(tree.earliest(), kForever) << "nothing due at first";
  std::mt19937 rng(slots);
  for (int op = 0; op < 20000; ++op) {
    const unsigned i = rng() % slots;
    const Cycles due = draw_due(rng);
    tree.set(i, due);
    ref.set(i, due);
    expect_root(tree, ref, slots);
  }
}

TEST_P(WinnerTreeTest, ReplayingTheAssignedSlotAloneMakesTheTreeExact) {
  const unsigned slots = GetParam();
  WinnerTree tree(slots);
  Reference ref(slots);
  for (unsigned i = 0; i < slots; ++i) ref.set(i, kForever);
  std::mt19937 rng(100 + slots);
  for (int round = 0; round < 3000; ++round) {
    // Serve the winner as the wake-up queue does: out without its matches,
    // other slots set meanwhile, perhaps itself re-armed, then one replay.
    const unsigned served = tree.earliest() == kForever ? rng() % slots : tree.winner();
    tree.assign(served, kForever);
    ref.set(served, kForever);
    for (unsigned k = rng() % 4; k > 0; --k) {
      const unsigned other = rng() % slots;
      if (other == served) continue;
      // Now and then a neighbour disarmed (a processor ceasing) meanwhile.
      const Cycles due = draw_due(rng);
      tree.set(other, due);
      ref.set(other, due);
    }
    if (rng() % 4 != 0) {
      const Cycles due = 1000 + rng() % 16;
      tree.assign(served, due);
      ref.set(served, due);
    }
    tree.replay(served);
    expect_root(tree, ref, slots);
  }
}

// 1 (the root is the leaf), a power of two, and counts that leave empty
// leaves; 256 and 257 as on a huge platform.
INSTANTIATE_TEST_SUITE_P(Slots, WinnerTreeTest, ::testing::Values(1u, 2u, 3u, 5u, 16u, 17u, 64u, 100u, 256u, 257u));

// A tie decided on the served slot's path, from either side: the served
// slot's new cycle is carried up and meets its siblings' winners.
TEST(WinnerTree, ATieOnTheReplayedPathGoesToTheLowerSlotFromEitherSide) {
  WinnerTree tree(4);
  tree.set(2, 5);
  tree.set(3, 5);
  EXPECT_EQ(tree.winner(), 2u);
  tree.assign(2, kForever);  // served
  tree.set(0, 5);
  tree.set(1, 5);
  tree.assign(2, 5);  // re-armed: ties with 0, 1 and 3
  tree.replay(2);
  EXPECT_EQ(tree.winner(), 0u);
  EXPECT_EQ(tree.earliest(), Cycles{5});
  tree.assign(0, kForever);
  tree.replay(0);
  EXPECT_EQ(tree.winner(), 1u);
  tree.assign(1, kForever);
  tree.replay(1);
  EXPECT_EQ(tree.winner(), 2u);
  tree.set(2, 6);
  EXPECT_EQ(tree.winner(), 3u);
  EXPECT_EQ(tree.earliest(), Cycles{5});
}

}  // namespace
}  // namespace vmmsim
