#include "sim/timer_queue.h"

namespace vmmsim {

void TimerQueue::add(Cycles due, Rank rank, std::uint64_t order_key, std::uint32_t kind, std::uint64_t token) {
  const Entry e{due, std::uint64_t{static_cast<std::uint8_t>(rank)} << kShift | order_key, m_seq++,
                std::uint64_t{kind} << kShift | token};
  std::size_t at = m_heap.size();
  m_heap.push_back(e);
  while (at > 0) {  // sift the hole up
    const std::size_t parent = (at - 1) / 2;
    if (!e.before(m_heap[parent])) break;
    m_heap[at] = m_heap[parent];
    at = parent;
  }
  m_heap[at] = e;
  if (at == 0) post_top();  // a new earliest entry
}

void TimerQueue::serve(Cycles) {
  const std::uint64_t payload = m_heap.front().payload;
  const Entry last = m_heap.back();
  m_heap.pop_back();
  const std::size_t n = m_heap.size();
  if (n > 0) {  // sift the hole at the root down
    std::size_t at = 0;
    for (;;) {
      std::size_t child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && m_heap[child + 1].before(m_heap[child])) ++child;
      if (!m_heap[child].before(last)) break;
      m_heap[at] = m_heap[child];
      at = child;
    }
    m_heap[at] = last;
  }
  post_top();
  m_handler(static_cast<std::uint32_t>(payload >> kShift), payload & ((std::uint64_t{1} << kShift) - 1));
}

}  // namespace vmmsim
