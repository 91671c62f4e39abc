// vCPU ids by deadline, in buckets of equal deadlines: rtds's replenishment
// queue. Periods are aligned to cycle 0, so the waiting vCPUs share a few
// deadlines (one per distinct period in flight) and a boundary replenishes a
// whole bucket at once. A heap paid a sift-down through every waiting vCPU
// per replenishment (about 1,500 instructions per decision on bench huge,
// 4,096 vCPUs); here a member joins its bucket by an append and the due ones
// leave a bucket at a time, in id order through a bitmap.
//
// The order is total and the heap's: by deadline, equal deadlines by id.
// Erase is lazy: a bucket keeps the ids appended to it, and one counts while
// it is a member at that deadline (an id that left and came back has two
// entries there, which mark the same bit); a bucket is dropped when its
// last member leaves.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "base/units.h"

namespace vmmsim::sched {

class DeadlineBuckets {
 public:
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

  // Inserts id at `deadline`, or moves it there.
  void set(unsigned id, Cycles deadline) {
    Id& s = m_ids[id];
    if (s.member) {
      if (s.deadline == deadline) return;
      erase(id);
    }
    s.member = true;
    s.deadline = deadline;
    // A refreshed deadline is usually the latest: found at the end.
    auto at = m_buckets.empty() || std::prev(m_buckets.end())->first < deadline
                  ? m_buckets.emplace_hint(m_buckets.end(), deadline, Bucket{})
                  : m_buckets.try_emplace(deadline).first;
    if (at->second.entries.empty() && at->second.live == 0 && !m_spare.empty()) {
      at->second.entries.swap(m_spare.back());  // an earlier bucket's memory
      m_spare.pop_back();
    }
    at->second.entries.push_back(id);
    ++at->second.live;
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
  // id to `due` in the order: deadline, then id.
  void take_due(Cycles now, std::vector<unsigned>& due) {
    while (!m_buckets.empty() && m_buckets.begin()->first <= now) {
      auto at = m_buckets.begin();
      // In id order through a bitmap of the ids (a word per 64 vCPUs): the
      // entries come in order of appending, wakes among replenishments.
      std::size_t low = m_marks.size(), high = 0;
      for (const unsigned id : at->second.entries) {
        Id& s = m_ids[id];
        if (!s.member || s.deadline != at->first) continue;  // left, moved, or marked already
        s.member = false;
        --m_size;
        const std::size_t word = id / 64;
        m_marks[word] |= std::uint64_t{1} << (id % 64);
        low = std::min(low, word);
        high = std::max(high, word);
      }
      for (std::size_t word = low; word <= high && word < m_marks.size(); ++word)
        for (std::uint64_t bits = std::exchange(m_marks[word], 0); bits != 0; bits &= bits - 1)
          due.push_back(static_cast<unsigned>(word * 64 + static_cast<unsigned>(__builtin_ctzll(bits))));
      drop(at);
    }
  }

 private:
  struct Id {
    Cycles deadline = 0;
    bool member = false;
  };
  struct Bucket {
    std::vector<unsigned> entries;  // ids in order of appending; some stale
    unsigned live = 0;
  };
  using Buckets = std::map<Cycles, Bucket>;

  void drop(Buckets::iterator at) {
    at->second.entries.clear();
    m_spare.push_back(std::move(at->second.entries));
    m_buckets.erase(at);
  }

  std::vector<Id> m_ids;
  std::vector<std::uint64_t> m_marks;  // take_due's, all 0 between calls
  Buckets m_buckets;
  std::vector<std::vector<unsigned>> m_spare;  // emptied buckets' vectors, reused
  std::size_t m_size = 0;
};

}  // namespace vmmsim::sched
