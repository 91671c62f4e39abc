// The run-queue structures policies keep without allocating per request
// (schedulers/id_list.h), checked against the standard containers they
// replace, in the same order, under random operations.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <list>
#include <random>
#include <vector>

#include "schedulers/id_list.h"

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

}  // namespace
}  // namespace vmmsim::sched
