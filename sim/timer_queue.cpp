#include "sim/timer_queue.h"

namespace vmmsim {

void TimerQueue::add(Cycles due, Rank rank, std::uint64_t order_key, std::uint32_t kind, std::uint64_t token) {
  m_heap.push(Entry{due, rank, order_key, m_seq++, kind, token});
  post_top();
}

void TimerQueue::serve(Cycles) {
  const Entry e = m_heap.top();
  m_heap.pop();
  post_top();
  m_handler(e.kind, e.token);
}

}  // namespace vmmsim
