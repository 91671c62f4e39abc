// vCPU ids by deadline, in buckets of equal deadlines: rtds's replenishment
// queue. Periods are aligned to cycle 0, so the waiting vCPUs share a few
// deadlines (one per distinct period in flight) and a boundary replenishes a
// whole bucket at once. A heap paid a sift-down through every waiting vCPU
// per replenishment (about 1,500 instructions per decision on bench huge,
// 4,096 vCPUs); here a member joins its bucket by an append and the due ones
// leave a bucket at a time.
//
// The order is total: by deadline, equal deadlines by when the member began
// to wait (its `since`), then by id: the order of rtds's run queue, so that
// a boundary's replenished vCPUs reach it sorted (a sort of them was some
// 500 instructions per huge decision, docs/performance/eleventh-round.md).
// A member that joins waits from now, after every other: an append; a
// boundary's, taken in this order, are appended in it too.
// Erase is lazy: a bucket keeps the entries appended to it, and one counts
// while its id is a member at that deadline and since (an id that left and
// came back has two entries there, the stale one skipped); a bucket is
// dropped when its last member leaves.
#pragma once

#include <cstddef>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

#include "base/units.h"

namespace vmmsim::sched {

class DeadlineBuckets {
 public:
  DeadlineBuckets() = default;
  // Not copied: m_last points into its own map.
  DeadlineBuckets(const DeadlineBuckets&) = delete;
  DeadlineBuckets& operator=(const DeadlineBuckets&) = delete;

  // Room for ids 0..ids-1, keeping the members.
  void grow(unsigned ids) {
    if (ids > m_ids.size()) m_ids.resize(ids);
  }

  bool empty() const { return m_buckets.empty(); }
  std::size_t size() const { return m_size; }
  bool contains(unsigned id) const { return m_ids[id].member; }
  // The earliest deadline; not empty().
  Cycles first() const { return m_buckets.begin()->first; }

  // Inserts id at `deadline`, waiting since `since`, or moves it there.
  void set(unsigned id, Cycles deadline, Cycles since) {
    Id& s = m_ids[id];
    if (s.member) {
      if (s.deadline == deadline && s.since == since) return;
      erase(id);
    }
    s.member = true;
    s.deadline = deadline;
    s.since = since;
    // The bucket of the last set, as a boundary's replenished members all
    // go to one; else a refreshed deadline is usually the latest: found at the end.
    if (m_last == m_buckets.end() || m_last->first != deadline) {
      m_last = m_buckets.empty() || std::prev(m_buckets.end())->first < deadline
                   ? m_buckets.emplace_hint(m_buckets.end(), deadline, Bucket{})
                   : m_buckets.try_emplace(deadline).first;
      if (m_last->second.entries.empty() && m_last->second.live == 0 && !m_spare.empty()) {
        m_last->second.entries.swap(m_spare.back());  // an earlier bucket's memory
        m_spare.pop_back();
      }
    }
    // At its place from the end, where almost every member goes.
    std::vector<Entry>& entries = m_last->second.entries;
    const Entry e{since, id};
    if (entries.empty() || !e.before(entries.back())) {
      entries.push_back(e);
    } else {
      auto place = std::prev(entries.end());
      while (place != entries.begin() && e.before(*std::prev(place))) --place;
      entries.insert(place, e);
    }
    ++m_last->second.live;
    ++m_size;
  }

  void erase(unsigned id) {
    Id& s = m_ids[id];
    if (!s.member) return;
    s.member = false;
    --m_size;
    auto at = m_buckets.find(s.deadline);
    if (--at->second.live == 0) drop(at);
  }

  // Takes out every member due by `now` (deadline <= now) and appends its
  // id to `due` in the order: deadline, since, id.
  void take_due(Cycles now, std::vector<unsigned>& due) {
    while (!m_buckets.empty() && m_buckets.begin()->first <= now) {
      auto at = m_buckets.begin();
      for (const Entry& e : at->second.entries) {
        Id& s = m_ids[e.id];
        if (!s.member || s.deadline != at->first || s.since != e.since) continue;  // left, moved, or taken
        s.member = false;
        --m_size;
        due.push_back(e.id);
      }
      drop(at);
    }
  }

 private:
  struct Id {
    Cycles deadline = 0;
    Cycles since = 0;
    bool member = false;
  };
  struct Entry {
    Cycles since;
    unsigned id;
    bool before(const Entry& o) const { return since != o.since ? since < o.since : id < o.id; }
  };
  struct Bucket {
    std::vector<Entry> entries;  // in (since, id) order; some stale
    unsigned live = 0;
  };
  using Buckets = std::map<Cycles, Bucket>;

  void drop(Buckets::iterator at) {
    if (at == m_last) m_last = m_buckets.end();
    at->second.entries.clear();
    m_spare.push_back(std::move(at->second.entries));
    m_buckets.erase(at);
  }

  std::vector<Id> m_ids;
  Buckets m_buckets;
  Buckets::iterator m_last = m_buckets.end();  // set()'s last bucket, or end()
  std::vector<std::vector<Entry>> m_spare;  // emptied buckets' vectors, reused
  std::size_t m_size = 0;
};

}  // namespace vmmsim::sched
