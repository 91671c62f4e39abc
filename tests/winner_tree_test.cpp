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
    // Few distinct cycles, so that ties are frequent; now and then none.
    const Cycles due = rng() % 8 == 0 ? kForever : 1000 + rng() % 16;
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
      const Cycles due = 1000 + rng() % 16;
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

// 1 (the root is the leaf), a power of two, and counts that leave empty leaves.
INSTANTIATE_TEST_SUITE_P(Slots, WinnerTreeTest, ::testing::Values(1u, 2u, 3u, 5u, 16u, 17u, 64u, 100u));

}  // namespace
}  // namespace vmmsim
