// rtds's run queue (schedulers/rtds_run_queue.h), checked against an
// ordered set of its keys under random inserts (behind or keeping their
// place), erases and boundary batches: the order of the queued vCPUs, the
// first one a predicate allows, and the size are the set's.
#include "schedulers/rtds_run_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace vmmsim::sched::rtds {
namespace {

std::vector<VcpuId> order_of(const RunQueue& q) {
  std::vector<VcpuId> ids;
  q.find_first([&](VcpuId v) {
    ids.push_back(v);
    return false;
  });
  return ids;
}

std::vector<VcpuId> order_of(const std::set<QueueKey>& s) {
  std::vector<VcpuId> ids;
  for (const QueueKey& k : s) ids.push_back(k.vcpu);
  return ids;
}

TEST(RtdsRunQueue, AnOwnerKeepingItsPlaceGoesBeforeItsEqualsAndLatecomersAfterThem) {
  RunQueue q;
  q.grow(8);
  q.insert(QueueKey{0, 100, true, 10, 1, 1});
  q.insert(QueueKey{0, 100, true, 20, 2, 2});
  q.insert(QueueKey{0, 50, true, 30, 3, 3});    // an earlier deadline first
  q.insert(QueueKey{0, 100, false, 40, 4, 4});  // keeps its place among the 100s
  q.insert(QueueKey{1, 10, true, 5, 5, 5});     // an extratime level last
  q.insert(QueueKey{0, 100, true, 15, 6, 6});   // waiting since 15: between 1 and 2
  EXPECT_EQ(order_of(q), (std::vector<VcpuId>{3, 4, 1, 6, 2, 5}));
  q.erase(4);
  q.erase(3);
  EXPECT_EQ(order_of(q), (std::vector<VcpuId>{1, 6, 2, 5}));
  EXPECT_EQ(q.size(), 4u);
  const QueueKey* first_odd = q.find_first([](VcpuId v) { return v % 2 == 1; });
  ASSERT_NE(first_odd, nullptr);
  EXPECT_EQ(first_odd->vcpu, 1);
}

// A boundary's batch (level 0, behind, sequences rising in batch order)
// merges by (deadline, since, sequence) with what is queued already, the
// same given in id order (sorted by the queue) or in run-queue order
// already (rtds's with one period in flight: merged without a sort).
TEST(RtdsRunQueue, AReplenishedBatchMergesInOrder) {
  const std::vector<QueueKey> in_id_order = {{0, 200, true, 50, 3, 2},
                                             {0, 200, true, 10, 4, 3},
                                             {0, 300, true, 5, 5, 4},
                                             {0, 200, true, 50, 6, 5}};
  std::vector<QueueKey> in_queue_order = in_id_order;
  std::sort(in_queue_order.begin(), in_queue_order.end());
  for (std::vector<QueueKey> batch : {in_id_order, in_queue_order}) {
    RunQueue q;
    q.grow(10);
    q.insert(QueueKey{0, 200, true, 25, 1, 0});
    q.insert(QueueKey{0, 200, true, 90, 2, 1});
    q.insert(QueueKey{0, 200, false, 95, 7, 6});  // keeping its place: first of the 200s
    q.insert(QueueKey{0, 300, true, 1, 8, 7});
    q.insert_replenished(batch);
    EXPECT_EQ(order_of(q), (std::vector<VcpuId>{6, 3, 0, 2, 5, 1, 7, 4}));
  }
}

TEST(RtdsRunQueue, RandomOperationsKeepTheOrderOfAnOrderedSet) {
  constexpr unsigned kIds = 64;
  std::mt19937_64 rng(13);
  RunQueue q;
  q.grow(kIds);
  std::set<QueueKey> ref;
  std::vector<QueueKey> keys(kIds);
  std::vector<bool> member(kIds, false);
  std::uint64_t seq = 0;
  Cycles now = 0;
  auto pick = [&](unsigned n) { return static_cast<unsigned>(rng() % n); };
  for (int step = 0; step < 200000; ++step) {
    now += pick(3);  // several at one cycle: ties on since, broken by sequence
    const unsigned op = pick(10);
    if (op < 5) {  // one vCPU queued: behind (most), or keeping its place
      const unsigned id = pick(kIds);
      if (member[id]) continue;
      const QueueKey k{pick(4) == 0 ? 1u : 0u,
                       Cycles{100} * (1 + pick(3)),
                       pick(8) != 0,
                       pick(4) == 0 ? now - pick(50) * (now > 50) : now,
                       ++seq,
                       static_cast<VcpuId>(id)};
      q.insert(k);
      ref.insert(k);
      keys[id] = k;
      member[id] = true;
    } else if (op < 8) {  // one taken out
      const unsigned id = pick(kIds);
      if (!member[id]) continue;
      q.erase(static_cast<VcpuId>(id));
      ref.erase(keys[id]);
      member[id] = false;
    } else if (op == 8) {  // a boundary: some vCPUs back in at level 0, in id order or in
                           // run-queue order (as rtds gives it with one period in flight)
      std::vector<QueueKey> batch;
      for (unsigned id = 0; id < kIds; ++id)
        if (!member[id] && pick(3) == 0) {
          const QueueKey k{0,     Cycles{100} * (1 + pick(3)), true, now - pick(100) * (now > 100),
                           ++seq, static_cast<VcpuId>(id)};
          batch.push_back(k);
          ref.insert(k);
          keys[id] = k;
          member[id] = true;
        }
      if (pick(2) == 0) std::sort(batch.begin(), batch.end());
      q.insert_replenished(batch);
    } else {  // the first allowed by a predicate
      const unsigned mod = 1 + pick(4);
      const QueueKey* got =
          q.find_first([&](VcpuId v) { return static_cast<unsigned>(v) % mod == 0; });
      const QueueKey* want = nullptr;
      for (const QueueKey& k : ref) {
        if (static_cast<unsigned>(k.vcpu) % mod == 0) {
          want = &k;
          break;
        }
      }
      ASSERT_EQ(got == nullptr, want == nullptr) << "step " << step;
      if (got) {
        ASSERT_EQ(got->vcpu, want->vcpu) << "step " << step;
      }
    }
    ASSERT_EQ(q.size(), ref.size()) << "step " << step;
    if (step % 64 == 0) {
      ASSERT_EQ(order_of(q), order_of(ref)) << "step " << step;
    }
  }
  EXPECT_EQ(order_of(q), order_of(ref));
}

}  // namespace
}  // namespace vmmsim::sched::rtds
