// eevdf's run queue (schedulers/eevdf_deadline_trees.h), checked against an
// ordered set of the same vCPUs under random inserts and erases, in several
// trees sharing one node array: the pick (the earliest deadline among the
// vruntimes at most a limit), the least vruntime and the least vruntime
// queued before an insert are the set's, whatever the tree's shape, and the
// tree stays a valid AVL tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "schedulers/eevdf_deadline_trees.h"

namespace vmmsim::sched {
namespace {

struct Queued {
  VirtualTime deadline;
  std::uint64_t seq;
  VirtualTime vruntime;
  VcpuId v;
  bool operator<(const Queued& o) const { return std::tie(deadline, seq) < std::tie(o.deadline, o.seq); }
};

// The set's answers: the first in (deadline, seq) order with vruntime <= limit;
// the least vruntime, the first in that order among equals.
int scan_pick(const std::set<Queued>& set, VirtualTime limit) {
  for (const Queued& q : set)
    if (q.vruntime <= limit) return q.v;
  return DeadlineTrees::kNil;
}
int scan_least(const std::set<Queued>& set) {
  int best = DeadlineTrees::kNil;
  VirtualTime least = 0;
  for (const Queued& q : set)
    if (best == DeadlineTrees::kNil || q.vruntime < least) {
      best = q.v;
      least = q.vruntime;
    }
  return best;
}

TEST(DeadlineTrees, PickAndLeastVruntimeAsAnOrderedSet) {
  constexpr int kVcpus = 300;
  constexpr int kTrees = 3;
  std::mt19937_64 rng(13);
  DeadlineTrees trees;
  trees.resize(kVcpus);
  int roots[kTrees] = {DeadlineTrees::kNil, DeadlineTrees::kNil, DeadlineTrees::kNil};
  std::set<Queued> sets[kTrees];
  std::vector<int> tree_of(kVcpus, -1);
  std::vector<Queued> entry(kVcpus);
  std::uint64_t seq = 0;
  for (int step = 0; step < 60000; ++step) {
    const VcpuId v = static_cast<VcpuId>(rng() % kVcpus);
    if (tree_of[v] >= 0) {
      const int t = tree_of[v];
      trees.erase(roots[t], v);
      sets[t].erase(entry[v]);
      tree_of[v] = -1;
    } else {
      const int t = static_cast<int>(rng() % kTrees);
      // Few distinct deadlines and vruntimes: many ties on both.
      const Queued q{static_cast<VirtualTime>(rng() % 50), seq++,
                     static_cast<VirtualTime>(rng() % 40) - 20, v};
      if (step % 2 == 0) {
        trees.insert(roots[t], v, q.deadline, q.vruntime);
      } else {
        VirtualTime before = std::numeric_limits<VirtualTime>::max();
        for (const Queued& o : sets[t])
          if (o < q) before = std::min(before, o.vruntime);
        ASSERT_EQ(trees.insert_least_before(roots[t], v, q.deadline, q.vruntime), before)
            << "step " << step;
      }
      sets[t].insert(q);
      entry[v] = q;
      tree_of[v] = t;
    }
    for (int t = 0; t < kTrees; ++t) {
      ASSERT_EQ(roots[t] == DeadlineTrees::kNil, sets[t].empty()) << "step " << step;
      ASSERT_TRUE(trees.valid(roots[t])) << "step " << step;
      ASSERT_EQ(trees.least_vruntime(roots[t]), scan_least(sets[t])) << "step " << step;
      if (!sets[t].empty()) {
        VirtualTime least = std::numeric_limits<VirtualTime>::max();
        for (const Queued& q : sets[t]) least = std::min(least, q.vruntime);
        ASSERT_EQ(trees.min_vruntime(roots[t]), least) << "step " << step;
      }
      const VirtualTime limit = static_cast<VirtualTime>(rng() % 44) - 22;
      ASSERT_EQ(trees.pick(roots[t], limit), scan_pick(sets[t], limit)) << "step " << step;
      ASSERT_EQ(trees.pick(roots[t], std::numeric_limits<VirtualTime>::max()),
                sets[t].empty() ? DeadlineTrees::kNil : sets[t].begin()->v);
    }
  }
}

// Emptying a tree in the order it was filled, and in reverse, leaves it empty
// and reusable (the erase of the root, of leaves, of nodes with two children).
TEST(DeadlineTrees, EmptiesAndRefills) {
  DeadlineTrees trees;
  trees.resize(64);
  int root = DeadlineTrees::kNil;
  for (int round = 0; round < 2; ++round) {
    for (VcpuId v = 0; v < 64; ++v) trees.insert(root, v, v % 7, 64 - v);
    EXPECT_EQ(trees.least_vruntime(root), 63);
    EXPECT_EQ(trees.pick(root, 10), 56);  // deadline 0 first: 0, 7, ..., 56 hold vruntime 64..8
    for (VcpuId i = 0; i < 64; ++i) trees.erase(root, round == 0 ? i : 63 - i);
    EXPECT_EQ(root, DeadlineTrees::kNil);
  }
}

}  // namespace
}  // namespace vmmsim::sched
