// vCPU ids by deadline, in buckets of equal deadlines: rtds's replenishment
// queue. Periods are aligned to cycle 0, so the waiting vCPUs share a few
// deadlines (one per distinct period in flight) and a boundary replenishes a
// whole bucket at once. A heap paid a sift-down through every waiting vCPU
// per replenishment (about 1,500 instructions per decision on bench huge,
// 4,096 vCPUs); here a member joins its bucket by an append, or a short
// move, and the due ones leave a bucket at a time.
//
// The order is by deadline; within one, by when the member began to wait
// (its `since`), then id: the order of rtds's run queue, so that a
// boundary's replenished vCPUs reach it sorted where one period is in
// flight (a sort of them was some 500 instructions per huge decision,
// docs/performance/eleventh-round.md). A bucket that a member with an
// earlier since than most joins (vCPUs of another period replenished into
// it) falls back to id order, and rtds sorts that batch as before.
// Erase is lazy: a bucket keeps the entries appended to it, and one counts
// while its id is a member at that deadline (and, in a bucket in order,
// from that since); a bucket is dropped when its last member leaves.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
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
    if (ids <= m_ids.size()) return;
    m_ids.resize(ids);
    m_marks.resize((ids + 63) / 64);
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
    if (since > m_latest) m_latest = since;
    // The bucket of the last set, where a boundary's replenished members
    // all go (a search per member was 3 % of a huge run's instructions);
    // else a refreshed deadline is usually the latest: found at the end.
    if (m_last == m_buckets.end() || m_last->first != deadline) {
      m_last = m_buckets.empty() || std::prev(m_buckets.end())->first < deadline
                   ? m_buckets.emplace_hint(m_buckets.end(), deadline, Bucket{})
                   : m_buckets.try_emplace(deadline).first;
      if (m_last->second.entries.empty() && m_last->second.live == 0 && !m_spare.empty()) {
        m_last->second.entries.swap(m_spare.back());  // an earlier bucket's memory
        m_spare.pop_back();
      }
    }
    // A member that joins waits from now, the latest cycle any member
    // joined at: its place is the end, or before those of that cycle with
    // higher ids (at a boundary, the owners of every pCPU), however many.
    // One that keeps an earlier since goes to its place if at most
    // kShortTail entries are behind it (a boundary's batch before the
    // owners requeued at its cycle); else (a replenishment into a bucket
    // that holds later ones, or a long run of its own since, with several
    // periods in flight) it is appended and the bucket falls back to id
    // order: moving the later ones up for each would cost a boundary
    // O(members x entries).
    Bucket& b = m_last->second;
    const Entry e{since, id};
    if (!b.in_order || b.entries.empty() || !e.before(b.entries.back())) {
      b.entries.push_back(e);
    } else {  // walked back from the end: usually one entry
      const bool same_cycle = e.since == m_latest;
      auto place = std::prev(b.entries.end());
      bool short_of_place = false;
      for (std::ptrdiff_t behind = 1; place != b.entries.begin() && e.before(*std::prev(place)); ++behind) {
        if (!same_cycle && behind == kShortTail) {
          short_of_place = true;
          break;
        }
        --place;
      }
      if (short_of_place) {
        b.entries.push_back(e);
        b.in_order = false;
      } else {
        b.entries.insert(place, e);
      }
    }
    ++b.live;
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
  // id to `due` by deadline; within one deadline by since, then id, unless
  // its bucket fell out of that order (set()), then by id.
  void take_due(Cycles now, std::vector<unsigned>& due) {
    while (!m_buckets.empty() && m_buckets.begin()->first <= now) {
      auto at = m_buckets.begin();
      if (at->second.in_order)
        take_in_order(at, due);
      else
        take_by_id(at, due);
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
    std::vector<Entry> entries;  // in (since, id) order while in_order; some stale
    unsigned live = 0;
    bool in_order = true;
  };
  using Buckets = std::map<Cycles, Bucket>;
  // The most entries of an earlier cycle set() moves up to keep a bucket in order.
  static constexpr std::ptrdiff_t kShortTail = 64;

  // An entry counts if its id is a member at the bucket's deadline, from
  // its since (an id that left and came back has a stale entry too).
  void take_in_order(Buckets::iterator at, std::vector<unsigned>& due) {
    for (const Entry& e : at->second.entries) {
      Id& s = m_ids[e.id];
      if (!s.member || s.deadline != at->first || s.since != e.since) continue;  // left, moved, or taken
      s.member = false;
      --m_size;
      due.push_back(e.id);
    }
  }
  // In id order through a bitmap of the ids (a word per 64 vCPUs), which
  // also counts an id with two entries once.
  void take_by_id(Buckets::iterator at, std::vector<unsigned>& due) {
    std::size_t low = m_marks.size(), high = 0;
    for (const Entry& e : at->second.entries) {
      Id& s = m_ids[e.id];
      if (!s.member || s.deadline != at->first) continue;  // left, moved, or marked already
      s.member = false;
      --m_size;
      const std::size_t word = e.id / 64;
      m_marks[word] |= std::uint64_t{1} << (e.id % 64);
      low = std::min(low, word);
      high = std::max(high, word);
    }
    for (std::size_t word = low; word <= high && word < m_marks.size(); ++word)
      for (std::uint64_t bits = std::exchange(m_marks[word], 0); bits != 0; bits &= bits - 1)
        due.push_back(static_cast<unsigned>(word * 64 + static_cast<unsigned>(__builtin_ctzll(bits))));
  }

  void drop(Buckets::iterator at) {
    if (at == m_last) m_last = m_buckets.end();
    at->second.entries.clear();
    m_spare.push_back(std::move(at->second.entries));
    m_buckets.erase(at);
  }

  std::vector<Id> m_ids;
  std::vector<std::uint64_t> m_marks;  // take_by_id's, a bit per id, all 0 between calls
  Buckets m_buckets;
  Buckets::iterator m_last = m_buckets.end();  // set()'s last bucket, or end()
  Cycles m_latest = 0;  // the latest since set() was given: the cycle members join at
  std::vector<std::vector<Entry>> m_spare;  // emptied buckets' vectors, reused
  std::size_t m_size = 0;
};

}  // namespace vmmsim::sched
