// Intrusive doubly-linked lists of small ids (vCPU ids, VM indices): the
// links live in one array indexed by id (IdLinks), the list is a head, a tail
// and a count (IdList). Queueing allocates nothing and taking an id out
// needs no search, where a std::list costs a malloc and a free per queueing
// (about 150 instructions per request of medium/rr).
//
//   IdLinks links;  // one per family of lists
//   IdList queue;   // any number of lists share it; an id is in one at most
//   links.resize(vcpus);
//   queue.push_back(links, v);
//   for (int v = queue.front(); v != IdList::kNil; v = links.next(v)) ...
//
// An id's links are meaningful only while it is in a list.
#pragma once

#include <cstddef>
#include <vector>

namespace vmmsim::sched {

class IdLinks {
 public:
  static constexpr int kNil = -1;

  void resize(std::size_t n) {
    if (n > m_links.size()) m_links.resize(n);
  }
  int next(int id) const { return m_links[static_cast<std::size_t>(id)].next; }
  int prev(int id) const { return m_links[static_cast<std::size_t>(id)].prev; }

 private:
  friend class IdList;
  struct Link {
    int prev = kNil;
    int next = kNil;
  };
  Link& at(int id) { return m_links[static_cast<std::size_t>(id)]; }

  std::vector<Link> m_links;
};

class IdList {
 public:
  static constexpr int kNil = IdLinks::kNil;

  bool empty() const { return m_head == kNil; }
  std::size_t size() const { return m_size; }
  int front() const { return m_head; }
  int back() const { return m_tail; }

  void push_back(IdLinks& links, int id) { insert_before(links, kNil, id); }
  void push_front(IdLinks& links, int id) { insert_before(links, m_head, id); }

  // Puts id right before `pos` (kNil: at the back).
  void insert_before(IdLinks& links, int pos, int id) {
    IdLinks::Link& l = links.at(id);
    l.next = pos;
    l.prev = pos == kNil ? m_tail : links.at(pos).prev;
    (l.prev == kNil ? m_head : links.at(l.prev).next) = id;
    (pos == kNil ? m_tail : links.at(pos).prev) = id;
    ++m_size;
  }

  void erase(IdLinks& links, int id) {
    IdLinks::Link& l = links.at(id);
    (l.prev == kNil ? m_head : links.at(l.prev).next) = l.next;
    (l.next == kNil ? m_tail : links.at(l.next).prev) = l.prev;
    l = IdLinks::Link{};
    --m_size;
  }

  int pop_front(IdLinks& links) {
    int id = m_head;
    erase(links, id);
    return id;
  }

  void move_to_front(IdLinks& links, int id) {
    if (id == m_head) return;
    erase(links, id);
    push_front(links, id);
  }

 private:
  int m_head = kNil;
  int m_tail = kNil;
  std::size_t m_size = 0;
};

}  // namespace vmmsim::sched
