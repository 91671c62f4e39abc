// credit's run queues, one per pCPU (Xen's csched_pcpu runq): higher
// priority first, FIFO within a priority, a yielder right behind the first
// vCPU of a lower priority. Each queue is one intrusive list per priority
// class kept in key order, so queueing allocates nothing and costs O(1) for
// the common cases (a push goes to its class's tail, a yielder next to the
// head of a lower class); they were ordered sets (about 500 instructions per
// request of medium/credit in red-black tree work).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "schedulers/id_list.h"
#include "schedulers/node_pool.h"
#include "schedulers/policy.h"

namespace vmmsim::sched {

// A place in a run queue; the order of the queue is the order of the keys.
struct CreditQueueKey {
  int rank;              // the priority class it is queued in
  std::uint64_t seq;     // order of queueing (a yielder: that of the vCPU it follows)
  std::uint64_t behind;  // 0, or a yielder's place behind `seq`
  VcpuId vcpu;
  bool operator<(const CreditQueueKey& o) const {
    if (rank != o.rank) return rank > o.rank;
    if (seq != o.seq) return seq < o.seq;
    return behind < o.behind;
  }
};

// The run queues of every pCPU. Besides the queue order, entries are indexed
// by where they may run, so that a thief finds the first one allowed on its
// pCPU without a scan: vCPUs without affinity are also in a second family of
// class lists (`anywhere`), the others in an ordered set under each pCPU they
// allow (rare: only affinity uses them).
class CreditRunQueues {
 public:
  using Key = CreditQueueKey;
  static constexpr int kClasses = 3;  // ranks 0 (OVER), 1 (UNDER), 2 (BOOST)

  explicit CreditRunQueues(unsigned cpus) : m_queues(cpus) {}

  void resize_vcpus(std::size_t n) {
    m_all_links.resize(n);
    m_anywhere_links.resize(n);
    if (n > m_keys.size()) m_keys.resize(n);
  }

  // Queues k.vcpu on q's queue. `near_head`: its place is expected near the
  // head of its class (a yielder's), else near the tail (every other push).
  void insert(unsigned q, const Key& k, const std::vector<unsigned>& pinned_to, bool near_head) {
    Queue& queue = m_queues[q];
    m_keys[k.vcpu] = k;
    insert_sorted(queue.all[k.rank], m_all_links, k, near_head);
    if (pinned_to.empty()) insert_sorted(queue.anywhere[k.rank], m_anywhere_links, k, near_head);
    for (unsigned c : pinned_to) queue.pinned[c].insert(k);
    ++queue.size;
  }

  void erase(unsigned q, VcpuId v, const std::vector<unsigned>& pinned_to) {
    Queue& queue = m_queues[q];
    const Key& k = m_keys[v];
    queue.all[k.rank].erase(m_all_links, v);
    if (pinned_to.empty()) queue.anywhere[k.rank].erase(m_anywhere_links, v);
    for (unsigned c : pinned_to) {
      auto it = queue.pinned.find(c);
      it->second.erase(k);
      if (it->second.empty()) queue.pinned.erase(it);
    }
    --queue.size;
  }

  std::size_t size(unsigned q) const { return m_queues[q].size; }
  const Key* head(unsigned q) const { return first_below(q, kClasses); }

  // The first entry queued in a class below `rank`.
  const Key* first_below(unsigned q, int rank) const {
    for (int r = rank - 1; r >= 0; --r)
      if (!m_queues[q].all[r].empty()) return &m_keys[m_queues[q].all[r].front()];
    return nullptr;
  }

  // The first entry of q's queue that may run on `cpu`.
  const Key* first_for(unsigned q, unsigned cpu) const {
    const Queue& queue = m_queues[q];
    const Key* best = nullptr;
    for (int r = kClasses - 1; r >= 0 && !best; --r)
      if (!queue.anywhere[r].empty()) best = &m_keys[queue.anywhere[r].front()];
    auto it = queue.pinned.find(cpu);
    if (it != queue.pinned.end() && (!best || *it->second.begin() < *best))
      best = &*it->second.begin();
    return best;
  }

  // q's entries in queue order, into `out` (cleared first).
  void entries(unsigned q, std::vector<Key>* out) const {
    out->clear();
    for (int r = kClasses - 1; r >= 0; --r)
      for (int v = m_queues[q].all[r].front(); v != IdList::kNil; v = m_all_links.next(v))
        out->push_back(m_keys[v]);
  }

 private:
  struct Queue {
    IdList all[kClasses];
    IdList anywhere[kClasses];
    std::map<unsigned, PooledSet<Key>> pinned;
    std::size_t size = 0;
  };

  // Keeps `list` in key order: walks from the expected end to k's place.
  void insert_sorted(IdList& list, IdLinks& links, const Key& k, bool near_head) {
    if (near_head) {
      int pos = list.front();
      while (pos != IdList::kNil && m_keys[pos] < k) pos = links.next(pos);
      list.insert_before(links, pos, k.vcpu);
      return;
    }
    int after = list.back();
    while (after != IdList::kNil && k < m_keys[after]) after = links.prev(after);
    list.insert_before(links, after == IdList::kNil ? list.front() : links.next(after), k.vcpu);
  }

  std::vector<Queue> m_queues;  // by pCPU
  IdLinks m_all_links;          // by vCPU: places in the `all` lists
  IdLinks m_anywhere_links;     // by vCPU: places in the `anywhere` lists
  std::vector<Key> m_keys;      // by vCPU, valid while queued
};

}  // namespace vmmsim::sched
