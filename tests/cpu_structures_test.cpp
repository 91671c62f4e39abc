// The pCPU structures policies use on their wake paths (schedulers/cpu_set.h,
// schedulers/cpu_heap.h), checked against the scans they replace.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "schedulers/cpu_heap.h"
#include "schedulers/cpu_set.h"
#include "schedulers/cpu_tree.h"
#include "schedulers/node_pool.h"
#include "schedulers/running_advance.h"

namespace vmmsim::sched {
namespace {

TEST(CpuSet, LowestMemberAcrossWords) {
  CpuSet s(200);
  EXPECT_EQ(s.first(), CpuSet::kNone);
  s.insert(130);
  s.insert(65);
  EXPECT_EQ(s.first(), 65);
  s.erase(65);
  EXPECT_EQ(s.first(), 130);
  EXPECT_TRUE(s.test(130));
  EXPECT_FALSE(s.test(65));
  CpuSet mask(200);
  EXPECT_EQ(s.first_in(mask), CpuSet::kNone);
  mask.insert(130);
  EXPECT_EQ(s.first_in(mask), 130);
}

TEST(CpuSet, FullSetHasExactlyItsPcpus) {
  CpuSet s(70, true);
  for (unsigned c = 0; c < 70; ++c) {
    EXPECT_EQ(s.first(), static_cast<int>(c));
    s.erase(c);
  }
  EXPECT_EQ(s.first(), CpuSet::kNone);
}

// A CpuSet against the ordered set it stands for, under random inserts and
// erases of the members `pick` draws: its count, emptiness, lowest member,
// lowest member from a pCPU (past the last one too), alone and in a mask,
// and the circular walk credit makes for "the next idler after the last one
// tickled" (it was a std::set<unsigned> walked from upper_bound).
template <class Pick>
void check_against_ordered_set(unsigned cpus, const std::vector<unsigned>& masked, std::mt19937& rng, Pick pick) {
  CpuSet s(cpus);
  std::set<unsigned> expected;
  CpuSet mask(cpus);
  for (unsigned c : masked) mask.insert(c);
  const CpuSet* masks[] = {nullptr, &mask};
  for (int step = 0; step < 20000; ++step) {
    const unsigned c = pick();
    if (rng() % 2) {
      s.insert(c);
      expected.insert(c);
    } else {
      s.erase(c);
      expected.erase(c);
    }
    ASSERT_EQ(s.count(), expected.size());
    ASSERT_EQ(s.empty(), expected.empty());
    ASSERT_EQ(s.first(), expected.empty() ? CpuSet::kNone : static_cast<int>(*expected.begin()));
    const unsigned from = step % 7 == 0 ? cpus : rng() % cpus;
    const unsigned last = rng() % cpus;
    for (const CpuSet* m : masks) {
      auto it = expected.lower_bound(from);
      while (it != expected.end() && m && !m->test(*it)) ++it;
      ASSERT_EQ(s.first_from(from, m), it == expected.end() ? CpuSet::kNone : static_cast<int>(*it))
          << "step " << step;
      int want = CpuSet::kNone;
      auto next = expected.upper_bound(last);
      for (std::size_t n = 0; n < expected.size(); ++n, ++next) {
        if (next == expected.end()) next = expected.begin();
        if (!m || m->test(*next)) {
          want = static_cast<int>(*next);
          break;
        }
      }
      int got = s.first_from(last + 1, m);
      if (got == CpuSet::kNone) got = s.first_from(0, m);
      ASSERT_EQ(got, want) << "step " << step;
    }
  }
}

TEST(CpuSet, NextMemberAfterOneAsTheCircularWalkOfASet) {
  constexpr unsigned kCpus = 130;
  std::mt19937 rng(5);
  std::vector<unsigned> masked;
  for (unsigned c = 0; c < kCpus; ++c)
    if (c % 5 != 1) masked.push_back(c);
  check_against_ordered_set(kCpus, masked, rng, [&] { return static_cast<unsigned>(rng() % kCpus); });
}

// The set keeps a summary of its non-empty words: at the most pCPUs a
// platform has (64 words) and with few members, clustered in a few words so
// that words empty and refill often, every search must still answer as the
// ordered set does.
TEST(CpuSet, SparseSetAtTheLargestPlatformAnswersAsAnOrderedSet) {
  constexpr unsigned kCpus = CpuSet::kMaxCpus;
  std::mt19937 rng(11);
  std::vector<unsigned> masked;
  for (unsigned c = 0; c < kCpus; c += 1 + rng() % 150) masked.push_back(c);
  check_against_ordered_set(kCpus, masked, rng, [&] { return static_cast<unsigned>((rng() % 6) * 700 + rng() % 90); });
}

// A set moved from is left empty, as a default one: nothing of its old
// members is found through its summary.
TEST(CpuSet, MovedFromSetIsEmpty) {
  CpuSet s(200);
  s.insert(130);
  CpuSet t(std::move(s));
  EXPECT_EQ(t.first(), 130);
  EXPECT_EQ(s.size(), 0u);  // NOLINT(bugprone-use-after-move): what is left is the point
  EXPECT_EQ(s.first(), CpuSet::kNone);
  EXPECT_TRUE(s.empty());
  CpuSet u(70);
  u = std::move(t);
  EXPECT_EQ(u.first(), 130);
  EXPECT_EQ(t.first_from(0), CpuSet::kNone);  // NOLINT(bugprone-use-after-move)
}

// A max-heap (largest key first), the way bvt looks for its victim.
using MaxHeap = CpuHeap<std::int64_t, std::greater<std::int64_t>>;

// The scan the heap replaces: the first pCPU with the largest key.
int scan_max(const std::vector<bool>& in, const std::vector<std::int64_t>& key) {
  int best = -1;
  for (unsigned c = 0; c < in.size(); ++c)
    if (in[c] && (best < 0 || key[c] > key[best])) best = static_cast<int>(c);
  return best;
}

TEST(CpuHeap, TopIsTheScansChoiceUnderRandomUpdates) {
  constexpr unsigned kCpus = 37;
  std::mt19937 rng(7);
  MaxHeap heap(kCpus);
  std::vector<bool> in(kCpus, false);
  std::vector<std::int64_t> key(kCpus, 0);
  for (int step = 0; step < 20000; ++step) {
    unsigned c = rng() % kCpus;
    if (rng() % 3 == 0) {
      heap.erase(c);
      in[c] = false;
    } else {
      key[c] = static_cast<std::int64_t>(rng() % 8);  // many ties
      heap.set(c, key[c]);
      in[c] = true;
    }
    ASSERT_EQ(heap.top(), scan_max(in, key)) << "step " << step;
  }
}

TEST(CpuHeap, FindInOrderVisitsByKeyThenPcpu) {
  constexpr unsigned kCpus = 50;
  std::mt19937 rng(11);
  MaxHeap heap(kCpus);
  std::vector<std::int64_t> key(kCpus);
  for (unsigned c = 0; c < kCpus; ++c) {
    key[c] = static_cast<std::int64_t>(rng() % 10);
    heap.set(c, key[c]);
  }
  std::vector<unsigned> order;
  EXPECT_EQ(heap.find_in_order([&](unsigned c) {
              order.push_back(c);
              return false;
            }),
            MaxHeap::kNone);
  ASSERT_EQ(order.size(), kCpus);
  for (std::size_t i = 1; i < order.size(); ++i) {
    unsigned a = order[i - 1], b = order[i];
    EXPECT_TRUE(key[a] > key[b] || (key[a] == key[b] && a < b)) << i;
  }
  // Stops at the first match: the lowest odd pCPU among the largest keys.
  int found = heap.find_in_order([](unsigned c) { return c % 2 == 1; });
  for (unsigned c : order)
    if (c % 2 == 1) {
      EXPECT_EQ(found, static_cast<int>(c));
      break;
    }
}

// CpuTree::find_first against a scan in (key descending, pCPU) order, with
// the subtree maxima pruning: the first pCPU whose a or b passes a threshold.
TEST(CpuTree, FindFirstIsTheScansChoiceUnderRandomUpdates) {
  constexpr unsigned kCpus = 45;
  std::mt19937 rng(5);
  CpuTree<std::int64_t, std::int64_t> tree(kCpus);
  struct Ref { bool in = false; std::int64_t key = 0, a = 0, b = 0; };
  std::vector<Ref> ref(kCpus);
  for (int step = 0; step < 20000; ++step) {
    unsigned c = rng() % kCpus;
    if (rng() % 3 == 0) {
      tree.erase(c);
      ref[c] = Ref{};
    } else {
      Ref r{true, static_cast<std::int64_t>(rng() % 12), static_cast<std::int64_t>(rng() % 100),
            static_cast<std::int64_t>(rng() % 100)};
      tree.set(c, r.key, r.a, r.b);
      ref[c] = r;
    }
    const std::int64_t ta = rng() % 110, tb = rng() % 110, tk = rng() % 12;
    auto match = [&](unsigned k) { return ref[k].a >= ta || (ref[k].b >= tb && ref[k].key >= tk); };
    int expected = -1;
    for (unsigned k = 0; k < kCpus; ++k)
      if (ref[k].in && match(k) &&
          (expected < 0 || ref[k].key > ref[expected].key))
        expected = static_cast<int>(k);
    auto may = [&](std::int64_t max_a, std::int64_t max_b, std::int64_t max_key) {
      return max_a >= ta || (max_b >= tb && max_key >= tk);
    };
    ASSERT_EQ(tree.find_first(may, match), expected) << "step " << step;
    for (unsigned k = 0; k < kCpus; ++k) ASSERT_EQ(tree.contains(k), ref[k].in);
  }
}

// A PooledSet is a std::set: same contents under random inserts and erases;
// an erased node is what the next insert gets.
TEST(NodePool, PooledSetMatchesStdSetAndReusesNodes) {
  std::mt19937 rng(9);
  PooledSet<std::pair<std::int64_t, int>> pooled;
  std::set<std::pair<std::int64_t, int>> plain;
  for (int step = 0; step < 20000; ++step) {
    std::pair<std::int64_t, int> k{static_cast<std::int64_t>(rng() % 500), static_cast<int>(rng() % 7)};
    if (rng() % 2) {
      pooled.insert(k);
      plain.insert(k);
    } else {
      pooled.erase(k);
      plain.erase(k);
    }
  }
  EXPECT_TRUE(std::equal(pooled.begin(), pooled.end(), plain.begin(), plain.end()));
  PooledSet<std::pair<std::int64_t, int>> other;
  auto it = other.insert({1, 1}).first;
  const void* node = &*it;
  other.erase(it);
  EXPECT_EQ(&*other.insert({2, 2}).first, node);
}

// RunningAdvance::total against charging each member the way eevdf does:
// w * floor((1024 * ran + rem) / w) per running vCPU.
TEST(RunningAdvance, TotalIsTheSumOfChargingEachMember) {
  constexpr unsigned kCpus = 40;
  const std::int64_t weights[] = {1024, 820, 88761, 15, 335};
  std::mt19937_64 rng(3);
  RunningAdvance adv(kCpus);
  struct Ref { std::int64_t w = 0; std::uint64_t t = 0; std::int64_t rem = 0; };
  std::vector<Ref> ref(kCpus);
  std::uint64_t now = 1'000'000'000'000ull;
  for (int step = 0; step < 5000; ++step) {
    now += rng() % 100'000;
    unsigned c = rng() % kCpus;
    adv.remove(c);
    ref[c] = Ref{};
    if (rng() % 4 != 0) {
      Ref r;
      r.w = weights[rng() % std::size(weights)];
      r.t = now - rng() % 50'000'000;
      r.rem = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(r.w));
      adv.add(c, r.w, r.t, r.rem);
      ref[c] = r;
    }
    std::int64_t expected = 0;
    for (unsigned k = 0; k < kCpus; ++k) {
      if (ref[k].w == 0) continue;
      std::int64_t x = static_cast<std::int64_t>(now - ref[k].t) * 1024 + ref[k].rem;
      std::int64_t one = ref[k].w * (x / ref[k].w);
      expected += one;
      ASSERT_EQ(adv.of(k, now), one);
    }
    ASSERT_EQ(adv.total(now), expected) << "step " << step;
  }
}

}  // namespace
}  // namespace vmmsim::sched
