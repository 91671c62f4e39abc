// The run-queue structures policies keep without allocating per request
// (schedulers/id_list.h, schedulers/indexed_heap.h,
// schedulers/credit_runqueue.h), checked against the
// standard containers they replace, in the same order, under random
// operations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "schedulers/credit_runqueue.h"
#include "schedulers/id_list.h"
#include "schedulers/indexed_heap.h"
#include "schedulers/line_aligned_array.h"

namespace vmmsim::sched {
namespace {

std::vector<int> contents(const IdList& list, const IdLinks& links) {
  std::vector<int> ids;
  for (int id = list.front(); id != IdList::kNil; id = links.next(id)) ids.push_back(id);
  return ids;
}

std::vector<int> backwards(const IdList& list, const IdLinks& links) {
  std::vector<int> ids;
  for (int id = list.back(); id != IdList::kNil; id = links.prev(id)) ids.push_back(id);
  std::reverse(ids.begin(), ids.end());
  return ids;
}

TEST(IdList, KeepsTheOrderOfAStdList) {
  constexpr int kIds = 40;
  std::mt19937 rng(7);
  IdLinks links;
  links.resize(kIds);
  // Two lists share the links, as credit's run queues of two pCPUs do.
  IdList lists[2];
  std::list<int> expected[2];
  std::vector<int> where(kIds, -1);  // which list holds each id
  for (int step = 0; step < 20000; ++step) {
    const int id = static_cast<int>(rng() % kIds);
    if (where[id] < 0) {
      const int l = static_cast<int>(rng() % 2);
      std::list<int>& e = expected[l];
      switch (rng() % 4) {
        case 0:
          lists[l].push_back(links, id);
          e.push_back(id);
          break;
        case 1:
          lists[l].push_front(links, id);
          e.push_front(id);
          break;
        default: {  // before a member (or at the back)
          const std::size_t at = rng() % (e.size() + 1);
          auto it = std::next(e.begin(), static_cast<long>(at));
          lists[l].insert_before(links, it == e.end() ? IdList::kNil : *it, id);
          e.insert(it, id);
        }
      }
      where[id] = l;
    } else {
      const int l = where[id];
      switch (rng() % 3) {
        case 0:
          lists[l].erase(links, id);
          expected[l].remove(id);
          where[id] = -1;
          break;
        case 1:
          lists[l].move_to_front(links, id);
          expected[l].remove(id);
          expected[l].push_front(id);
          break;
        default: {
          const int front = lists[l].pop_front(links);
          ASSERT_EQ(front, expected[l].front());
          expected[l].pop_front();
          where[front] = -1;
        }
      }
    }
    for (int l = 0; l < 2; ++l) {
      const std::vector<int> want(expected[l].begin(), expected[l].end());
      ASSERT_EQ(contents(lists[l], links), want) << "step " << step;
      ASSERT_EQ(backwards(lists[l], links), want) << "step " << step;
      ASSERT_EQ(lists[l].size(), want.size());
      ASSERT_EQ(lists[l].empty(), want.empty());
    }
  }
}

// bvt's queues were ordered sets of (evt, order of queueing): a VcpuHeap
// gives the same first vCPU after every insert, move, erase and pop, and
// walks the members in the set's order. `key(value, seq)` makes a key of a
// value (a few, negative too) and the order queued.
template <class Key, class MakeKey>
void expect_heap_as_the_ordered_set(MakeKey key) {
  constexpr unsigned kVcpus = 300;
  std::mt19937 rng(3);
  VcpuHeap<Key> heap;
  heap.grow(10);
  heap.grow(kVcpus);  // growing keeps the members
  std::set<std::pair<Key, unsigned>> expected;
  std::vector<Key> keys(kVcpus);
  std::vector<bool> in(kVcpus, false);
  std::uint64_t seq = 0;
  for (int step = 0; step < 20000; ++step) {
    const unsigned v = rng() % kVcpus;
    const unsigned roll = rng() % 4;
    if (roll == 0 && !expected.empty()) {
      const unsigned first = heap.pop();
      ASSERT_EQ(first, expected.begin()->second) << "step " << step;
      in[first] = false;
      expected.erase(expected.begin());
    } else if (roll == 1 && in[v]) {
      heap.erase(v);
      expected.erase({keys[v], v});
      in[v] = false;
    } else {  // insert, or move to a new key
      if (in[v]) expected.erase({keys[v], v});
      keys[v] = key(static_cast<std::int64_t>(rng() % 20) - 10, seq++);
      heap.set(v, keys[v]);
      expected.insert({keys[v], v});
      in[v] = true;
    }
    ASSERT_EQ(heap.size(), expected.size());
    if (expected.empty()) {
      ASSERT_EQ(heap.top(), VcpuHeap<Key>::kNone);
      continue;
    }
    ASSERT_EQ(heap.top(), static_cast<int>(expected.begin()->second)) << "step " << step;
    ASSERT_EQ(heap.top_key(), expected.begin()->first);
    if (step % 50 == 0) {  // the whole walk, and walks that stop early
      std::vector<unsigned> walked;
      heap.find_in_order([&](unsigned id) {
        walked.push_back(id);
        return false;
      });
      std::vector<unsigned> want;
      for (const auto& [key, id] : expected) want.push_back(id);
      ASSERT_EQ(walked, want) << "step " << step;
      for (std::size_t k = 1; k <= 6; ++k) {  // walks that stop at the k-th
        std::size_t n = 0;
        int kth = heap.find_in_order([&](unsigned) { return ++n == k; });
        ASSERT_EQ(kth, want.size() >= k ? static_cast<int>(want[k - 1]) : VcpuHeap<Key>::kNone)
            << "step " << step << " k " << k;
      }
    }
  }
}

TEST(VcpuHeap, FirstAndWalkAsTheOrderedSet) {
  using Key = std::pair<std::int64_t, std::uint64_t>;
  expect_heap_as_the_ordered_set<Key>([](std::int64_t value, std::uint64_t seq) { return Key{value, seq}; });
}

// bvt's keys since: the value above the order queued in one unsigned 128-bit
// number (its sign bit flipped), which the 4-ary heap's tournament of
// children compares without a branch.
TEST(VcpuHeap, FirstAndWalkAsTheOrderedSetWithOneIntegerKey) {
  expect_heap_as_the_ordered_set<IntegerKey>(integer_key);
}

// integer_key keeps the signed order, then the tie-breaker's; value_of gives
// the value back; keyed by ~value, the largest comes first (credit2).
TEST(VcpuHeap, IntegerKeysOrderSignedValuesThenTies) {
  const std::int64_t values[] = {std::numeric_limits<std::int64_t>::min(), -5, -1, 0, 1, 7,
                                 std::numeric_limits<std::int64_t>::max()};
  for (std::size_t i = 0; i < std::size(values); ++i) {
    EXPECT_EQ(value_of(integer_key(values[i], 3)), values[i]);
    EXPECT_LT(integer_key(values[i], 3), integer_key(values[i], 4));
    if (i == 0) continue;
    EXPECT_LT(integer_key(values[i - 1], ~std::uint64_t{0}), integer_key(values[i], 0));
    EXPECT_GT(integer_key(~values[i - 1], 0), integer_key(~values[i], ~std::uint64_t{0}));
    EXPECT_EQ(~value_of(integer_key(~values[i], 0)), values[i]);
  }
}

// credit's queues as they were: ordered sets of keys, indexed by where an
// entry may run.
class CreditQueueOfSets {
 public:
  using Key = CreditQueueKey;
  void insert(const Key& k, const std::vector<unsigned>& pinned_to) {
    m_all.insert(k);
    if (pinned_to.empty()) m_anywhere.insert(k);
    for (unsigned c : pinned_to) m_pinned[c].insert(k);
  }
  void erase(const Key& k, const std::vector<unsigned>& pinned_to) {
    m_all.erase(k);
    if (pinned_to.empty()) m_anywhere.erase(k);
    for (unsigned c : pinned_to) {
      m_pinned[c].erase(k);
      if (m_pinned[c].empty()) m_pinned.erase(c);
    }
  }
  std::optional<Key> head() const {
    if (m_all.empty()) return std::nullopt;
    return *m_all.begin();
  }
  std::optional<Key> first_for(unsigned cpu) const {
    std::optional<Key> best;
    if (!m_anywhere.empty()) best = *m_anywhere.begin();
    auto it = m_pinned.find(cpu);
    if (it != m_pinned.end() && (!best || *it->second.begin() < *best)) best = *it->second.begin();
    return best;
  }
  std::optional<Key> first_below(int rank) const {
    auto it = m_all.lower_bound(Key{rank - 1, 0, 0, -1});
    if (it == m_all.end()) return std::nullopt;
    return *it;
  }
  std::vector<Key> entries() const { return {m_all.begin(), m_all.end()}; }

 private:
  std::set<Key> m_all, m_anywhere;
  std::map<unsigned, std::set<Key>> m_pinned;
};

bool same(const CreditQueueKey* a, const std::optional<CreditQueueKey>& b) {
  if (!a || !b) return !a && !b;
  return a->vcpu == b->vcpu && a->rank == b->rank && a->seq == b->seq && a->behind == b->behind;
}

// credit's pushes (plain at the tail of a class, a yielder behind the first
// vCPU of a lower class), erasures and re-sorts, on two pCPUs' queues, some
// vCPUs pinned: every query answers as the ordered sets did.
TEST(CreditRunQueues, AnswerAsTheOrderedSetsDid) {
  constexpr unsigned kCpus = 4;
  constexpr int kVcpus = 30;
  std::mt19937 rng(11);
  CreditRunQueues queues(kCpus);
  queues.resize_vcpus(kVcpus);
  CreditQueueOfSets expected[2];
  std::vector<std::vector<unsigned>> pinned(kVcpus);
  for (int v = 0; v < kVcpus; ++v)
    if (v % 3 == 0)
      pinned[v] = {static_cast<unsigned>(v) % kCpus, (static_cast<unsigned>(v) + 1) % kCpus};
  std::vector<int> where(kVcpus, -1);
  std::vector<CreditQueueKey> keys(kVcpus);
  std::uint64_t seq = 1;
  std::vector<CreditQueueKey> scratch;
  for (int step = 0; step < 20000; ++step) {
    const int v = static_cast<int>(rng() % kVcpus);
    const unsigned roll = rng() % 100;
    if (roll == 0) {  // resort: every entry re-keyed in queue order, to its (new) class
      for (unsigned q = 0; q < 2; ++q) {
        queues.entries(q, &scratch);
        ASSERT_EQ(scratch.size(), expected[q].entries().size());
        for (const CreditQueueKey& k : scratch) {
          queues.erase(q, k.vcpu, pinned[k.vcpu]);
          expected[q].erase(keys[k.vcpu], pinned[k.vcpu]);
          keys[k.vcpu] = CreditQueueKey{static_cast<int>(rng() % 3), seq++, 0, k.vcpu};
          queues.insert(q, keys[k.vcpu], pinned[k.vcpu], false);
          expected[q].insert(keys[k.vcpu], pinned[k.vcpu]);
        }
      }
    } else if (where[v] < 0) {
      const unsigned q = rng() % 2;
      const int pri = static_cast<int>(rng() % 3);
      CreditQueueKey key{pri, seq++, 0, v};
      bool behind = false;
      if (rng() % 3 == 0) {  // a yielder
        const CreditQueueKey* lower = queues.first_below(q, pri);
        ASSERT_TRUE(same(lower, expected[q].first_below(pri)));
        if (lower) {
          key = CreditQueueKey{lower->rank, lower->seq, ~std::uint64_t{0} - seq++, v};
          behind = true;
        }
      }
      keys[v] = key;
      queues.insert(q, key, pinned[v], behind);
      expected[q].insert(key, pinned[v]);
      where[v] = static_cast<int>(q);
    } else {
      const unsigned q = static_cast<unsigned>(where[v]);
      queues.erase(q, v, pinned[v]);
      expected[q].erase(keys[v], pinned[v]);
      where[v] = -1;
    }
    for (unsigned q = 0; q < 2; ++q) {
      queues.entries(q, &scratch);
      const std::vector<CreditQueueKey> want = expected[q].entries();
      ASSERT_EQ(scratch.size(), want.size()) << "step " << step;
      ASSERT_EQ(queues.size(q), want.size());
      for (std::size_t i = 0; i < want.size(); ++i)
        ASSERT_TRUE(same(&scratch[i], want[i])) << "step " << step << " entry " << i;
      ASSERT_TRUE(same(queues.head(q), expected[q].head()));
      for (int rank = 0; rank <= 3; ++rank)
        ASSERT_TRUE(same(queues.first_below(q, rank), expected[q].first_below(rank)));
      for (unsigned c = 0; c < kCpus; ++c)
        ASSERT_TRUE(same(queues.first_for(q, c), expected[q].first_for(c))) << "step " << step;
    }
  }
}

// The heap's array puts slot 1 at the start of a cache line, so that a
// 4-ary heap of 32-byte entries reads two lines per level, not three; it
// keeps that and its contents through growth, copies and moves.
TEST(LineAlignedArray, SlotOneStartsACacheLineThroughGrowthCopiesAndMoves) {
  struct alignas(16) Entry {
    unsigned __int128 key;
    unsigned id;
  };
  static_assert(sizeof(Entry) == 32);
  auto line_of_slot_one = [](const LineAlignedArray<Entry>& a) {
    return reinterpret_cast<std::uintptr_t>(&a[1]) % 64;
  };
  LineAlignedArray<Entry> a;
  for (unsigned i = 0; i < 1000; ++i) {
    a.push_back(Entry{static_cast<unsigned __int128>(i) << 64 | i, i});
    if (a.size() >= 2) {
      ASSERT_EQ(line_of_slot_one(a), 0u) << "after " << a.size() << " entries";
    }
  }
  LineAlignedArray<Entry> copy = a;
  LineAlignedArray<Entry> moved = std::move(copy);
  ASSERT_EQ(moved.size(), 1000u);
  EXPECT_EQ(line_of_slot_one(moved), 0u);
  for (unsigned i = 0; i < 1000; ++i) ASSERT_EQ(moved[i].id, i);
  moved.pop_back();
  EXPECT_EQ(moved.back().id, 998u);
  // Assigned over an array that holds other entries, by copy and by move.
  LineAlignedArray<Entry> other;
  for (unsigned i = 0; i < 40; ++i) other.push_back(Entry{0, 5000 + i});
  other = moved;
  ASSERT_EQ(other.size(), 999u);
  EXPECT_EQ(line_of_slot_one(other), 0u);
  EXPECT_EQ(other[500].id, 500u);
  LineAlignedArray<Entry> target;
  target.push_back(Entry{0, 7});
  target = std::move(other);
  ASSERT_EQ(target.size(), 999u);
  EXPECT_EQ(target[998].id, 998u);
  // A push of one of its own entries while it grows: the entry is copied
  // before the old room is freed (AddressSanitizer: heap-use-after-free).
  LineAlignedArray<Entry> self;
  self.reserve(2);
  self.push_back(Entry{0, 11});
  self.push_back(Entry{0, 12});
  self.push_back(self[0]);
  EXPECT_EQ(self[2].id, 11u);
  // Entries of 16 bytes: slot 1 on a line too (4 children fill it).
  LineAlignedArray<std::pair<std::int64_t, unsigned>> small;
  small.reserve(8);
  small.push_back({1, 1});
  small.push_back({2, 2});
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&small[1]) % 64, 0u);
}

}  // namespace
}  // namespace vmmsim::sched
