// rtds's run queue: the vCPUs queued with budget, in the order (level,
// deadline, behind, since, sequence), without a search per insert. In a
// std::set, most of a boundary's replenished vCPUs went in by a search from
// its root: on bench huge, where each 10 ms boundary puts some 3,800
// waiting vCPUs back, its code took 2,470 instructions per decision
// (docs/performance/tenth-round.md).
//
// The queued vCPUs share few (level, deadline) pairs: periods are aligned
// to cycle 0, so there is one deadline per distinct period in flight. Each
// pair is a bucket, a list of vCPUs in the order (behind, since,
// sequence). A vCPU queued now goes at its bucket's end (it began to wait
// last, with the highest sequence) or, keeping its place, at its front; a
// boundary's replenished vCPUs come in this order where one period is in
// flight (schedulers/deadline_buckets.h), else are sorted once, and are
// merged in from the end.
// The order is the set's, exactly: tests/rtds_run_queue_test.cpp checks it
// against one under random inserts, erases and batches.
#pragma once

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "base/units.h"
#include "schedulers/node_pool.h"
#include "schedulers/sched_abi.h"

namespace vmmsim::sched::rtds {

using VcpuId = vmm_vcpu_id_t;

// Run-queue order: level (0 = real-time budget), then deadline; ties go to
// the owner that was just descheduled (behind = false), then to the vCPU
// waiting longest, then to the one queued first.
struct QueueKey {
  unsigned level;
  Cycles deadline;
  bool behind;   // false only for the owner keeping its place
  Cycles since;  // when it began to wait (kept across replenishments)
  std::uint64_t seq;
  VcpuId vcpu;
  bool operator<(const QueueKey& o) const {
    if (level != o.level) return level < o.level;
    if (deadline != o.deadline) return deadline < o.deadline;
    return within_before(o);
  }
  // The order within one (level, deadline).
  bool within_before(const QueueKey& o) const {
    if (behind != o.behind) return !behind;
    if (since != o.since) return since < o.since;
    return seq < o.seq;
  }
  // Strictly higher priority than a vCPU at (level, deadline): preempts it.
  bool ahead_of(unsigned l, Cycles d) const { return level != l ? level < l : deadline < d; }
};

class RunQueue {
 public:
  RunQueue() = default;
  // Not copied: each queued node points into its own map of buckets.
  RunQueue(const RunQueue&) = delete;
  RunQueue& operator=(const RunQueue&) = delete;

  // Room for vCPU ids 0..ids-1, keeping the members.
  void grow(unsigned ids) {
    if (ids > m_nodes.size()) m_nodes.resize(ids);
  }
  std::size_t size() const { return m_size; }
  // v's key; v must be queued.
  const QueueKey& key(VcpuId v) const { return m_nodes[static_cast<std::size_t>(v)].key; }

  // Queues k.vcpu (not queued) at its place: found from the front for an
  // owner keeping its place (it goes before every vCPU behind), else from
  // the end, where most go.
  void insert(const QueueKey& k) {
    const Buckets::iterator b = bucket_of(k);
    if (!k.behind) {
      int before = b->second.head;
      while (before != kNone && m_nodes[before].key.within_before(k)) before = m_nodes[before].next;
      return link(b, k, before == kNone ? b->second.tail : m_nodes[before].prev);
    }
    int after = b->second.tail;
    while (after != kNone && k.within_before(m_nodes[after].key)) after = m_nodes[after].prev;
    link(b, k, after);
  }

  // Queues every key of `batch` (none queued, all at level 0 and behind, as
  // a boundary's replenishment makes them: the order below compares the rest
  // of the key only; by operator< the policy alone took 207 ns per huge
  // decision, not 178), in order: sorted once unless it comes sorted (rtds
  // replenishes in this order where one period is in flight), then each
  // bucket's share merged in from its end.
  void insert_replenished(std::vector<QueueKey>& batch) {
    for ([[maybe_unused]] const QueueKey& k : batch) assert(k.level == 0 && k.behind);
    auto before = [](const QueueKey& a, const QueueKey& b) {
      if (a.deadline != b.deadline) return a.deadline < b.deadline;
      return a.since != b.since ? a.since < b.since : a.seq < b.seq;
    };
    if (!std::is_sorted(batch.begin(), batch.end(), before)) std::sort(batch.begin(), batch.end(), before);
    for (std::size_t end = batch.size(); end > 0;) {
      // The last run of one deadline, merged from its largest key down.
      std::size_t begin = end - 1;
      while (begin > 0 && batch[begin - 1].deadline == batch[end - 1].deadline) --begin;
      const Buckets::iterator b = bucket_of(batch[begin]);
      int after = b->second.tail;
      for (std::size_t i = end; i-- > begin;) {
        const QueueKey& k = batch[i];
        while (after != kNone && k.within_before(m_nodes[after].key)) after = m_nodes[after].prev;
        link(b, k, after);
      }
      end = begin;
    }
  }

  // Takes v (queued) out.
  void erase(VcpuId v) {
    Node& n = m_nodes[static_cast<std::size_t>(v)];
    const Buckets::iterator at = n.bucket;
    Bucket& b = at->second;
    if (n.prev == kNone)
      b.head = n.next;
    else
      m_nodes[n.prev].next = n.next;
    if (n.next == kNone)
      b.tail = n.prev;
    else
      m_nodes[n.next].prev = n.prev;
    --m_size;
    if (b.head == kNone) m_buckets.erase(at);
  }

  // The first queued key in the order for which allowed(vcpu) holds, or null.
  template <class Allowed>
  const QueueKey* find_first(Allowed allowed) const {
    for (const auto& [level, b] : m_buckets)
      for (int at = b.head; at != kNone; at = m_nodes[at].next)
        if (allowed(m_nodes[at].key.vcpu)) return &m_nodes[at].key;
    return nullptr;
  }

 private:
  static constexpr int kNone = -1;
  using Level = std::pair<unsigned, Cycles>;  // (level, deadline)
  struct Bucket {
    int head = kNone, tail = kNone;
  };
  using Buckets = std::map<Level, Bucket, std::less<Level>, PoolAllocator<std::pair<const Level, Bucket>>>;
  struct Node {
    QueueKey key{};
    int prev = kNone, next = kNone;
    Buckets::iterator bucket;  // its bucket while queued: erase() needs no search
  };

  Buckets::iterator bucket_of(const QueueKey& k) { return m_buckets.try_emplace(Level{k.level, k.deadline}).first; }
  // k's vCPU into bucket `at` after node `after` (kNone: at the front).
  void link(Buckets::iterator at, const QueueKey& k, int after) {
    Bucket& b = at->second;
    const int id = static_cast<int>(k.vcpu);
    Node& n = m_nodes[static_cast<std::size_t>(id)];
    n.key = k;
    n.bucket = at;
    n.prev = after;
    n.next = after == kNone ? b.head : m_nodes[after].next;
    if (n.next == kNone)
      b.tail = id;
    else
      m_nodes[n.next].prev = id;
    if (after == kNone)
      b.head = id;
    else
      m_nodes[after].next = id;
    ++m_size;
  }

  std::vector<Node> m_nodes;  // by vCPU id
  Buckets m_buckets;
  std::size_t m_size = 0;
};

}  // namespace vmmsim::sched::rtds
