#include "sim/wakeup_queue.h"

namespace vmmsim {

WakeupQueue::WakeupQueue(unsigned processors, Handler handler)
    : m_handler(std::move(handler)), m_position(processors, kAbsent) {
  m_heap.reserve(processors);
}

void WakeupQueue::place(std::size_t at, Entry e) {
  m_heap[at] = e;
  m_position[e.processor] = static_cast<std::uint32_t>(at);
}

void WakeupQueue::sift_up(std::size_t at) {
  const Entry e = m_heap[at];
  while (at > 0) {
    const std::size_t parent = (at - 1) / 2;
    if (!e.before(m_heap[parent])) break;
    place(at, m_heap[parent]);
    at = parent;
  }
  place(at, e);
}

void WakeupQueue::sift_down(std::size_t at) {
  const Entry e = m_heap[at];
  const std::size_t n = m_heap.size();
  for (;;) {
    std::size_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && m_heap[child + 1].before(m_heap[child])) ++child;
    if (!m_heap[child].before(e)) break;
    place(at, m_heap[child]);
    at = child;
  }
  place(at, e);
}

void WakeupQueue::pop() {
  m_position[m_heap.front().processor] = kAbsent;
  const Entry last = m_heap.back();
  m_heap.pop_back();
  if (m_heap.empty()) return;
  place(0, last);
  sift_down(0);
}

void WakeupQueue::schedule(unsigned processor, Cycles due) {
  const std::uint32_t at = m_position[processor];
  if (at == kAbsent) {
    m_heap.push_back(Entry{due, processor});
    sift_up(m_heap.size() - 1);
  } else {
    const bool earlier = due < m_heap[at].due;
    m_heap[at].due = due;
    earlier ? sift_up(at) : sift_down(at);
  }
  post(m_heap.front().due, Rank::Processor);
}

void WakeupQueue::serve(Cycles) {
  const unsigned processor = m_heap.front().processor;
  pop();
  post(m_heap.empty() ? kForever : m_heap.front().due, Rank::Processor);
  m_handler(processor);
}

}  // namespace vmmsim
